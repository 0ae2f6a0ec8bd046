"""Claiming a notification in the ledger, and delivering it; setting up chat groups and
connected apps, and learning who people are in them."""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from opsboard.accounts.models import User
from opsboard.tenancy.access import require_lead, require_manager
from opsboard.tenancy.models import Membership

from . import chat, direct
from .chat import ChatRejected, ChatUnavailable
from .direct import CredentialsRejected, DirectMessage, DirectRejected, DirectUnavailable
from .emails import render_email, render_texts, send_rendered
from .models import (
    Channel,
    ChatWebhook,
    ConnectedApp,
    DirectIdentity,
    LearnedBy,
    Notification,
    Status,
)

# Worth another try later: the server may be back.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def notification_claim(
    *,
    kind: str,
    subject_key: str,
    recipient: User,
    period: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None,
    timezone_name: str | None,
    organization_id: int | None = None,
    link: str = "",
    channel: str = Channel.EMAIL,
    headers: Mapping[str, str] | None = None,
) -> Notification | None:
    """Write the ledger row before anything is sent; None when it was already written.

    An in-app notification is delivered by being written.
    """
    subject, text, html = render_email(
        template=template, context=context, language=language, timezone_name=timezone_name
    )
    return _claim(
        kind=kind,
        subject_key=subject_key,
        recipient=recipient,
        period=period,
        channel=channel,
        organization_id=organization_id,
        title=subject,
        body=text,
        body_html=html,
        link=link,
        headers=dict(headers or {}),
        status=Status.SENT if channel == Channel.IN_APP else Status.PENDING,
        sent_at=timezone.now() if channel == Channel.IN_APP else None,
    )


def chat_claim(
    *,
    kind: str,
    subject_key: str,
    webhook: ChatWebhook,
    period: str,
    title: str,
    markdown: str,
    link: str = "",
) -> Notification | None:
    """Write the ledger row for a chat group's message; None when it was already written."""
    return _claim(
        kind=kind,
        subject_key=subject_key,
        webhook=webhook,
        period=period,
        channel=Channel.CHAT,
        organization_id=webhook.organization_id,
        title=title,
        body=markdown,
        link=link,
    )


def direct_claim(
    *,
    kind: str,
    subject_key: str,
    recipient: User,
    period: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None,
    timezone_name: str | None,
    organization_id: int,
    link: str = "",
) -> Notification | None:
    """Write the ledger row of a direct message; None when it was already written.

    Its title is the email's subject; its text ``templates/direct/<template>.md``.
    """
    title, markdown = render_texts(
        [f"emails/{template}-subject.txt", f"direct/{template}.md"],
        context=context,
        language=language,
        timezone_name=timezone_name,
    )
    return _claim(
        kind=kind,
        subject_key=subject_key,
        recipient=recipient,
        period=period,
        channel=Channel.DIRECT,
        organization_id=organization_id,
        title=" ".join(title.split()),
        body=markdown.strip(),
        link=link,
    )


def _claim(**fields: Any) -> Notification | None:
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        return None


class TransientDeliveryError(Exception):
    """Delivery failed in a way that may pass: retry later."""


# Tries before a notification the server keeps turning away counts as failed
# (the first, and deliver_notification's retries).
MAX_DELIVERY_ATTEMPTS = 13


def retry_wait(attempts: int) -> timedelta:
    """The longest wait before the next try after ``attempts`` tries: Celery's backoff, capped."""
    return timedelta(seconds=min(2 ** (attempts - 1), 1800))


def notification_deliver(*, notification_id: int) -> str:
    """Send a claimed notification (email or chat) once. Returns its status; raises TransientDeliveryError to be retried.

    Taking the row (``delivering_since``) under its lock is what keeps two
    deliveries of it (the task and its copy from the sweep, a retry) from both
    sending: the second finds it taken, or sent, and leaves it.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "webhook")
            .get(pk=notification_id)
        )
        if notification.status != Status.PENDING or notification.delivering_since:
            return notification.status
        notification.attempts += 1
        notification.delivering_since = timezone.now()
        notification.save(update_fields=["attempts", "delivering_since"])
    if notification.channel == Channel.CHAT:
        return _post_to_chat(notification)
    if notification.channel == Channel.DIRECT:
        return _send_direct(notification)
    try:
        send_rendered(
            to=[notification.recipient.email],
            subject=notification.title,
            text=notification.body,
            html=notification.body_html,
            headers={**notification.headers, "Message-ID": _message_id(notification)},
        )
    except TRANSIENT_ERRORS as error:
        _record_error(notification, error)
        raise TransientDeliveryError(str(error)) from error
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPException, ValueError) as error:
        # The address is refused or the message cannot be sent as it is: stop, and show it in the admin.
        _record_error(notification, error, status=Status.FAILED)
        return Status.FAILED
    _mark_sent(notification)
    return Status.SENT


def _post_to_chat(notification: Notification) -> str:
    webhook = notification.webhook
    try:
        if not webhook.active:
            raise ChatRejected(gettext("The chat webhook is switched off."))
        chat.post(
            webhook.provider, webhook.url, webhook.secret, notification.title, notification.body
        )
    except ChatUnavailable as error:
        _record_error(notification, error)
        raise TransientDeliveryError(str(error)) from error
    except ChatRejected as error:
        _record_error(notification, error, status=Status.FAILED)
        return Status.FAILED
    _mark_sent(notification)
    return Status.SENT


def _send_direct(notification: Notification) -> str:
    """Through the first active app of the row's organisation that knows the person."""
    identity = (
        DirectIdentity.objects.known()
        .select_related("app__organization")
        .filter(user=notification.recipient, app__organization_id=notification.organization_id)
        .order_by("app__created_at", "app_id")
        .first()
    )
    try:
        if identity is None:
            raise DirectRejected(gettext("No connected app of the organisation knows this person."))
        organization = identity.app.organization
        with translation.override(organization.language_for(notification.recipient)):
            button = gettext("Open in %(product)s") % {"product": settings.PRODUCT_NAME}
        direct.send(
            identity.app,
            identity.external_id,
            DirectMessage(
                title=notification.title,
                markdown=notification.body,
                link=notification.link,
                button=button,
                key=f"n{notification.pk}-{notification.created_at:%Y%m%d%H%M%S%f}",
            ),
        )
    except DirectUnavailable as error:
        _record_error(notification, error)
        raise TransientDeliveryError(str(error)) from error
    except DirectRejected as error:
        _record_error(notification, error, status=Status.FAILED)
        return Status.FAILED
    _mark_sent(notification)
    return Status.SENT


def _record_error(notification: Notification, error: Exception, *, status: str = "") -> None:
    changes: dict[str, Any] = {
        "error": f"{error.__class__.__name__}: {error}",
        "delivering_since": None,
        "next_attempt_at": timezone.now() + retry_wait(notification.attempts),
    }
    if status:
        changes["status"] = status
    elif notification.attempts >= MAX_DELIVERY_ATTEMPTS:
        # The task stops retrying here; the sweep must not start it again.
        changes["status"] = Status.FAILED
    Notification.objects.filter(pk=notification.pk).update(**changes)


def _mark_sent(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT, sent_at=timezone.now(), error="", delivering_since=None
    )


@transaction.atomic
def notifications_requeue_stale(*, now: datetime, dry_run: bool = False) -> list[Notification]:
    """Enqueue again the pending notifications whose delivery was lost, and return them.

    A worker killed mid-delivery leaves its row pending (taken, or still waiting
    for its task); the broker would hand the task back only after its visibility
    timeout, an hour. The ledger is the truth: a row pending a few minutes past
    the moment it was due (``NOTIFICATION_STALE_AFTER``) is lost. The rows are
    locked (others' sweeps skip them) and their ``next_attempt_at`` moved to now,
    so two sweeps enqueue a row once; a stale ``delivering_since`` is cleared so
    the new task may take it.
    """
    stale = now - settings.NOTIFICATION_STALE_AFTER
    lost = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PENDING)
        .exclude(channel=Channel.IN_APP)
        .filter(
            Q(delivering_since__lt=stale)
            | Q(delivering_since__isnull=True, next_attempt_at__lt=stale)
        )
        .order_by("pk")
    )
    if dry_run or not lost:
        return lost
    Notification.objects.filter(pk__in=[row.pk for row in lost]).update(
        delivering_since=None, next_attempt_at=now
    )
    # Imported here: the tasks module imports this one.
    from .tasks import deliver_notification

    for row in lost:
        deliver_notification.delay_on_commit(row.pk)
    return lost


def notifications_resend(*, notification_ids: list[int]) -> list[int]:
    """Queue failed notifications again, with a fresh count of tries; returns the ids queued."""
    from .tasks import deliver_notification

    with transaction.atomic():
        failed = list(
            Notification.objects.select_for_update()
            .filter(pk__in=notification_ids, status=Status.FAILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=failed).update(
            status=Status.PENDING,
            error="",
            attempts=0,
            delivering_since=None,
            next_attempt_at=timezone.now(),
        )
        for notification_id in failed:
            deliver_notification.delay_on_commit(notification_id)
    return failed


def _message_id(notification: Notification) -> str:
    """One Message-ID per ledger row, so a resend after a crash is known as the same email.

    The creation time keeps it unique when row ids start over on a new database.
    """
    # An IPv6 address would put colons where a Message-ID takes a domain name.
    host = (urlsplit(settings.SITE_URL).hostname or "localhost").replace(":", "-")
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{host}>"


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# Chat groups --------------------------------------------------------------


def _check_may_configure(actor: Membership, team_id: int | None) -> None:
    """Managers set up any chat group; a team lead only their own teams' groups."""
    require_lead(actor)
    if actor.can_manage:
        return
    if team_id is None or not actor.teams.filter(pk=team_id).exists():
        raise PermissionDenied(gettext("Only ops managers can set up chat groups for other teams."))


@transaction.atomic
def chat_webhook_save(*, actor: Membership, webhook: ChatWebhook) -> ChatWebhook:
    """Save a chat group's webhook as its form left it, if the person may."""
    if webhook.pk:
        before = ChatWebhook.objects.get(pk=webhook.pk)
        _check_may_configure(actor, before.team_id)
    _check_may_configure(actor, webhook.team_id)
    webhook.organization_id = actor.organization_id
    webhook.save()
    return webhook


def chat_webhook_delete(*, actor: Membership, webhook: ChatWebhook) -> None:
    _check_may_configure(actor, webhook.team_id)
    webhook.delete()


def chat_webhook_test(*, actor: Membership, webhook: ChatWebhook) -> Notification:
    """Post a test message now, through the ledger, and return its row as it ended."""
    _check_may_configure(actor, webhook.team_id)
    organization = actor.organization
    with translation.override(organization.language):
        # Titled as every post is, so the group sees whose bot this is.
        title = pgettext(
            "a chat group's test post: product, organisation",
            "[%(product)s] %(organization)s · connected",
        ) % {"product": settings.PRODUCT_NAME, "organization": organization.name}
        text = gettext(
            "%(group)s will get %(organization)s's deadline reminders here every day from %(hour)02d:00."
        ) % {
            "group": webhook.name,
            "organization": organization.name,
            "hour": webhook.hour,
        }
    notification = chat_claim(
        kind="chat_test",
        subject_key=f"webhook:{webhook.pk}",
        webhook=webhook,
        period=timezone.now().strftime("%Y%m%d%H%M%S%f"),  # each test its own row
        title=title,
        markdown=text,
    )
    with contextlib.suppress(TransientDeliveryError):  # recorded on the row: the page says so
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    return notification


# Connected apps and who is who -------------------------------------------------------

# A person the app did not know is asked about again after this (or at once when their
# email address or mobile number changes).
NOT_FOUND_ASKED_AGAIN_AFTER = timedelta(days=1)


@transaction.atomic
def connected_app_save(*, actor: Membership, app: ConnectedApp) -> ConnectedApp:
    """Save a connected app as its form left it, if the person manages the organisation,
    and look up its members in it."""
    require_manager(actor)
    app.organization_id = actor.organization_id
    app.save()
    from .tasks import look_up_people

    look_up_people.delay_on_commit(app.pk)
    return app


def connected_app_delete(*, actor: Membership, app: ConnectedApp) -> None:
    require_manager(actor)
    app.delete()


def _asked_with(user: User) -> str:
    return hashlib.sha256(f"{user.email}\n{user.mobile}".encode()).hexdigest()


def direct_identity_look_up(
    *, app: ConnectedApp, user: User, force: bool = False
) -> DirectIdentity:
    """Ask ``app`` who ``user`` is, by their email address, then their mobile number.

    Not asked again (unless ``force``) when the answer is on record for the same address
    and number: found, or not found less than ``NOT_FOUND_ASKED_AGAIN_AFTER`` ago; nor
    when the person signed in through the app. Raises DirectUnavailable or
    DirectRejected when the service could not say.
    """
    asked_with = _asked_with(user)
    identity = DirectIdentity.objects.filter(app=app, user=user).first()
    if identity is not None and not force:
        recent = identity.looked_up_at > timezone.now() - NOT_FOUND_ASKED_AGAIN_AFTER
        if identity.learned_by == LearnedBy.SIGN_IN or (
            identity.asked_with == asked_with and (identity.known or recent)
        ):
            return identity
    external_id, how = direct.look_up(app, email=user.email, mobile=user.mobile)
    identity, _created = DirectIdentity.objects.update_or_create(
        app=app,
        user=user,
        defaults={
            "external_id": external_id,
            "learned_by": how,
            "asked_with": asked_with,
            "looked_up_at": timezone.now(),
        },
    )
    return identity


def direct_identity_signed_in(*, app: ConnectedApp, user: User, external_id: str) -> DirectIdentity:
    """``user`` signed in through ``app`` as ``external_id``: the id its messages go to,
    never looked up again (``direct_identity_look_up`` keeps it)."""
    identity, _created = DirectIdentity.objects.update_or_create(
        app=app,
        user=user,
        defaults={
            "external_id": external_id,
            "learned_by": LearnedBy.SIGN_IN,
            "asked_with": _asked_with(user),
            "looked_up_at": timezone.now(),
        },
    )
    return identity


def direct_identities_look_up(*, app_id: int, user_ids: list[int] | None = None) -> int:
    """Look up the organisation's active members (or those of ``user_ids``) in the app;
    returns how many it knows. Raises DirectUnavailable to be tried again later."""
    app = ConnectedApp.objects.filter(pk=app_id, active=True).first()
    if app is None:
        return 0
    people = User.objects.filter(
        is_active=True, memberships__organization_id=app.organization_id
    ).order_by("pk")
    if user_ids is not None:
        people = people.filter(pk__in=user_ids)
    known = 0
    for person in people:
        try:
            known += direct_identity_look_up(app=app, user=person).known
        except CredentialsRejected:
            return known  # the test button says why; nobody can be looked up meanwhile
        except DirectRejected:
            continue  # this person's address or number was refused: the others may not be
    return known


def direct_identities_refresh(*, user: User) -> None:
    """After the person's email address or mobile number changed: ask each app again."""
    from .tasks import look_up_people

    for app_id in ConnectedApp.objects.filter(
        active=True, organization__memberships__user=user
    ).values_list("pk", flat=True):
        look_up_people.delay_on_commit(app_id, [user.pk])


def connected_app_test(*, actor: Membership, app: ConnectedApp) -> str:
    """Send the manager a test message through the app now; returns "" when it went,
    else what went wrong, in words a manager can act on."""
    require_manager(actor)
    service = app.get_service_display()
    try:
        direct.access_token(app, fresh=True)
    except CredentialsRejected as error:
        return gettext(
            "%(service)s refused the app's credentials (%(error)s): check the app ID, secret "
            "and corp ID against the app's page in the developer console."
        ) % {"service": service, "error": error}
    except DirectUnavailable as error:
        return gettext("%(service)s could not be reached (%(error)s): try again later.") % {
            "service": service,
            "error": error,
        }
    user = actor.user
    try:
        identity = direct_identity_look_up(app=app, user=user, force=True)
        if not identity.known:
            return gettext(
                "The app is connected, but %(service)s knows nobody by your email address "
                "or mobile number: add the number %(service)s has for you to your profile."
            ) % {"service": service}
        with translation.override(actor.organization.language_for(user)):
            message = DirectMessage(
                title=pgettext(
                    "a direct message's test: product, organisation",
                    "[%(product)s] %(organization)s · connected",
                )
                % {"product": settings.PRODUCT_NAME, "organization": actor.organization.name},
                markdown=gettext(
                    "People who choose direct messages will get their reminders, "
                    "escalations, mentions and followed cards' activity here."
                ),
                link=settings.SITE_URL + reverse("notify:preferences"),
                button=gettext("Open in %(product)s") % {"product": settings.PRODUCT_NAME},
                key=f"test-{app.pk}-{timezone.now():%Y%m%d%H%M%S%f}",
            )
        direct.send(app, identity.external_id, message)
    except (DirectUnavailable, DirectRejected) as error:
        return gettext("%(service)s did not take the test message: %(error)s") % {
            "service": service,
            "error": error,
        }
    return ""
