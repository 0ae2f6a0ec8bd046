"""Setting up a chat group in the app: addresses checked, secrets never shown back, a test post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsboard.notify.models import ChatWebhook, Notification, Status
from opsboard.tenancy.services import team_delete
from tests.chat_server import Answer
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

TOKEN = "T0AB12/B0CD34/fFoZc9x2Qk7Lm"


def url(tenant: Tenant, name: str, *args: object) -> str:
    return reverse(f"notify:{name}", args=[tenant.organization.slug, *args])


def form(chat_server, **changes: object) -> dict[str, object]:
    return {
        "name": "Product standup",
        "team": "",
        "provider": "slack",
        "url": chat_server.url(f"/services/{TOKEN}"),
        "secret": "",
        "hour": 9,
        "active": "on",
        **changes,
    }


def test_a_manager_adds_a_group_and_never_sees_its_address_again(
    tenant: Tenant, client_for, chat_server
) -> None:
    client = client_for(tenant.manager.user)
    response = client.post(
        url(tenant, "chat_group_create"),
        form(
            chat_server,
            team=tenant.team.pk,
            provider="feishu",
            secret="sig-9f8e7d6c",
            url=chat_server.url("/open-apis/bot/v2/hook/5d2c9a71-77ab"),
        ),
    )
    assert response.status_code == 302
    webhook = ChatWebhook.objects.get()
    assert (webhook.organization_id, webhook.team_id) == (tenant.organization.pk, tenant.team.pk)
    assert webhook.secret == "sig-9f8e7d6c"
    listing = client.get(url(tenant, "chat_group_list")).content.decode()
    assert "Product standup" in listing and "…77ab" in listing
    assert "5d2c9a71" not in listing and "sig-9f8e7d6c" not in listing
    edit = client.get(url(tenant, "chat_group_edit", webhook.pk)).content.decode()
    assert "5d2c9a71" not in edit and "sig-9f8e7d6c" not in edit
    assert "Now …7d6c. Leave blank to keep it." in edit

    # Blank keeps the address and secret; a new secret replaces the old.
    response = client.post(
        url(tenant, "chat_group_edit", webhook.pk),
        form(chat_server, team=tenant.team.pk, provider="feishu", url="", secret="", hour=10),
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.url.endswith("5d2c9a71-77ab"), webhook.secret, webhook.hour) == (
        True,
        "sig-9f8e7d6c",
        10,
    )
    client.post(
        url(tenant, "chat_group_edit", webhook.pk),
        form(chat_server, team=tenant.team.pk, provider="feishu", url="", secret="new-secret"),
    )
    webhook.refresh_from_db()
    assert webhook.secret == "new-secret"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"url": "https://hooks.slack.example.com/services/x/y/z"},
            "starts with https://hooks.slack.com/",
        ),
        ({"url": "hooks.slack.com/services/x"}, "Enter the full https:// address"),
        ({"url": ""}, "This field is required."),
        ({"provider": "wecom"}, "starts with https://qyapi.weixin.qq.com/"),
        ({"hour": 24}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_saved(
    tenant: Tenant, client_for, chat_server, settings, changes, message
) -> None:
    settings.CHAT_WEBHOOK_EXTRA_HOSTS = []  # as in production
    data = form(chat_server, url=f"https://hooks.slack.com/services/{TOKEN}") | changes
    response = client_for(tenant.manager.user).post(url(tenant, "chat_group_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChatWebhook.objects.exists()


def test_changing_the_service_checks_the_kept_address(
    tenant: Tenant, client_for, chat_server
) -> None:
    client = client_for(tenant.manager.user)
    client.post(url(tenant, "chat_group_create"), form(chat_server))
    webhook = ChatWebhook.objects.get()
    response = client.post(
        url(tenant, "chat_group_edit", webhook.pk), form(chat_server, url="", provider="dingtalk")
    )
    assert "no access_token" in response.content.decode()
    webhook.refresh_from_db()
    assert webhook.provider == "slack"


def test_a_team_lead_sets_up_only_their_own_teams_groups(
    tenant: Tenant, client_for, chat_server
) -> None:
    other = ChatWebhook.objects.create(
        organization_id=tenant.organization.pk,
        team_id=None,
        name="Everyone",
        provider="slack",
        url=chat_server.url(f"/services/{TOKEN}"),
    )
    client = client_for(tenant.lead.user)
    page = client.get(url(tenant, "chat_group_create")).content.decode()
    assert "The whole organisation" not in page
    assert client.post(url(tenant, "chat_group_create"), form(chat_server)).status_code == 200
    assert (
        client.post(
            url(tenant, "chat_group_create"), form(chat_server, team=tenant.team.pk)
        ).status_code
        == 302
    )
    assert "Everyone" not in client.get(url(tenant, "chat_group_list")).content.decode()
    assert client.get(url(tenant, "chat_group_edit", other.pk)).status_code == 404
    assert client.post(url(tenant, "chat_group_delete", other.pk)).status_code == 404
    assert ChatWebhook.objects.count() == 2


def test_members_and_viewers_cannot_see_the_groups(tenant: Tenant, client_for) -> None:
    for person in (tenant.member, tenant.viewer):
        assert client_for(person.user).get(url(tenant, "chat_group_list")).status_code == 403


def test_a_test_message_reports_what_happened(tenant: Tenant, client_for, chat_server) -> None:
    client = client_for(tenant.manager.user)
    client.post(url(tenant, "chat_group_create"), form(chat_server))
    webhook = ChatWebhook.objects.get()
    response = client.post(url(tenant, "chat_group_test", webhook.pk), follow=True)
    assert "Test message sent to “Product standup”." in response.content.decode()
    [received] = chat_server.received
    assert received.body["text"].startswith(
        "*[Opsboard] Acme · connected*\nProduct standup will get Acme"
    )

    chat_server.answers = [Answer(status=404, body="no_service")]
    response = client.post(url(tenant, "chat_group_test", webhook.pk), follow=True)
    page = response.content.decode()
    assert "did not go through: ChatRejected: HTTP 404: no_service" in page
    assert list(Notification.objects.values_list("status", flat=True).order_by("pk")) == [
        Status.SENT,
        Status.FAILED,
    ]


def test_removing_a_team_removes_its_groups(tenant: Tenant, chat_server) -> None:
    ChatWebhook.objects.create(
        organization_id=tenant.organization.pk,
        team_id=tenant.team.pk,
        name="Product",
        provider="slack",
        url=chat_server.url(f"/services/{TOKEN}"),
    )
    team_delete(actor=tenant.manager, team=tenant.team)
    assert not ChatWebhook.objects.exists()


def test_removing_an_organisation_removes_its_groups_and_their_posts(
    tenant: Tenant, other_tenant: Tenant, chat_server
) -> None:
    hook = {"provider": "slack", "url": chat_server.url(f"/services/{TOKEN}")}
    ours = ChatWebhook.objects.create(organization=tenant.organization, name="Ours", **hook)
    theirs = ChatWebhook.objects.create(
        organization=other_tenant.organization, name="Theirs", **hook
    )
    for webhook in (ours, theirs):
        Notification.objects.create(
            kind="chat_test", subject_key="s", period="p", webhook=webhook,
            organization=webhook.organization, title="t", body="b",
        )  # fmt: skip
    tenant.organization.delete()
    assert list(ChatWebhook.objects.all()) == [theirs]
    assert list(Notification.objects.values_list("webhook", flat=True)) == [theirs.pk]


def test_the_admin_masks_secrets_and_keeps_to_the_managers_organisations(
    tenant: Tenant, other_tenant: Tenant, client, chat_server
) -> None:
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    theirs = ChatWebhook.objects.create(
        organization_id=other_tenant.organization.pk,
        name="Their group",
        provider="slack",
        url=chat_server.url(f"/services/{TOKEN}"),
    )
    client.force_login(manager)
    add = reverse("admin:notify_chatwebhook_add")
    data = form(chat_server, organization=tenant.organization.pk, secret="admin-secret-42")
    # A team of another organisation is not on offer; nor is that organisation.
    response = client.post(add, data | {"team": other_tenant.team.pk})
    assert response.status_code == 200 and not ChatWebhook.objects.filter(name="Product standup")
    response = client.post(add, data | {"organization": other_tenant.organization.pk})
    assert response.status_code == 200 and not ChatWebhook.objects.filter(name="Product standup")
    response = client.post(add, data | {"url": "https://example.com/hook/abcdefgh"})
    assert "starts with https://hooks.slack.com/" in response.content.decode()
    assert client.post(add, data).status_code == 302
    ours = ChatWebhook.objects.get(name="Product standup")
    assert ours.organization_id == tenant.organization.pk and ours.secret == "admin-secret-42"

    listing = client.get(reverse("admin:notify_chatwebhook_changelist")).content.decode()
    assert "Product standup" in listing and "Their group" not in listing
    assert TOKEN not in listing and "/…k7Lm" in listing
    change = client.get(reverse("admin:notify_chatwebhook_change", args=[ours.pk])).content.decode()
    assert TOKEN not in change and "admin-secret-42" not in change
    assert (
        client.get(reverse("admin:notify_chatwebhook_change", args=[theirs.pk])).status_code == 302
    )
