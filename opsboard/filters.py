"""What the FilterSets of the pages and the API share (django-filter): a person named by id
or by email, and a yes/no flag that is a checkbox on a page and ``1``/``true`` in a query.

A FilterSet serves both: the page renders ``filterset.form`` and shows its field errors;
the API (``opsboard.api.ListApi``) answers 400 with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import BooleanFilter, FilterSet, ModelChoiceFilter
from drf_spectacular.utils import extend_schema_field

from opsboard.tenancy.models import Organization


class PersonField(forms.ModelChoiceField):
    """A person of the queryset by id, as the pages' lists send them, or by email, as the
    API names people everywhere else."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "@" in value:
            person = self.queryset.filter(email__iexact=value.strip()).first()
            if person is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
            return person
        return super().to_python(value)


@extend_schema_field({"type": "string", "description": "A member: their id, or their email."})
class PersonFilter(ModelChoiceFilter):
    field_class = PersonField


class FlagInput(forms.CheckboxInput):
    """A checkbox on a page (``on``); in a query ``1``, ``true`` or ``on`` say yes and
    anything else, or nothing, says no."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        return str(data.get(name, "")).lower() in ("1", "true", "on")


class FlagFilter(BooleanFilter):
    """A yes/no filter read with ``FlagInput``: never invalid, absent means no."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", FlagInput)
        super().__init__(*args, **kwargs)


def chosen(filterset: FilterSet) -> dict[str, Any]:
    """The values a valid, bound FilterSet was given; nothing for an unbound or invalid one
    (a page then shows every row, and the field errors)."""
    if not filterset.is_bound or not filterset.is_valid():
        return {}
    return {name: value for name, value in filterset.form.cleaned_data.items() if value}


def filtered(filterset: FilterSet) -> QuerySet:
    """The page's rows: filtered when the FilterSet is valid, all of them otherwise."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.all()
    return filterset.qs


class PageFilterSet(FilterSet):
    """A FilterSet that serves a page and an API list: the page (``page=True``) leaves out
    the filters only the API takes (``PAGE_LEAVES_OUT``)."""

    PAGE_LEAVES_OUT: tuple[str, ...] = ()

    @classmethod
    def unfiltered(cls, queryset: QuerySet) -> QuerySet:
        """What a list is when its query names none of the filters: what the filters say of
        their absence (usually nothing), without building the FilterSet and its form, the
        costly part of a page of a long list read page by page."""
        return queryset

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if page:
            for name in self.PAGE_LEAVES_OUT:
                del self.filters[name]


class OrganizationFilterSet(PageFilterSet):
    """A FilterSet whose choices are the organisation's: ``choices(organization)`` gives
    each filter's queryset. Without an organisation (the schema generator) there are none."""

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        if organization is not None:
            for name, queryset in self.choices(organization).items():
                self.filters[name].queryset = queryset

    def choices(self, organization: Organization) -> dict[str, QuerySet]:
        return {}


def read_choices(form: forms.Form) -> list[tuple[str, list[tuple[str, str]]]]:
    """Read each choice field's choices once, hand them to its widget as they are, and
    return them: what a form drawn from the cache is keyed by."""
    read = []
    for name, field in form.fields.items():
        if isinstance(field, forms.ChoiceField):
            choices = [(str(value), str(label)) for value, label in field.choices]
            field.widget.choices = choices
            read.append((name, choices))
    return read
