from __future__ import annotations

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("settings/", views.preferences, name="preferences"),
    path("digest/", views.digest_subscription, name="digest_subscription"),
    path("digest/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
