"""What changed on the cards I follow since I last looked, and my mentions: the reads
"My work" builds on; and the card page's queries, the same for few or many followers,
comments and mentions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from kanban.mentions import mention_text
from kanban.selectors import followed_changes_for, mentions_for
from kanban.services import card_follow_set, card_move, comment_add
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup
from tests.kanban.test_attachments import CARD_PAGE_QUERIES

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_changes_since_i_last_looked_at_each_card(
    tenant: Tenant, kanban: BoardSetup, other_tenant: Tenant, client
):
    member = tenant.member.user
    start = datetime(2026, 11, 18, 9, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        seen = kanban.add(tenant, "Looked at", assignee=member)
        unseen = kanban.add(tenant, "Not looked at", assignee=member)
        not_mine = kanban.add(tenant, "Not followed")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        comment_add(actor=tenant.lead, card=seen, body="Before I looked")
        comment_add(actor=tenant.lead, card=not_mine, body="Elsewhere")
        comment_add(actor=tenant.member, card=unseen, body="My own")
    client.force_login(member)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        client.get(reverse("kanban:card_detail", args=["acme", seen.pk]))
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        card_move(actor=tenant.lead, card=unseen, column=kanban.doing)
        comment_add(actor=tenant.lead, card=seen, body="After I looked")

    changes = followed_changes_for(user=member, organization=tenant.organization)
    assert [(c.card.title, c.kind, c.quote) for c in changes] == [
        ("Looked at", "commented", "After I looked"),
        ("Not looked at", "moved", ""),
    ]
    assert changes[0].url.endswith(
        f"/o/acme/boards/{seen.board_id}/?card={seen.pk}#comment-{seen.comments.last().pk}"
    )
    later = followed_changes_for(
        user=member, organization=tenant.organization, since=start + timedelta(hours=3, minutes=1)
    )
    assert later == []
    # Stopping to follow a card drops its changes; another organisation sees none.
    card_follow_set(actor=tenant.member, card=unseen, following=False)
    assert [
        c.card.title for c in followed_changes_for(user=member, organization=tenant.organization)
    ] == ["Looked at"]
    assert followed_changes_for(user=member, organization=other_tenant.organization) == []


def test_changes_read_in_two_queries_and_a_bit(
    tenant: Tenant, kanban: BoardSetup, django_assert_num_queries
):
    member = tenant.member.user
    for n in range(5):
        card = kanban.add(tenant, f"Card {n}", assignee=member)
        comment_add(actor=tenant.lead, card=card, body="x")
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    # The ids of the history rows, of the comments; the history rows, the comments.
    with django_assert_num_queries(4):
        assert len(followed_changes_for(user=member, organization=tenant.organization)) == 10


def test_my_mentions(tenant: Tenant, kanban: BoardSetup, other_tenant: Tenant):
    member = tenant.member.user
    card = kanban.add(tenant, "Churn analysis")
    comment_add(actor=tenant.lead, card=card, body=mention_text(member.pk, "M") + " look")
    found = list(mentions_for(user=member, organization=tenant.organization))
    assert [(m.card.title, m.author, m.comment.body) for m in found] == [
        ("Churn analysis", tenant.lead.user, mention_text(member.pk, "M") + " look")
    ]
    assert list(mentions_for(user=member, organization=other_tenant.organization)) == []


def test_the_card_page_reads_a_fixed_number_of_queries(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
):
    people = [tenant.owner, tenant.manager, tenant.member, tenant.viewer]

    def card_with(n: int):
        card = kanban.add(tenant, f"Card {n}", description=mention_text(people[0].user_id, "x"))
        for i in range(n):
            person = people[i % len(people)]
            card_follow_set(actor=person, card=card, following=True)
            comment_add(
                actor=tenant.lead,
                card=card,
                body=mention_text(person.user_id, "p") + f" comment {i}",
            )
        return card

    client.force_login(tenant.member.user)
    counts = []
    for n in (1, 8):
        card = card_with(n)
        url = reverse("kanban:card_detail", args=["acme", card.pk])
        client.get(url)
        with django_assert_num_queries(CARD_PAGE_QUERIES + 1) as captured:
            response = client.get(url)
        assert response.status_code == 200 and 'class="mention"' in response.text
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
