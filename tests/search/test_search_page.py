"""The organisation's search page: Chinese inside comments, English by stems and prefixes,
ranked and grouped by kind, only the organisation's, wrong input refused clearly."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kanban.services import card_archive
from metrics.models import Kpi, Source
from tests.conftest import Tenant
from tests.factories import GoalFactory

from .conftest import Place

pytestmark = pytest.mark.django_db


def url(slug: str = "acme", **query: str) -> str:
    return reverse("search:search", kwargs={"org_slug": slug}), query


def found(client, slug: str = "acme", **query: str) -> list[str]:
    """The results' titles (their text), in the order shown."""
    address, query = url(slug, **query)
    response = client.get(address, query)
    assert response.status_code == 200
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(r'class="search-hit-title">(.*?)</a>', html)
    ]


def test_two_chinese_characters_inside_a_comment_find_the_card(
    place: Place, indexed, client_for
) -> None:
    place.card("Weekly review", comments=("上周的用户流失率上升了两个点，需要复盘",))
    place.card("Something else", comments=("流程没有问题",))
    indexed()
    client = client_for(place.tenant.member.user)
    assert found(client, q="流失") == ["Weekly review"]
    response = client.get(*url(q="流失"))
    assert "In a comment" in response.content.decode()
    assert "用户<mark>流失</mark>率" in response.content.decode()
    assert found(client, q="复盘") == ["Weekly review"]
    assert found(client, q="失率上") == ["Weekly review"]
    assert found(client, q="流复") == []  # both characters occur, but not side by side


def test_english_words_are_found_by_stem_and_prefix(place: Place, indexed, client_for) -> None:
    place.card("Migrate the warehouse", description="Migrations run nightly")
    place.card("Supplier audit", comments=("Studies show the vendor is late",))
    indexed()
    client = client_for(place.tenant.member.user)
    assert found(client, q="migration") == ["Migrate the warehouse"]
    assert found(client, q="MIGR") == ["Migrate the warehouse"]
    assert found(client, q="study vendor") == ["Supplier audit"]
    assert found(client, q="study warehouse") == []


def test_results_are_ranked_and_grouped_by_kind(place: Place, indexed, client_for) -> None:
    tenant = place.tenant
    place.card("Budget notes", description="mentions churn once")
    place.card("Churn dashboard", description="churn by week")
    GoalFactory(organization=tenant.organization, title="Cut churn by 15%", project=place.project)
    Kpi.objects.create(
        organization=tenant.organization, name="Churn rate", source=Source.MANUAL,
        target=5, amber_threshold=6, red_threshold=8,
    )  # fmt: skip
    indexed()
    client = client_for(tenant.viewer.user)
    response = client.get(*url(q="churn"))
    html = response.content.decode()
    headings = re.findall(r'<h2 id="search-group-(\w+)">', html)
    assert set(headings) == {"card", "goal", "project", "kpi"}
    # The title outranks the description within a kind.
    cards = re.sub(r"</?mark>", "", html[html.index('id="search-group-card"') :])
    cards = cards[: cards.index("</section>")]
    assert cards.index("Churn dashboard") < cards.index("Budget notes")
    assert found(client, q="churn", kind="card") == ["Churn dashboard", "Budget notes"]
    assert found(client, q="churn", kind="goal") == ["Cut churn by 15%"]
    assert found(client, q="churn", kind="kpi") == ["Churn rate"]


def test_a_kind_with_more_than_five_results_links_to_all_of_them(
    place: Place, indexed, client_for
) -> None:
    for n in range(7):
        place.card(f"Invoice {n}")
    indexed()
    client = client_for(place.tenant.member.user)
    html = client.get(*url(q="invoice")).content.decode()
    assert len(found(client, q="invoice")) == 5
    assert "Cards: show all 7" in html
    assert "kind=card" in html
    assert len(found(client, q="invoice", kind="card")) == 7


def test_cards_open_or_done_and_archived_ones_marked(place: Place, indexed, client_for) -> None:
    from kanban.models import Card

    done_column = place.board.columns.get(kind="done")
    done = place.card("Report shipped")
    Card.objects.filter(pk=done.pk).update(column=done_column, done_at="2026-11-01T00:00Z")
    place.card("Report draft")
    archived = place.card("Report old")
    card_archive(actor=place.tenant.lead, card=archived)
    indexed()
    client = client_for(place.tenant.member.user)
    assert sorted(found(client, q="report", kind="card")) == [
        "Report draft",
        "Report old",
        "Report shipped",
    ]
    assert found(client, q="report", kind="card", state="open") == ["Report draft"]
    assert found(client, q="report", kind="card", state="done") == ["Report shipped"]
    html = client.get(*url(q="report old")).content.decode()
    assert '<span class="badge">Archived</span>' in html


def test_another_organisation_never_sees_a_card_even_by_its_exact_title(
    place: Place, rival_place: Place, indexed, client_for
) -> None:
    place.card("Acme secret merger 并购计划")
    rival_place.card("Rival roadmap")
    indexed()
    rival = client_for(rival_place.tenant.owner.user)
    assert found(rival, "rival", q="Acme secret merger 并购计划") == []
    assert found(rival, "rival", q="并购") == []
    assert found(rival, "rival", q="roadmap") == ["Rival roadmap"]
    assert rival.get(*url("acme", q="merger")).status_code == 404


@pytest.mark.parametrize("text", ["%", "_", "%%", "'", '"', "\\", "'--'", "\\%_", "%_%_%"])
def test_wildcards_and_quotes_find_nothing_they_should_not(
    place: Place, indexed, client_for, text: str
) -> None:
    place.card("Plain card", description="nothing special 100")
    indexed()
    client = client_for(place.tenant.member.user)
    response = client.get(*url(q=text))
    assert response.status_code == 200
    assert found(client, q=text) == []


def test_percent_and_underscore_are_not_wildcards(place: Place, indexed, client_for) -> None:
    place.card("Discount 50 off")
    place.card("snake_case names")
    indexed()
    client = client_for(place.tenant.member.user)
    assert found(client, q="50%") == ["Discount 50 off"]
    assert found(client, q="snake_case") == ["snake_case names"]
    assert found(client, q="sn_ke") == []


def test_a_very_long_query_is_refused_with_a_message(place: Place, client_for) -> None:
    client = client_for(place.tenant.member.user)
    response = client.get(*url(q="流失" * 5000))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search for at most 200 characters (this is 10000)." in html
    assert "search-hit" not in html


def test_a_wrong_kind_or_state_is_said(place: Place, client_for) -> None:
    client = client_for(place.tenant.member.user)
    html = client.get(*url(q="x", kind="cats")).content.decode()
    assert "Select a valid choice. cats is not one of the available choices." in html
    html = client.get(*url(q="x", kind="goal", state="open")).content.decode()
    assert "Choose cards first: only they are open or done." in html


def test_the_page_before_searching_explains_itself(place: Place, client_for) -> None:
    html = client_for(place.tenant.member.user).get(*url()).content.decode()
    assert "Press / on any page to search." in html


def test_htmx_gets_the_results_alone(place: Place, indexed, client_for) -> None:
    place.card("Carrier contract")
    indexed()
    client = client_for(place.tenant.member.user)
    address, query = url(q="carrier")
    response = client.get(address, query, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<mark>Carrier</mark> contract" in html and "<h1>" not in html


def test_every_organisation_page_has_the_search_box(place: Place, client_for) -> None:
    client = client_for(place.tenant.member.user)
    html = client.get(reverse("projects:project_list", kwargs={"org_slug": "acme"})).content
    assert b'action="/o/acme/search/"' in html
    assert b'aria-keyshortcuts="/"' in html


def _seed_results(place: Place, count: int) -> None:
    tenant = place.tenant
    for n in range(count):
        place.card(f"Quota card {n}", comments=(f"配额 comment {n}",))
        GoalFactory(
            organization=tenant.organization, project=place.project, title=f"Quota goal {n}"
        )


@pytest.mark.parametrize("count", [1, 30])
def test_queries_do_not_grow_with_the_results(
    place: Place, indexed, client_for, django_assert_num_queries, count: int
) -> None:
    _seed_results(place, count)
    indexed()
    client = client_for(place.tenant.member.user)
    client.get(*url(q="quota"))
    # Everything: the session and the person with their memberships (2), the documents
    # with the numbers of each kind (1), what the cards and the goals show (2).
    with django_assert_num_queries(5):
        assert len(found(client, q="quota")) == min(count, 5) * 2
    # One kind: the numbers of each kind (1), the page's count and rows (2, counted apart:
    # opsboard.api.CountApartPagination), what they show (1).
    with django_assert_num_queries(6):
        assert len(found(client, q="配额", kind="card")) == min(count, 20)


def test_people_are_found_by_name_and_email(tenant: Tenant, indexed, client_for) -> None:
    tenant.member.user.full_name = "王小明"
    tenant.member.user.save()
    indexed()
    client = client_for(tenant.viewer.user)
    assert found(client, q="小明") == ["王小明"]
    assert found(client, q=tenant.member.user.email.split("@")[0]) == ["王小明"]


def test_a_computed_kpi_is_found_by_its_name_in_either_language(
    tenant: Tenant, indexed, client_for
) -> None:
    Kpi.objects.create(
        organization=tenant.organization, name="", source=Source.ON_TIME_RATE,
        target=90, amber_threshold=85, red_threshold=75,
    )  # fmt: skip
    indexed()
    client = client_for(tenant.member.user)
    assert found(client, q="on-time") == ["On-time completion rate"]
    assert found(client, q="按时") == ["On-time completion rate"]


def test_one_chinese_character_is_found_wherever_it_stands(
    place: Place, indexed, client_for
) -> None:
    place.card("Start", comments=("库存",))  # 库 begins the run
    place.card("End", comments=("入库",))  # 库 ends it
    place.card("Alone", comments=("A 库 B",))  # a run of one
    place.card("Elsewhere", comments=("仓储",))
    indexed()
    client = client_for(place.tenant.member.user)
    assert sorted(found(client, q="库", kind="card")) == ["Alone", "End", "Start"]
