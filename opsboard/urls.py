from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from projects import views as project_views

from .favicon import favicon
from .health import healthz
from .notify import dev

admin.site.site_header = _("Opsboard administration")
admin.site.site_title = _("Opsboard admin")
admin.site.index_title = _("Organisations, teams and schedules")

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("opsboard.accounts.urls")),
    # django-allauth's names for the same pages, two-factor sign-in and single sign-on.
    path("accounts/", include("opsboard.accounts.allauth_urls")),
    # Notifications (/notifications/) and an organisation's chat groups (/o/<slug>/chat-groups/).
    path("", include("opsboard.notify.urls")),
    path("invitations/<str:token>/", project_views.invitation_accept, name="invitation_accept"),
    path("o/", include("projects.urls")),
    path("o/", include("kanban.urls")),
    path("o/", include("raci.urls")),
    path("o/", include("intake.urls")),
    path("o/", include("metrics.urls")),
    path("o/", include("opsboard.search.urls")),
    path("api/v1/", include("projects.api_urls")),
    path("api/v1/", include("kanban.api_urls")),
    path("api/v1/", include("raci.api_urls")),
    path("api/v1/", include("intake.api_urls")),
    path("api/v1/", include("metrics.api_urls")),
    path("api/v1/", include("opsboard.search.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
    # make run only: answer 404 unless DEBUG is on.
    path("dev/outbox/", dev.outbox, name="dev_outbox"),
    path("dev/chat/<path:hook>", dev.chat_sink, name="dev_chat_sink"),
]
