"""The admin's pages as a browser posts them back."""

from __future__ import annotations

from typing import Any


def change_page_data(client, url: str) -> dict[str, Any]:
    """What an admin change page posts back unchanged, its inlines included."""
    context = client.get(url).context
    data: dict[str, Any] = {}
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list):
                data[key] = [getattr(item, "pk", item) for item in value]
            else:
                data[key] = getattr(value, "pk", value)
    return data
