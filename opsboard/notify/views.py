from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .models import Notification
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
    return render(request, "notify/list.html", {"page": page})
