"""The admin keeps the owner rule of the People page: only an owner makes or changes an owner,
and an organisation keeps an owner."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Role
from tests.admin_pages import change_page_data
from tests.conftest import Tenant


@pytest.fixture
def staff(tenant: Tenant) -> Tenant:
    for membership in (tenant.owner, tenant.manager):
        membership.user.is_staff = True
        membership.user.save()
    return tenant


def _membership_data(member: Membership, **changes: Any) -> dict[str, Any]:
    data = {
        "organization": member.organization_id,
        "user": member.user_id,
        "role": member.role,
        "teams": [team.pk for team in member.teams.all()],
    }
    return {**data, **changes}


def test_a_manager_cannot_make_an_owner_in_the_admin_but_an_owner_can(
    staff: Tenant, client
) -> None:
    url = reverse("admin:tenancy_membership_change", args=[staff.member.pk])
    client.force_login(staff.manager.user)
    response = client.post(url, _membership_data(staff.member, role=Role.OWNER))
    assert response.status_code == 200
    assert "Only an owner can make someone an owner." in response.text
    staff.member.refresh_from_db()
    assert staff.member.role == Role.MEMBER

    client.force_login(staff.owner.user)
    response = client.post(url, _membership_data(staff.member, role=Role.OWNER))
    assert response.status_code == 302
    staff.member.refresh_from_db()
    assert staff.member.role == Role.OWNER


def test_a_manager_sees_an_owner_in_the_admin_but_cannot_change_or_remove_them(
    staff: Tenant, client
) -> None:
    client.force_login(staff.manager.user)
    url = reverse("admin:tenancy_membership_change", args=[staff.owner.pk])
    assert client.get(url).status_code == 200  # read-only
    assert client.post(url, _membership_data(staff.owner, role=Role.VIEWER)).status_code == 403
    delete = reverse("admin:tenancy_membership_delete", args=[staff.owner.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    staff.owner.refresh_from_db()
    assert staff.owner.role == Role.OWNER
    # A member they may change, as on the People page.
    response = client.post(
        reverse("admin:tenancy_membership_change", args=[staff.member.pk]),
        _membership_data(staff.member, role=Role.LEAD),
    )
    assert response.status_code == 302


def test_the_last_owner_cannot_step_down_or_leave_in_the_admin(staff: Tenant, client) -> None:
    client.force_login(staff.owner.user)
    url = reverse("admin:tenancy_membership_change", args=[staff.owner.pk])
    response = client.post(url, _membership_data(staff.owner, role=Role.MANAGER))
    assert response.status_code == 200
    assert "An organisation needs at least one owner." in response.text
    delete = reverse("admin:tenancy_membership_delete", args=[staff.owner.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=staff.owner.pk, role=Role.OWNER).exists()


def test_the_organisation_page_inline_keeps_the_owner_rule(staff: Tenant, client) -> None:
    client.force_login(staff.manager.user)
    url = reverse("admin:tenancy_organization_change", args=[staff.organization.pk])
    data = change_page_data(client, url)
    rows = {
        value: key.rsplit("-", 1)[0]
        for key, value in data.items()
        if key.startswith("memberships-") and key.endswith("-id")
    }
    # Unchanged, the owner's row does not stop a manager saving the page.
    assert client.post(url, data).status_code == 302

    member_row, owner_row = rows[staff.member.pk], rows[staff.owner.pk]
    response = client.post(url, {**data, f"{member_row}-role": Role.OWNER})
    assert response.status_code == 200
    assert "Only an owner can make someone an owner." in response.text
    response = client.post(url, {**data, f"{owner_row}-DELETE": "on"})
    assert response.status_code == 200
    assert "Only an owner can change another owner." in response.text
    staff.member.refresh_from_db()
    assert staff.member.role == Role.MEMBER
    assert Membership.objects.filter(pk=staff.owner.pk, role=Role.OWNER).exists()


def test_two_owners_cannot_step_down_together_on_the_organisation_page(
    staff: Tenant, client
) -> None:
    Membership.objects.filter(pk=staff.manager.pk).update(role=Role.OWNER)
    client.force_login(staff.owner.user)
    url = reverse("admin:tenancy_organization_change", args=[staff.organization.pk])
    data = change_page_data(client, url)
    rows = {
        value: key.rsplit("-", 1)[0]
        for key, value in data.items()
        if key.startswith("memberships-") and key.endswith("-id")
    }
    first, second = rows[staff.owner.pk], rows[staff.manager.pk]
    response = client.post(url, {**data, f"{first}-role": Role.MANAGER, f"{second}-DELETE": "on"})
    assert response.status_code == 200
    assert "An organisation needs at least one owner." in response.text
    assert Membership.objects.filter(organization=staff.organization, role=Role.OWNER).count() == 2

    response = client.post(url, {**data, f"{second}-role": Role.MANAGER})
    assert response.status_code == 302
    assert list(Membership.objects.filter(organization=staff.organization, role=Role.OWNER)) == [
        staff.owner
    ]


def test_a_superuser_makes_owners_in_the_admin_but_the_organisation_keeps_one(
    staff: Tenant, client
) -> None:
    client.force_login(User.objects.create_superuser("root@example.test", "a-long-root-password"))
    url = reverse("admin:tenancy_membership_change", args=[staff.owner.pk])
    response = client.post(url, _membership_data(staff.owner, role=Role.VIEWER))
    assert "An organisation needs at least one owner." in response.text
    url = reverse("admin:tenancy_membership_change", args=[staff.member.pk])
    assert client.post(url, _membership_data(staff.member, role=Role.OWNER)).status_code == 302
    response = client.post(
        reverse("admin:tenancy_membership_change", args=[staff.owner.pk]),
        _membership_data(staff.owner, role=Role.VIEWER),
    )
    assert response.status_code == 302
