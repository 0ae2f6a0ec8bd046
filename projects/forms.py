from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsboard.accounts.models import User, timezone_choices

from .models import Membership, Organization, Role, Team


class OrganizationForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = Organization
        fields = ["name", "slug", "timezone", "language", "reminder_lead_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()
        if self.instance.pk:
            # The short name is part of every address; it does not change.
            del self.fields["slug"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = User.objects.filter(
            memberships__organization=organization
        ).order_by("full_name", "email")


def role_choices_for(actor: Membership) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if actor.can_assign_role(value)]


class TeamsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    teams = TeamsField(label=_("Teams"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(actor)
        self.fields["teams"].queryset = Team.objects.filter(organization=actor.organization)


class InvitationForm(MemberForm):
    email = forms.EmailField(label=_("Email address"))
    field_order = ["email", "role", "teams"]

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].initial = Role.MEMBER
