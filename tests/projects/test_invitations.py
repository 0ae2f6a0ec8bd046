from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from opsboard.accounts.models import User
from opsboard.tenancy.models import Invitation, Membership, Role
from tests.conftest import Tenant
from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory


def invite(
    client, tenant: Tenant, email: str = "newcomer@example.test", role: str = Role.LEAD, teams=None
):
    client.force_login(tenant.manager.user)
    return client.post(
        reverse("projects:invitation_create", args=[tenant.organization.slug]),
        {"email": email, "role": role, "teams": [team.pk for team in (teams or [tenant.team])]},
    )


def link_from(message) -> str:
    return re.search(r"https?://\S+/invitations/(\S+?)/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_manager_invites_and_an_email_with_a_link_is_sent(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, tenant)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="newcomer@example.test")
    assert invitation.role == Role.LEAD
    assert list(invitation.teams.all()) == [tenant.team]
    assert invitation.invited_by == tenant.manager.user

    [message] = mail.outbox
    assert message.to == ["newcomer@example.test"]
    assert tenant.organization.name in message.subject
    html = message.alternatives[0][0]
    link = link_from(message)
    assert link in html
    assert tenant.manager.user.display_name in message.body
    assert tenant.manager.user.display_name in html
    assert "Team lead" in message.body
    # Only a hash of the token is kept.
    assert link.rstrip("/").rsplit("/", 1)[1] not in invitation.token_hash


def test_invitation_email_is_in_the_organisation_language(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.language = "zh-hans"
    tenant.organization.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, tenant)
    [message] = mail.outbox
    assert "邀请" in message.subject
    assert "邀请" in message.body
    assert "邀请" in message.alternatives[0][0]


def test_new_person_accepts_creates_an_account_and_lands_in_the_organisation(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, tenant)
    client.logout()
    url = path_of(link_from(mail.outbox[0]))
    page = client.get(url)
    assert page.status_code == 200
    assert tenant.organization.name in page.text

    response = client.post(
        url, {"full_name": "New Comer", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 400
    assert "This password is too short" in response.text
    assert not User.objects.filter(email="newcomer@example.test").exists()

    response = client.post(
        url,
        {
            "full_name": "New Comer",
            "password1": "plenty-long-secret-9",
            "password2": "plenty-long-secret-9",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:my_work", args=[tenant.organization.slug])
    user = User.objects.get(email="newcomer@example.test")
    membership = Membership.objects.get(user=user)
    assert membership.organization == tenant.organization
    assert membership.role == Role.LEAD
    assert list(membership.teams.all()) == [tenant.team]
    # Signed in, and sees only this organisation.
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200
    assert "New Comer" in dashboard.text


def test_existing_account_signs_in_then_accepts(
    tenant: Tenant, other_tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    outsider = other_tenant.member.user
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, tenant, email=outsider.email.upper(), role=Role.MEMBER)
    client.logout()
    url = path_of(link_from(mail.outbox[0]))
    page = client.get(url)
    assert "Sign in to accept" in page.text
    client.force_login(outsider)
    response = client.post(url)
    assert response.status_code == 302
    assert set(
        Membership.objects.filter(user=outsider).values_list("organization__slug", flat=True)
    ) == {"acme", "rival"}


def test_signed_in_as_someone_else_is_told_to_sign_out(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, tenant)
    url = path_of(link_from(mail.outbox[0]))
    client.force_login(tenant.viewer.user)
    response = client.post(url)
    assert response.status_code == 403
    assert "but you are signed in as" in response.text
    assert not Invitation.objects.get(email="newcomer@example.test").accepted_at


def test_expired_token_is_refused_with_a_clear_page(tenant: Tenant, client) -> None:
    InvitationFactory(
        organization=tenant.organization,
        token="old-token",
        expires_at=timezone.now() + timedelta(days=7),
    )
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client.get("/invitations/old-token/")
        assert response.status_code == 410
        assert "This invitation has expired." in response.text
        assert "Ask an ops manager of Acme" in response.text
        response = client.post(
            "/invitations/old-token/",
            {
                "full_name": "Late",
                "password1": "plenty-long-secret-9",
                "password2": "plenty-long-secret-9",
            },
        )
        assert response.status_code == 410
    assert not User.objects.filter(full_name="Late").exists()


def test_reused_token_is_refused_with_a_clear_page(tenant: Tenant, client) -> None:
    user = UserFactory(email="twice@example.test")
    InvitationFactory(organization=tenant.organization, email=user.email, token="once")
    client.force_login(user)
    assert client.post("/invitations/once/").status_code == 302
    response = client.post("/invitations/once/")
    assert response.status_code == 410
    assert "This invitation was already used." in response.text
    client.logout()
    response = client.get("/invitations/once/")
    assert response.status_code == 410
    assert "already used" in response.text


def test_unknown_token_is_404(client, db) -> None:
    assert client.get("/invitations/no-such-token/").status_code == 404


def test_revoked_and_resent_links_stop_working(
    tenant: Tenant, client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, tenant)
    first = path_of(link_from(mail.outbox[0]))
    invitation = Invitation.objects.get(email="newcomer@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("projects:invitation_resend", args=[tenant.organization.slug, invitation.pk])
        )
    second = path_of(link_from(mail.outbox[1]))
    assert first != second
    assert client.get(first).status_code == 404
    client.post(
        reverse("projects:invitation_revoke", args=[tenant.organization.slug, invitation.pk])
    )
    client.logout()
    response = client.get(second)
    assert response.status_code == 410
    assert "withdrawn" in response.text


def test_inviting_again_replaces_the_open_invitation(tenant: Tenant, client) -> None:
    invite(client, tenant)
    invite(client, tenant)
    invitations = Invitation.objects.filter(email="newcomer@example.test")
    assert invitations.count() == 2
    assert invitations.filter(revoked_at__isnull=True).count() == 1


def test_bad_invitations_show_field_errors_and_save_nothing(tenant: Tenant, client) -> None:
    foreign_team = TeamFactory()
    response = invite(client, tenant, email=tenant.member.user.email)
    assert response.status_code == 200
    assert "This person is already a member." in response.text
    response = invite(client, tenant, email="not-an-email")
    assert "Enter a valid email address." in response.text
    response = invite(client, tenant, teams=[foreign_team])
    assert "Select a valid choice" in response.text
    response = invite(client, tenant, role=Role.OWNER)
    assert "Select a valid choice" in response.text
    assert not Invitation.objects.exists()


def test_people_page_lists_open_invitations_for_managers(tenant: Tenant, client) -> None:
    invite(client, tenant)
    response = client.get(reverse("projects:people_list", args=[tenant.organization.slug]))
    assert "newcomer@example.test" in response.text
    assert "Send again" in response.text


def test_someone_in_two_organisations_switches_between_them(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    person = tenant.member.user
    MembershipFactory(organization=other_tenant.organization, user=person, role=Role.VIEWER)
    client.force_login(person)
    page = client.get(reverse("projects:dashboard", args=["rival"]))
    assert page.status_code == 200
    switcher = page.text.split('class="dropdown org-switcher"', 1)[1].split("</details>", 1)[0]
    assert "Acme" in switcher
    assert "Rival" in switcher
    # Home opens the organisation used last.
    assert client.get("/")["Location"] == reverse("projects:my_work", args=["rival"])
    client.get(reverse("projects:dashboard", args=["acme"]))
    assert client.get("/")["Location"] == reverse("projects:my_work", args=["acme"])
