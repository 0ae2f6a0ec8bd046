"""The API of following and mentions: follow or stop, the cards I follow, my mentions."""

from __future__ import annotations

from kanban.mentions import mention_text
from kanban.services import card_follow_set, comment_add
from opsboard.accounts.services import api_key_create
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

API = "/api/v1/organizations/acme/"


def test_follow_stop_and_list(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
):
    cards = [kanban.add(tenant, f"Card {n}") for n in range(3)]
    headers = {"Authorization": f"Token {api_key_create(user=tenant.viewer.user)}"}
    for card in cards:
        answer = client.post(f"{API}cards/{card.pk}/follow/", headers=headers)
        assert answer.status_code == 200, answer.content
        assert answer.json()["following"] is True and answer.json()["reason"] == "chose"
    answer = client.delete(f"{API}cards/{cards[0].pk}/follow/", headers=headers)
    assert answer.json()["following"] is False

    listed = client.get(f"{API}follows/", headers=headers).json()
    assert listed["count"] == 2
    assert {row["title"] for row in listed["results"]} == {"Card 1", "Card 2"}
    assert listed["results"][0]["last_seen_at"] is None
    # The key, the person's membership, the page with its count.
    with django_assert_num_queries(4):
        client.get(f"{API}follows/", headers=headers)


def test_my_mentions(tenant: Tenant, kanban: BoardSetup, client):
    card = kanban.add(tenant, "Churn analysis")
    member = tenant.member.user
    comment = comment_add(actor=tenant.lead, card=card, body=mention_text(member.pk, "M"))
    client.force_login(member)
    listed = client.get(f"{API}mentions/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["card"] == card.pk and row["comment"] == comment.pk
    assert row["author"] == tenant.lead.user.email
    assert row["url"] == f"/o/acme/cards/{card.pk}/#comment-{comment.pk}"


def test_another_organisations_card_is_not_found(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
):
    card = kanban.add(tenant, "Churn analysis")
    client.force_login(other_tenant.owner.user)
    assert client.post(f"/api/v1/organizations/rival/cards/{card.pk}/follow/").status_code == 404
    assert client.post(f"{API}cards/{card.pk}/follow/").status_code == 404
    card_follow_set(actor=tenant.owner, card=card, following=True)
    assert client.get("/api/v1/organizations/rival/follows/").json()["count"] == 0
