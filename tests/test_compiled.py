"""A read compiled once answers as the ORM does, for whatever values each run brings."""

from __future__ import annotations

import pytest

from opsboard.compiled import Compiled
from opsboard.notify.models import Notification
from opsboard.tenancy.models import Membership
from tests.conftest import Tenant


def memberships(user_id: int, role: str):
    return (
        Membership.objects.filter(user_id=user_id)
        .exclude(role=role)
        .order_by("pk")
        .values_list("pk", "organization__slug", "user__email", "created_at")
    )


def test_each_run_reads_its_own_values(tenant: Tenant, other_tenant: Tenant) -> None:
    compiled = Compiled(memberships, user_id=-(2**62), role="stand-in role")
    for membership, role in (
        (tenant.lead, "viewer"),
        (other_tenant.member, "member"),
        (tenant.lead, "lead"),
    ):
        expected = list(memberships(membership.user_id, role))
        assert compiled.rows(user_id=membership.user_id, role=role) == expected
    assert compiled.rows(user_id=0, role="") == []


def test_rows_go_through_the_fields_converters(tenant: Tenant) -> None:
    Notification.objects.create(
        kind="test", subject_key="x", period="p", recipient=tenant.lead.user, title="t",
        body="b", headers={"List-Unsubscribe": "<https://example.test/u>"},
    )  # fmt: skip
    compiled = Compiled(
        lambda user_id: Notification.objects.filter(recipient_id=user_id).values_list("headers"),
        user_id=-(2**62),
    )
    assert compiled.rows(user_id=tenant.lead.user_id) == [
        ({"List-Unsubscribe": "<https://example.test/u>"},)
    ]


def test_a_stand_in_the_query_dropped_is_an_error(db: None) -> None:
    compiled = Compiled(lambda user_id: Membership.objects.values_list("pk"), user_id=-(2**62))
    with pytest.raises(ValueError, match="user_id"):
        compiled.rows(user_id=1)
