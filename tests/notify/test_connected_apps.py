"""Connecting an organisation's Feishu, DingTalk or WeCom app on the chat groups' page and
in the admin: field errors, the secret never shown back in full, a test message to the
manager, and another organisation's app a 404."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from opsboard.notify.models import ConnectedApp, DirectIdentity
from tests.conftest import Tenant
from tests.direct_servers import AGENT_ID, APP_ID, CORP_ID, SECRET, DirectServer

pytestmark = pytest.mark.django_db


def url(tenant: Tenant, name: str, *args: object) -> str:
    return reverse(f"notify:{name}", args=[tenant.organization.slug, *args])


def form(**changes: object) -> dict[str, object]:
    return {
        "service": "feishu",
        "app_id": APP_ID,
        "app_secret": SECRET,
        "corp_id": "",
        "agent_id": "",
        "active": "on",
        **changes,
    }


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_manager_connects_an_app_and_never_sees_its_secret_again(
    tenant: Tenant, client_for, direct_server: DirectServer, django_capture_on_commit_callbacks
) -> None:
    manager = tenant.manager.user
    direct_server.people[manager.email] = "ou_manager"
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(tenant, "connected_app_create"), form())
    assert response.status_code == 302
    app = ConnectedApp.objects.get()
    assert (app.organization_id, app.app_secret) == (tenant.organization.pk, SECRET)
    # Its people are looked up as it is saved.
    assert DirectIdentity.objects.get(user=manager).external_id == "ou_manager"

    listing = client.get(url(tenant, "chat_group_list")).content.decode()
    assert "Connected apps" in listing and "…NDU2" in listing and SECRET not in listing
    edit = client.get(url(tenant, "connected_app_edit", app.pk)).content.decode()
    assert SECRET not in edit and "Now …NDU2. Leave blank to keep it." in edit
    # Blank keeps the secret.
    response = client.post(url(tenant, "connected_app_edit", app.pk), form(app_secret=""))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.app_secret == SECRET

    # The test button sends the manager a card.
    response = client.post(url(tenant, "connected_app_test", app.pk))
    assert said(response)[-1] == "A test message is on its way to you in Feishu / Lark."
    [message] = direct_server.messages
    card = json.loads(message.body["content"])
    assert (message.to, card["header"]["title"]["content"]) == (
        "ou_manager",
        "[Opsboard] Acme · connected",
    )


def test_a_wrong_secret_is_a_clear_error_on_the_test_button(
    tenant: Tenant, client_for, direct_server: DirectServer
) -> None:
    app = ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret="wrong"
    )
    client = client_for(tenant.manager.user)
    response = client.post(url(tenant, "connected_app_test", app.pk))
    assert said(response) == [
        "Feishu / Lark refused the app's credentials (10014: app secret invalid): check the "
        "app ID, secret and corp ID against the app's page in the developer console."
    ]
    assert direct_server.messages == []


def test_a_manager_the_app_does_not_know_is_told_so(
    tenant: Tenant, client_for, direct_server: DirectServer
) -> None:
    app = ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    response = client_for(tenant.manager.user).post(url(tenant, "connected_app_test", app.pk))
    assert said(response) == [
        "The app is connected, but Feishu / Lark knows nobody by your email address or mobile "
        "number: add the number Feishu / Lark has for you to your profile."
    ]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"app_id": ""}, "app_id", "Feishu / Lark needs this."),
        ({"app_secret": ""}, "app_secret", "Feishu / Lark needs this."),
        ({"service": "dingtalk"}, "agent_id", "DingTalk needs this."),
        ({"service": "wecom", "app_id": "", "agent_id": AGENT_ID}, "corp_id", "WeCom needs this."),
        ({"service": "wecom", "corp_id": CORP_ID, "agent_id": "x1"}, "agent_id", "An agent ID is a number."),
        ({"service": "slack"}, "service", "Select a valid choice. slack is not one of the available choices."),
    ],
)  # fmt: skip
def test_field_errors_and_nothing_saved(
    tenant: Tenant, client_for, changes: dict, field: str, error: str
) -> None:
    response = client_for(tenant.manager.user).post(
        url(tenant, "connected_app_create"), form(**changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not ConnectedApp.objects.exists()


def test_one_app_per_service(tenant: Tenant, client_for) -> None:
    ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    response = client_for(tenant.manager.user).post(url(tenant, "connected_app_create"), form())
    assert response.context["form"].errors["service"] == [
        "The organisation has connected a Feishu / Lark app already."
    ]


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_only_managers_connect_apps(tenant: Tenant, client_for, role: str) -> None:
    app = ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    client = client_for(tenant.membership(role).user)
    assert client.get(url(tenant, "connected_app_create")).status_code == 403
    assert client.post(url(tenant, "connected_app_delete", app.pk)).status_code == 403
    assert ConnectedApp.objects.exists()


def test_another_organisations_app_is_404(tenant: Tenant, other_tenant: Tenant, client_for) -> None:
    theirs = ConnectedApp.objects.create(
        organization=other_tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    client = client_for(tenant.manager.user)
    for name in ("connected_app_edit", "connected_app_test", "connected_app_delete"):
        method = client.get if name == "connected_app_edit" else client.post
        assert method(url(tenant, name, theirs.pk)).status_code == 404
    assert ConnectedApp.objects.filter(pk=theirs.pk).exists()


def test_the_admin_masks_the_secret_and_keeps_to_the_managers_organisations(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    theirs = ConnectedApp.objects.create(
        organization=other_tenant.organization, service="wecom", corp_id=CORP_ID,
        agent_id=AGENT_ID, app_secret="their-secret-abcdef",
    )  # fmt: skip
    client.force_login(manager)
    add = reverse("admin:notify_connectedapp_add")
    # The team people join with who sign in through it: only the manager's organisations'.
    teams = client.get(add).context["adminform"].form.fields["default_team"].queryset
    assert tenant.team in teams and other_tenant.team not in teams
    data = form(organization=tenant.organization.pk)
    response = client.post(add, data | {"organization": other_tenant.organization.pk})
    assert response.status_code == 200 and not ConnectedApp.objects.filter(service="feishu")
    assert client.post(add, data).status_code == 302
    ours = ConnectedApp.objects.get(service="feishu")
    assert (ours.organization_id, ours.app_secret) == (tenant.organization.pk, SECRET)

    listing = client.get(reverse("admin:notify_connectedapp_changelist")).content.decode()
    assert "…NDU2" in listing and SECRET not in listing and CORP_ID not in listing
    change = client.get(reverse("admin:notify_connectedapp_change", args=[ours.pk]))
    assert SECRET not in change.content.decode()
    assert "Now …NDU2. Leave blank to keep it." in change.content.decode()
    other = client.get(reverse("admin:notify_connectedapp_change", args=[theirs.pk]))
    assert other.status_code == 302
