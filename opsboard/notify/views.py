from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import PreferenceForm
from .models import Notification, Preference
from .services import notifications_mark_read


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
