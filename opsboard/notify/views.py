from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opsboard.tenancy.access import organization_view, require_lead, require_manager

from . import selectors, services
from .forms import ChatWebhookForm, ConnectedAppForm, PreferenceForm
from .models import ChatWebhook, ConnectedApp, Notification, Preference, Status
from .services import notifications_mark_read
from .subscriptions import digest_subscription_set, user_for_token

# Pages with a form: shown on GET, submitted with POST.
form_page = require_http_methods(["GET", "HEAD", "POST"])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first; posting marks them all read."""
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("notify:list")
    page = Paginator(
        Notification.objects.shown_in_app().filter(recipient=request.user).order_by("-created_at"),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page, "dev_outbox": settings.DEBUG})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """When and how reminders reach you."""
    instance = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    direct = selectors.direct_status_for(user=request.user)
    known = sorted({str(status.app) for status in direct if status.known})
    form = PreferenceForm(request.POST or None, instance=instance, direct_through=", ".join(known))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form, "direct": direct})


@csrf_exempt  # the token is the credential; mail clients post here for one-click unsubscribe
@require_http_methods(["GET", "HEAD", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Leave or rejoin the weekly KPI digest from the link in it, signed in or not.

    GET only shows the button (mail scanners open links); a POST changes the subscription,
    including RFC 8058's one-click POST from the mail client.
    """
    user = user_for_token(token)
    if user is None:
        return render(request, "notify/digest_unsubscribe.html", {"invalid": True}, status=404)
    changed = None
    if request.method == "POST":
        changed = request.POST.get("action") == "subscribe"
        digest_subscription_set(user=user, subscribed=changed)
    preference = Preference.objects.filter(user=user).first()
    return render(
        request,
        "notify/digest_unsubscribe.html",
        {
            "person": user,
            "changed": changed,
            "subscribed": preference.weekly_digest if preference else None,
        },
    )


@login_required
@require_POST
def digest_subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe to the weekly digest, or leave it, with one button (e.g. on its preview)."""
    subscribed = request.POST.get("action") == "subscribe"
    digest_subscription_set(user=request.user, subscribed=subscribed)
    messages.success(
        request,
        _("You will get the weekly KPI digest.")
        if subscribed
        else _("You will get no more weekly KPI digests."),
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("notify:preferences")
    return redirect(back)


# Chat groups: /o/<slug>/chat-groups/, for team leads (their teams') and managers (all).


@organization_view
@require_safe
def chat_group_list(request: HttpRequest) -> HttpResponse:
    require_lead(request.membership)
    webhooks = list(selectors.chat_webhooks_for(membership=request.membership))
    teams = dict(selectors.chat_teams_for(membership=request.membership).values_list("pk", "name"))
    last = selectors.last_chat_posts([webhook.pk for webhook in webhooks])
    rows = [
        {"webhook": webhook, "team": teams.get(webhook.team_id), "last": last.get(webhook.pk)}
        for webhook in webhooks
    ]
    apps = list(selectors.connected_apps_for(membership=request.membership))
    return render(request, "notify/chat_group_list.html", {"rows": rows, "apps": apps})


def _chat_group_form_page(request: HttpRequest, webhook_id: int | None) -> HttpResponse:
    require_lead(request.membership)
    webhook = (
        selectors.chat_webhook_get_for_user(membership=request.membership, webhook_id=webhook_id)
        if webhook_id is not None
        else ChatWebhook(organization=request.organization)
    )
    form = ChatWebhookForm(
        request.POST or None,
        instance=webhook,
        teams=selectors.chat_teams_for(membership=request.membership),
        whole_organization=request.membership.can_manage,
    )
    if request.method == "POST" and form.is_valid():
        services.chat_webhook_save(actor=request.membership, webhook=form.save(commit=False))
        messages.success(request, _("Chat group saved. Send a test message to check it."))
        return redirect("notify:chat_group_list", org_slug=request.organization.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Edit chat group") if webhook_id else _("New chat group"),
            "intro": _(
                "Add a custom bot (Feishu/Lark, DingTalk, WeCom) or an incoming webhook "
                "(Slack) to the group, and paste its address here. Every day at the posting "
                "hour the group gets the cards due soon, overdue, blocked and done yesterday."
            ),
            "submit_label": _("Save"),
        },
    )


@organization_view
@form_page
def chat_group_create(request: HttpRequest) -> HttpResponse:
    return _chat_group_form_page(request, None)


@organization_view
@form_page
def chat_group_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    return _chat_group_form_page(request, webhook_id)


@organization_view
@require_POST
def chat_group_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    require_lead(request.membership)
    webhook = selectors.chat_webhook_get_for_user(
        membership=request.membership, webhook_id=webhook_id
    )
    services.chat_webhook_delete(actor=request.membership, webhook=webhook)
    messages.success(request, _("Chat group “%(name)s” removed.") % {"name": webhook.name})
    return redirect("notify:chat_group_list", org_slug=request.organization.slug)


@organization_view
@require_POST
def chat_group_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    require_lead(request.membership)
    webhook = selectors.chat_webhook_get_for_user(
        membership=request.membership, webhook_id=webhook_id
    )
    result = services.chat_webhook_test(actor=request.membership, webhook=webhook)
    if result.status == Status.SENT:
        messages.success(request, _("Test message sent to “%(name)s”.") % {"name": webhook.name})
    else:
        messages.error(
            request,
            _("The test message to “%(name)s” did not go through: %(error)s")
            % {"name": webhook.name, "error": result.error},
        )
    return redirect("notify:chat_group_list", org_slug=request.organization.slug)


# Connected apps: on the chat groups' page, for the organisation's managers.


def _connected_app_form_page(request: HttpRequest, app_id: int | None) -> HttpResponse:
    require_manager(request.membership)
    app = (
        selectors.connected_app_get_for_user(membership=request.membership, app_id=app_id)
        if app_id is not None
        else ConnectedApp(organization=request.organization)
    )
    form = ConnectedAppForm(request.POST or None, instance=app)
    if request.method == "POST" and form.is_valid():
        services.connected_app_save(actor=request.membership, app=form.save(commit=False))
        messages.success(request, _("App connected. Send yourself a test message to check it."))
        return redirect("notify:chat_group_list", org_slug=request.organization.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Edit connected app") if app_id else _("Connect an app"),
            "intro": _(
                "Create an internal app (Feishu/Lark: a custom app; DingTalk: an internal "
                "app; WeCom: a self-built app) that may send messages and read the contact "
                "list, and enter its credentials here. People it knows by their email address "
                "or mobile number can then get their reminders as direct messages."
            ),
            "submit_label": _("Save"),
        },
    )


@organization_view
@form_page
def connected_app_create(request: HttpRequest) -> HttpResponse:
    return _connected_app_form_page(request, None)


@organization_view
@form_page
def connected_app_edit(request: HttpRequest, app_id: int) -> HttpResponse:
    return _connected_app_form_page(request, app_id)


@organization_view
@require_POST
def connected_app_delete(request: HttpRequest, app_id: int) -> HttpResponse:
    require_manager(request.membership)
    app = selectors.connected_app_get_for_user(membership=request.membership, app_id=app_id)
    services.connected_app_delete(actor=request.membership, app=app)
    messages.success(request, _("The %(service)s app is disconnected.") % {"service": app})
    return redirect("notify:chat_group_list", org_slug=request.organization.slug)


@organization_view
@require_POST
def connected_app_test(request: HttpRequest, app_id: int) -> HttpResponse:
    require_manager(request.membership)
    app = selectors.connected_app_get_for_user(membership=request.membership, app_id=app_id)
    problem = services.connected_app_test(actor=request.membership, app=app)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(
            request, _("A test message is on its way to you in %(service)s.") % {"service": app}
        )
    return redirect("notify:chat_group_list", org_slug=request.organization.slug)
