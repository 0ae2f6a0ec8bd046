"""My work: the landing page. Each part asks its app's own rule, so it agrees with the
board, the goals and the KPI page; every item links to where it is handled."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kanban.links import card_panel_path
from kanban.models import Card
from kanban.services import CardInput, card_create, comment_add
from metrics.computations import period_start
from metrics.models import Kpi, Measurement, Source
from metrics.selectors import tiles
from metrics.services import Rag
from opsboard.notify.models import Preference
from projects.models import CheckIn, GoalState
from projects.my_work import my_work
from raci.models import RaciPolicy, RaciRole
from raci.services import raci_set
from tests.conftest import Tenant
from tests.factories import GoalFactory, TeamFactory
from tests.kanban.conftest import BoardSetup, board_setup

URL = "projects:my_work"


@pytest.fixture
def kanban(tenant: Tenant) -> BoardSetup:
    return board_setup(tenant, name="Churn")


def parts_of(membership) -> dict[str, dict[str, list[str]]]:
    """Part key -> group key -> the items' titles."""
    return {
        part.key: {group.key: [item.title for item in group.items] for group in part.groups}
        for part in my_work(membership=membership)
    }


def _blocked_since(card: Card, days: int) -> None:
    """Blocked at noon, ``days`` days ago in the organisation's calendar (the reminders
    count days blocked by the calendar, not by hours)."""
    organization = card.board.organization
    day = organization.today() - timedelta(days=days)
    noon = datetime.combine(day, time(12), tzinfo=organization.zone)
    Card.objects.filter(pk=card.pk).update(blocked=True, blocked_at=noon)


def test_my_cards_by_urgency(tenant: Tenant, kanban: BoardSetup) -> None:
    me = tenant.member.user
    today = tenant.organization.today()
    kanban.add(tenant, "Late", assignee=me, due_date=today - timedelta(days=2))
    kanban.add(tenant, "Soon", assignee=me, due_date=today + timedelta(days=3))
    kanban.add(tenant, "Later", assignee=me, due_date=today + timedelta(days=4))
    stuck = kanban.add(tenant, "Stuck", assignee=me, blocked=True, blocked_reason="API key")
    kanban.add(tenant, "Doing", kanban.doing, assignee=me)
    kanban.add(tenant, "Done", kanban.done, assignee=me, due_date=today - timedelta(days=9))
    kanban.add(tenant, "Theirs", assignee=tenant.lead.user, due_date=today - timedelta(days=2))

    cards = parts_of(tenant.member)["cards"]

    # The organisation's lead days (3): due in 4 days is next up, not due soon.
    assert cards == {
        "overdue": ["Late"],
        "due_soon": ["Soon"],
        "blocked": ["Stuck"],
        "doing": ["Doing"],
        "next": ["Later"],
    }
    # The board's own rules agree.
    overdue = Card.objects.filter(assignee=me).overdue(today)
    assert list(overdue.values_list("title", flat=True)) == ["Late"]
    part = my_work(membership=tenant.member)[0]
    stuck_item = part.groups[2].items[0]
    assert stuck_item.url == card_panel_path(
        org_slug="acme", board_id=kanban.board.pk, card_id=stuck.pk
    )
    assert "API key" in stuck_item.why


def test_due_soon_reaches_the_persons_own_lead_days(tenant: Tenant, kanban: BoardSetup) -> None:
    me = tenant.member.user
    today = tenant.organization.today()
    kanban.add(tenant, "Next week", assignee=me, due_date=today + timedelta(days=6))
    assert parts_of(tenant.member)["cards"]["next"] == ["Next week"]
    Preference.objects.create(user=me, lead_days="0,1,7")
    assert parts_of(tenant.member)["cards"]["due_soon"] == ["Next week"]


def test_cards_i_am_accountable_for_that_need_me(tenant: Tenant, kanban: BoardSetup) -> None:
    lead = tenant.lead
    today = tenant.organization.today()
    RaciPolicy.objects.create(organization=tenant.organization, blocked_alert_days=3)
    nobody = kanban.add(tenant, "Nobody responsible")
    late = kanban.add(tenant, "Late", assignee=tenant.member.user, due_date=today - timedelta(1))
    long_blocked = kanban.add(tenant, "Blocked long", assignee=tenant.member.user)
    short_blocked = kanban.add(tenant, "Blocked short", assignee=tenant.member.user)
    fine = kanban.add(tenant, "Fine", assignee=tenant.member.user)
    by_team = kanban.add(
        tenant, "Team's, late", assignee=tenant.member.user, due_date=today - timedelta(3)
    )
    other = TeamFactory(organization=tenant.organization, name="Finance")
    not_mine = kanban.add(tenant, "Finance's, late", due_date=today - timedelta(3))
    for card in (nobody, late, long_blocked, short_blocked, fine):
        raci_set(actor=tenant.owner, card=card, role=RaciRole.ACCOUNTABLE, user=lead.user)
    raci_set(actor=tenant.owner, card=by_team, role=RaciRole.ACCOUNTABLE, team=tenant.team)
    raci_set(actor=tenant.owner, card=not_mine, role=RaciRole.ACCOUNTABLE, team=other)
    _blocked_since(long_blocked, 3)
    _blocked_since(short_blocked, 2)

    part = next(p for p in my_work(membership=lead) if p.key == "accountable")
    why = {item.title: item.why for item in part.groups[0].items}

    assert set(why) == {"Nobody responsible", "Late", "Blocked long", "Team's, late"}
    assert why["Nobody responsible"] == "Nobody Responsible"
    assert why["Late"] == "1 day overdue"
    assert why["Blocked long"] == "blocked"
    assert "3 days" in part.note


def test_goals_due_a_check_in(tenant: Tenant) -> None:
    today = tenant.organization.today()
    me = tenant.lead.user
    org = tenant.organization
    start = today - timedelta(days=30)
    stale = GoalFactory(organization=org, owner=me, title="Stale", start_date=start)
    CheckIn.objects.create(goal=stale, value=19, checked_on=today - timedelta(days=7))
    fresh = GoalFactory(organization=org, owner=me, title="Fresh", start_date=start)
    CheckIn.objects.create(goal=fresh, value=19, checked_on=today - timedelta(days=6))
    GoalFactory(organization=org, owner=me, title="Never", start_date=start)
    GoalFactory(organization=org, owner=me, title="Just started", start_date=today - timedelta(2))
    GoalFactory(organization=org, owner=me, title="Draft", start_date=start, state=GoalState.DRAFT)
    GoalFactory(organization=org, owner=tenant.member.user, title="Theirs", start_date=start)

    part = next(p for p in my_work(membership=tenant.lead) if p.key == "goals")
    items = part.groups[0].items
    assert [item.title for item in items] == ["Never", "Stale"]
    assert items[0].why == "No check-in yet"
    assert items[1].why == "Last check-in 7 days ago"
    assert items[1].url == reverse("projects:goal_detail", args=["acme", stale.pk]) + "#check-in"


def test_red_kpis_agree_with_the_kpi_page(tenant: Tenant, client) -> None:
    org = tenant.organization
    values = {"organization": org, "source": Source.MANUAL, "target": 90,
              "amber_threshold": 80, "red_threshold": 70}  # fmt: skip
    red = Kpi.objects.create(name="Product on time", team=tenant.team, **values)
    green = Kpi.objects.create(name="Everyone's", **values)
    finance = TeamFactory(organization=org, name="Finance")
    elsewhere = Kpi.objects.create(name="Finance's", team=finance, **values)
    start = period_start(red.frequency, org.today())
    for kpi, value in ((red, 60), (green, 95), (elsewhere, 50)):
        Measurement.objects.create(kpi=kpi, period_start=start, value=Decimal(value))

    part = next(p for p in my_work(membership=tenant.member) if p.key == "kpis")
    assert [item.title for item in part.groups[0].items] == ["Product on time"]
    # The KPI page's tiles say the same.
    page = client_for_page(client, tenant)
    page_red = {tile.kpi.name for tile in page.context["tiles"] if tile.rag == Rag.RED}
    assert "Product on time" in page_red
    assert {t.kpi.name for t in tiles([red, green], today=org.today()) if t.rag == Rag.RED} == {
        "Product on time"
    }


def client_for_page(client, tenant: Tenant):
    client.force_login(tenant.member.user)
    return client.get(reverse("metrics:dashboard", args=["acme"]))


def test_changes_on_followed_cards_and_mentions(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, "Shared", assignee=tenant.member.user)
    comment_add(actor=tenant.lead, card=card, body="Looked at it")
    me = tenant.member.user
    comment_add(
        actor=tenant.lead, card=card, body=f"@[{me.display_name}](user:{me.pk}) can you check?"
    )
    parts = {part.key: part for part in my_work(membership=tenant.member)}
    changes = parts["following"].groups[0].items
    assert [item.why for item in changes][-1].endswith("commented on “Shared”")
    assert all(item.url.startswith(card_panel_path(
        org_slug="acme", board_id=kanban.board.pk, card_id=card.pk)) for item in changes)  # fmt: skip
    mentions = parts["mentions"].groups[0].items
    assert len(mentions) == 1
    assert mentions[0].by == tenant.lead.user.display_name
    assert "can you check?" in mentions[0].why
    assert "#comment-" in mentions[0].url

    page = client_for(client, tenant.member)
    assert "can you check?" in page
    # Opening the card is looking at it: its changes leave My work.
    client.get(reverse("kanban:card_detail", args=["acme", card.pk]))
    assert (
        not next(p for p in my_work(membership=tenant.member) if p.key == "following")
        .groups[0]
        .items
    )


def client_for(client, membership) -> str:
    client.force_login(membership.user)
    response = client.get(reverse(URL, args=["acme"]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "hint"),
    [
        ("en", "Nothing needs you right now", "Open a board and pick up a card from To do"),
        ("zh-hans", "眼下没有需要你处理的事", "打开看板，从「待办」里领一张卡片"),
    ],
)
def test_a_new_member_gets_an_empty_state_that_helps(
    tenant: Tenant, client, language: str, heading: str, hint: str
) -> None:
    client.cookies["django_language"] = language
    client.force_login(tenant.viewer.user)
    page = client.get(reverse(URL, args=["acme"]), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    assert heading in text and hint in text
    assert reverse("kanban:board_list", args=["acme"]) in text
    assert reverse("projects:dashboard", args=["acme"]) in text


def test_the_landing_page_and_the_overview(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    assert client.get("/")["Location"] == reverse(URL, args=["acme"])
    assert reverse(URL, args=["acme"]) == "/o/acme/"
    overview = client.get(reverse("projects:dashboard", args=["acme"]))
    assert overview.status_code == 200
    assert reverse("projects:dashboard", args=["acme"]) == "/o/acme/overview/"
    assert client.get(reverse(URL, args=["rival-none"])).status_code == 404


def _seed(tenant: Tenant, kanban: BoardSetup, n: int) -> None:
    """``n`` of each kind of thing My work shows for the lead."""
    lead = tenant.lead
    today = tenant.organization.today()
    for i in range(n):
        card = card_create(
            actor=tenant.lead,
            board=kanban.board,
            data=CardInput(
                title=f"Card {i}", assignee=lead.user, due_date=today - timedelta(days=i % 3)
            ),
        )
        # The lead is Accountable for a colleague's overdue card (the assignee is Responsible).
        theirs = card_create(
            actor=tenant.lead,
            board=kanban.board,
            data=CardInput(
                title=f"Theirs {i}", assignee=tenant.member.user, due_date=today - timedelta(1)
            ),
        )
        raci_set(actor=tenant.owner, card=theirs, role=RaciRole.ACCOUNTABLE, user=lead.user)
        comment_add(actor=tenant.member, card=card, body=f"@[Lead](user:{lead.user.pk}) see {i}")
        GoalFactory(
            organization=tenant.organization, owner=lead.user, start_date=today - timedelta(30)
        )


@pytest.mark.parametrize("n", [1, 50])
def test_my_work_reads_in_the_same_queries_for_1_and_50(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, n: int
) -> None:
    _seed(tenant, kanban, n)
    values = {"organization": tenant.organization, "source": Source.MANUAL, "target": 90,
              "amber_threshold": 80, "red_threshold": 70}  # fmt: skip
    kpi = Kpi.objects.create(name="Red", team=tenant.team, **values)
    Measurement.objects.create(
        kpi=kpi, period_start=period_start(kpi.frequency, tenant.organization.today()), value=50
    )
    client.force_login(tenant.lead.user)
    url = reverse(URL, args=["acme"])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Card 0" in text and "Theirs 0" in text and "Red" in text
    if n == 50:  # 33 overdue: the first 20, and how many more
        assert "And 13 more." in text


# The projects at risk add three: the person's projects, their history, their remaining
# cards; intake's part one: the person's requests.
QUERIES = 18


def test_the_api_answers_the_same_parts(tenant: Tenant, kanban: BoardSetup, client) -> None:
    today = tenant.organization.today()
    card = kanban.add(tenant, "Late", assignee=tenant.member.user, due_date=today - timedelta(2))
    client.force_login(tenant.member.user)
    answer = client.get("/api/v1/organizations/acme/my-work/").json()
    page = my_work(membership=tenant.member)
    assert [part["key"] for part in answer["parts"]] == [part.key for part in page]
    cards = answer["parts"][0]
    assert cards["groups"][0] == {
        "key": "overdue",
        "title": "Overdue",
        "total": 1,
        "items": [
            {
                "kind": "card",
                "id": card.pk,
                "title": "Late",
                "url": card_panel_path(org_slug="acme", board_id=kanban.board.pk, card_id=card.pk),
                "why": "2 days overdue",
                "where": "Churn",
                "tone": "danger",
                "day": (today - timedelta(2)).isoformat(),
                "at": None,
                "by": "",
            }
        ],
    }
    assert client.get("/api/v1/organizations/rival/my-work/").status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_the_api_reads_in_the_same_queries_for_1_and_50(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, n: int
) -> None:
    _seed(tenant, kanban, n)
    client.force_login(tenant.lead.user)
    url = "/api/v1/organizations/acme/my-work/"
    client.get(url)
    with django_assert_num_queries(API_QUERIES):
        answer = client.get(url)
    assert answer.status_code == 200
    groups = answer.json()["parts"][0]["groups"]
    assert groups[0]["total"] == sum(1 for i in range(n) if i % 3)
    accountable = answer.json()["parts"][1]["groups"][0]
    assert accountable["total"] == n


API_QUERIES = 16
