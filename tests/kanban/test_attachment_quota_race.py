"""Two uploads at once near the organisation's quota: one fits, the other is refused, and
storage keeps only the one. The uploads go to cards of two boards, so the boards' locks do
not queue them: the quota's own lock must."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from django.core.exceptions import ValidationError

from kanban.models import Attachment
from kanban.services import attachment_add
from tests.concurrency import in_lockstep
from tests.conftest import Tenant
from tests.kanban.conftest import board_setup
from tests.kanban.files import png, png_bytes
from tests.kanban.test_attachments import stored_files

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


def outcome(change: Callable[[], object]) -> Callable[[], str]:
    def step() -> str:
        try:
            change()
        except ValidationError as error:
            return "refused" if "does not fit" in " ".join(error.messages) else str(error)
        return "done"

    return step


def test_two_uploads_at_once_cannot_both_pass_the_quota(tenant: Tenant, settings) -> None:
    size = len(png_bytes())
    # Room for one more file each round, never two.
    settings.ATTACHMENT_QUOTA_BYTES = size * ROUNDS + size // 2
    first = board_setup(tenant, name="Churn").add(tenant, "Chart")
    second = board_setup(tenant, name="Supply").add(tenant, "Route map")
    results = in_lockstep(
        [
            outcome(partial(attachment_add, actor=tenant.member, card=first, files=[png()]))
            for _ in range(ROUNDS)
        ],
        [
            outcome(partial(attachment_add, actor=tenant.lead, card=second, files=[png()]))
            for _ in range(ROUNDS)
        ],
    )
    assert results.count("done") == ROUNDS
    assert results.count("refused") == ROUNDS
    assert Attachment.objects.count() == ROUNDS
    assert sum(Attachment.objects.values_list("size", flat=True)) <= (
        settings.ATTACHMENT_QUOTA_BYTES
    )
    assert len(stored_files()) == ROUNDS
