"""The organisation's search over 100,000 cards with comments, in Chinese and in English.

Seeds an organisation of 10 boards and 100,000 cards (titles, descriptions and about
1.5 comments a card, Chinese and English mixed; 150,000 comments) beside a second
organisation of 20,000 cards, writes the search index (``index_rebuild``, timed), then
reads, alternately, the search page and the API for a two-character Chinese word found
only inside comments of about 1% of the cards (流失), an English word in about 1%
(warehouse), and a common word of each language in about 10% (客户, customer), with
queries counted, median and 95th percentile. Then PostgreSQL's plans (EXPLAIN ANALYZE)
for the page's query, and for the references measured on the same data:

- the folded text with a trigram GIN index (pg_trgm) read with ILIKE: a two-character
  query has no trigram, so the index cannot narrow it;
- ILIKE over the cards and their comments themselves, with no index.

    .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --keep   # leave the database (test_<name>) to explore
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from common import Client, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from kanban.models import Card, Comment
from kanban.ranks import STEP
from opsboard.accounts.models import User
from opsboard.search.forms import SearchForm
from opsboard.search.models import SearchDocument
from opsboard.search.selectors import everything_rows, search_rows
from opsboard.search.services import index_rebuild
from opsboard.tenancy.models import Membership, Organization, Role
from projects.models import Project

CARDS = 100_000
OTHER_CARDS = 20_000
BOARDS = 10
RUNS = 40

# Characters for made-up Chinese words (none of 流, 失, 客, 户: the measured words are
# placed on purpose, never made by chance).
HAN_POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把"
    "性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质"
    "气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
    "设及管特件长求老头基资边更级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任"
    "取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再"
    "采转单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今"
    "集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技"
    "备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼"
    "王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
)
HAN = "".join(sorted(set(HAN_POOL) - set("流失客户")))
ENGLISH = [
    "review",
    "plan",
    "report",
    "delivery",
    "supplier",
    "contract",
    "budget",
    "invoice",
    "carrier",
    "shipment",
    "pallet",
    "forecast",
    "retention",
    "onboarding",
    "campaign",
    "dashboard",
    "metric",
    "target",
    "quarter",
    "weekly",
    "monthly",
    "daily",
    "standup",
    "handover",
    "escalation",
    "incident",
    "ticket",
    "backlog",
    "sprint",
    "release",
    "feature",
    "data",
    "analysis",
    "survey",
    "feedback",
    "complaint",
    "refund",
    "order",
    "payment",
    "pricing",
    "discount",
    "logistics",
    "inventory",
    "audit",
    "compliance",
    "training",
    "hiring",
    "vendor",
    "renewal",
    "migration",
    "database",
    "server",
    "latency",
    "outage",
    "alert",
    "monitoring",
    "capacity",
    "cost",
    "saving",
    "process",
    "template",
    "checklist",
    "approval",
    "decision",
    "owner",
    "team",
    "project",
    "goal",
    "milestone",
    "risk",
    "issue",
    "blocker",
    "dependency",
    "schedule",
    "deadline",
    "update",
    "summary",
    "notes",
    "meeting",
    "agenda",
    "minutes",
    "action",
    "follow",
    "review",
    "draft",
    "final",
    "version",
    "launch",
    "pilot",
]


def chinese_word(rng: random.Random) -> str:
    return "".join(rng.choice(HAN) for _ in range(rng.choice((2, 2, 2, 3, 4))))


def sentence(rng: random.Random, words: int) -> str:
    parts = []
    for _ in range(words):
        if rng.random() < 0.5:
            parts.append(chinese_word(rng) + chinese_word(rng))
        else:
            parts.append(rng.choice(ENGLISH))
    return " ".join(parts)


def with_word(text: str, word: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    return f"{text[:at]}{word}{text[at:]}" if word[0] >= "\u4e00" else f"{text} {word}"


def seed_cards(organization: Organization, count: int, rng: random.Random) -> None:
    now = timezone.now()
    per_board = count // BOARDS
    for n in range(BOARDS):
        project = Project.objects.create(
            organization=organization,
            name=f"{organization.slug} project {n}",
            start_date=(now - timedelta(days=365)).date(),
            due_date=now.date(),
        )
        board = project.boards.get()
        columns = list(board.columns.all())
        cards = []
        for i in range(per_board):
            title, description = sentence(rng, rng.randint(3, 6)), sentence(rng, rng.randint(8, 30))
            if rng.random() < 0.10:
                description = with_word(description, "customer", rng)
            cards.append(
                Card(
                    board=board,
                    column=columns[i % len(columns)],
                    rank=STEP * (i + 1),
                    title=title[:200],
                    description=description,
                    created_at=now - timedelta(days=rng.uniform(0, 365)),
                )
            )
        cards = Card.objects.bulk_create(cards, batch_size=2000)
        comments = []
        for card in cards:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                body = sentence(rng, rng.randint(5, 20))
                if rng.random() < 0.0067:  # about 1% of cards
                    body = with_word(body, "流失", rng)
                if rng.random() < 0.0067:
                    body = with_word(body, "warehouse", rng)
                if rng.random() < 0.07:
                    body = with_word(body, "客户", rng)
                comments.append(Comment(card=card, body=body))
        Comment.objects.bulk_create(comments, batch_size=5000)


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[math.ceil(len(ordered) * 0.95) - 1]


def reference_sql(word: str) -> tuple[str, list]:
    """Plain ILIKE over the cards and their comments: what the search costs without an index."""
    return (
        """SELECT c.id FROM kanban_card c JOIN kanban_board b ON b.id = c.board_id
           WHERE b.organization_id = %s AND (c.title ILIKE %s OR c.description ILIKE %s
             OR EXISTS (SELECT 1 FROM kanban_comment m WHERE m.card_id = c.id AND m.body ILIKE %s))
           LIMIT 20""",
        [f"%{word}%"] * 3,
    )


@contextmanager
def database() -> Iterator[None]:
    """The throwaway database, or with ``--keep`` a test database left for psql."""
    if "--keep" not in sys.argv:
        with throwaway_database():
            yield
        return
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    yield
    print(f"kept the database {connection.settings_dict['NAME']}")


def main() -> None:
    rng = random.Random(16)
    with database():
        begin = time.perf_counter()
        big = Organization.objects.create(name="Big", slug="big", timezone="Asia/Shanghai")
        other = Organization.objects.create(name="Other", slug="other")
        manager = User.objects.create(email="manager@big.test", full_name="王经理")
        Membership.objects.create(organization=big, user=manager, role=Role.MANAGER)
        seed_cards(big, CARDS, rng)
        seed_cards(other, OTHER_CARDS, rng)
        print(
            f"seeded {Card.objects.count():,} cards and {Comment.objects.count():,} comments "
            f"in {time.perf_counter() - begin:.0f} s"
        )
        begin = time.perf_counter()
        written = index_rebuild()
        took = time.perf_counter() - begin
        print(f"index written: {sum(written.values()):,} documents in {took:.0f} s "
              f"({sum(written.values()) / took:,.0f} a second)")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('search_searchdocument')), "
                "pg_size_pretty(pg_relation_size('search_document_vector'))"
            )
            table, index = cursor.fetchone()
        print(f"index size: table with TOAST {table}, GIN index {index}")

        client = Client()
        client.force_login(manager)
        words = {"流失": "Chinese, 2 characters, ~1%", "warehouse": "English, ~1%",
                 "客户": "Chinese, 2 characters, ~10%", "customer": "English, ~10%"}  # fmt: skip
        targets = {}
        for word in words:
            targets[f"page   {word}"] = f"/o/big/search/?q={word}"
            targets[f"api    {word}"] = f"/api/v1/organizations/big/search/?q={word}"
        for url in targets.values():
            assert client.get(url).status_code == 200, url
        timings: dict[str, list[float]] = {name: [] for name in targets}
        timings.update({f"ref    {word}": [] for word in ("流失", "warehouse")})
        counts: dict[str, int] = {}
        for _ in range(RUNS):
            for name, url in targets.items():
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings[name].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
                counts[name] = len(captured)
            for word in ("流失", "warehouse"):
                sql, params = reference_sql(word)
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(sql, [big.pk, *params])
                    cursor.fetchall()
                timings[f"ref    {word}"].append((time.perf_counter() - start) * 1000)
        found = {
            word: search_rows(organization=big, terms=_terms(word), kind=None).count()
            for word in words
        }
        for name, values in timings.items():
            word = name.split()[-1]
            what = (
                "reference: ILIKE over cards and comments, 20 rows"
                if name.startswith("ref")
                else f"{counts[name]} queries, {found[word]:,} found ({words[word]})"
            )
            print(
                f"{name:<18} median {statistics.median(values):6.1f} ms, "
                f"p95 {p95(values):6.1f} ms  {what}"
            )

        with connection.cursor() as cursor:
            for word in ("流失", "客户"):
                print(
                    f"\nplan of the page's query for {word} (everything: the best 5 of each kind):"
                )
                sql, params = everything_rows(
                    organization=big, terms=_terms(word)
                ).query.sql_with_params()
                cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
            print("\nplan of the API's page for warehouse (the best 100):")
            print(search_rows(organization=big, terms=_terms("warehouse"), kind=None)[:100]
                  .explain(analyze=True))  # fmt: skip

            print("\nreference, trigrams: the folded text with a pg_trgm GIN index, ILIKE")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE TABLE trigram_reference AS SELECT id, organization_id, "
                "lower(title || ' ' || (SELECT string_agg(f->>'text', ' ') FROM "
                "jsonb_array_elements(fields) f)) AS content FROM search_searchdocument"
            )
            cursor.execute(
                "CREATE INDEX trigram_reference_content ON trigram_reference "
                "USING gin (content gin_trgm_ops)"
            )
            cursor.execute("ANALYZE trigram_reference")
            for word in ("流失", "warehouse"):
                cursor.execute(
                    "EXPLAIN (ANALYZE, BUFFERS OFF) SELECT id FROM trigram_reference "
                    "WHERE organization_id = %s AND content ILIKE %s",
                    [big.pk, f"%{word}%"],
                )
                print(f"-- {word}")
                print("\n".join(row[0] for row in cursor.fetchall()))
            cursor.execute("DROP TABLE trigram_reference")
        print(f"\n{SearchDocument.objects.count():,} documents in all")


def _terms(word: str) -> list:
    form = SearchForm({"q": word})
    assert form.is_valid()
    return form.terms


if __name__ == "__main__":
    main()
