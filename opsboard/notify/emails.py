"""The one place Opsboard renders and sends email.

Each email is three templates under ``templates/emails/``:
``<name>-subject.txt``, ``<name>-body.txt`` and ``<name>-body.html``.
The HTML bodies share one stylesheet, the ``<style>`` block of
``templates/emails/base-body.html``, written with classes; css-inline writes it
into style attributes here, since mail clients (Gmail, Outlook) drop or ignore
most of a ``<style>`` block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from opsboard.accounts.models import zone

# The stylesheet is in the template: nothing is fetched, and the <style> block goes.
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def render_email(
    *,
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
    timezone_name: str | None = None,
) -> tuple[str, str, str]:
    """Return (subject, text body, HTML body) in ``language``, times in ``timezone_name``.

    The bodies see the subject as ``subject``: the HTML body's title is the subject.
    The HTML body comes with its CSS inline (see ``inline_css``).
    """
    options = {"language": language, "timezone_name": timezone_name}
    (subject,) = render_texts([f"emails/{template}-subject.txt"], context=context, **options)
    # A subject is one line whatever the template's white space.
    subject = " ".join(subject.split())
    text, html = render_texts(
        [f"emails/{template}-body.txt", f"emails/{template}-body.html"],
        context={**context, "subject": subject},
        **options,
    )
    return subject, text, inline_css(html)


def inline_css(html: str) -> str:
    """Write the rules of the document's ``<style>`` block into the style attribute of
    each element they match, and drop the block.

    An element's own style attribute (a trend bar's height) wins over the rules.
    """
    return _INLINER.inline(html)


def render_texts(
    templates: Sequence[str],
    *,
    context: Mapping[str, Any],
    language: str | None = None,
    timezone_name: str | None = None,
) -> list[str]:
    """Render each template in ``language``, times in ``timezone_name`` (emails, chat posts).

    Every template sees ``site_url`` and ``product`` (the product's name, from settings).

    Only HTML is escaped: a subject, a text body or a chat post shows ``<b>`` as typed.
    """
    full_context = {"site_url": settings.SITE_URL, "product": settings.PRODUCT_NAME, **context}
    with (
        translation.override(language or settings.LANGUAGE_CODE),
        timezone.override(zone(timezone_name, settings.TIME_ZONE)),
    ):
        return [
            render_to_string(name, full_context)
            if name.endswith(".html")
            else get_template(name).template.render(Context(full_context, autoescape=False))
            for name in templates
        ]


def send_email(
    *,
    template: str,
    to: Sequence[str],
    context: Mapping[str, Any],
    language: str | None = None,
    timezone_name: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    subject, text, html = render_email(
        template=template, context=context, language=language, timezone_name=timezone_name
    )
    send_rendered(to=to, subject=subject, text=text, html=html, headers=headers)


def send_rendered(
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send an email already rendered, e.g. one kept in the notification ledger."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.send()
