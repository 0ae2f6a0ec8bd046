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
from django.views.decorators.http import require_http_methods, require_POST

from .forms import PreferenceForm
from .models import Notification, Preference
from .services import notifications_mark_read
from .subscriptions import digest_subscription_set, user_for_token


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """Your notifications, newest first; posting marks them all read."""
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("notify:list")
    page = Paginator(
        Notification.objects.filter(recipient=request.user).order_by("-created_at"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page, "dev_outbox": settings.DEBUG})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """When and how reminders reach you."""
    instance = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})


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
