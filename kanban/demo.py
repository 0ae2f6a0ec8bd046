"""The demo boards: the churn project's board with a month of history, and the supply-chain board."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Team
from projects.models import Goal, Project

from .mentions import mention_text
from .models import (
    Attachment,
    Board,
    BuiltinLabel,
    Card,
    CardEvent,
    CardFollower,
    ChecklistItem,
    Column,
    ColumnKind,
    Comment,
    EventKind,
    FollowReason,
    Label,
    Mention,
    Priority,
)
from .ranks import STEP
from .services import attachment_add

# title, team (first word), assignee (email local part), column kind, days ago created,
# days ago started, days ago done, due in days (None: no date), priority, labels, blocked reason
CHURN_CARDS = [
    (
        "Export 12 months of cancellations",
        "User",
        "xu.jie",
        "done",
        30,
        29,
        27,
        -26,
        2,
        ["data"],
        "",
    ),
    (
        "Segment churned users by plan and tenure",
        "User",
        "lead",
        "done",
        30,
        27,
        24,
        -25,
        2,
        ["data"],
        "",
    ),
    ("Churn reasons taxonomy", "User", "lead", "done", 29, 25, 22, -20, 2, ["data"], ""),
    (
        "Interview 10 churned customers",
        "User",
        "xu.jie",
        "done",
        28,
        24,
        17,
        -18,
        3,
        ["research"],
        "",
    ),
    (
        "Survey: why customers leave",
        "User",
        "xu.jie",
        "done",
        27,
        20,
        13,
        -12,
        2,
        ["research"],
        "",
    ),
    ("Cohort retention chart", "User", "lead", "done", 20, 10, 1, 0, 2, ["data"], ""),
    ("Build the churn dashboard", "User", "lead", "doing", 18, 6, None, 5, 3, ["data"], ""),
    (
        "Define early-warning signals",
        "User",
        "xu.jie",
        "doing",
        16,
        8,
        None,
        4,
        3,
        ["data"],
        "Waiting for cancellation events from Engineering",
    ),
    (
        "Weekly churn report to the leads",
        "User",
        "lead",
        "todo",
        10,
        None,
        None,
        3,
        2,
        ["report"],
        "",
    ),
    (
        "Win-back email test for lapsed users",
        "User",
        "xu.jie",
        "todo",
        6,
        None,
        None,
        14,
        2,
        ["experiment"],
        "",
    ),
    (
        "Problem list agreed with User Operations",
        "Product",
        "zhao.lei",
        "done",
        28,
        23,
        21,
        -21,
        3,
        [],
        "",
    ),
    (
        "Onboarding checklist for new users",
        "Product",
        "member",
        "done",
        21,
        18,
        9,
        -10,
        4,
        ["feature"],
        "",
    ),
    (
        "A/B test onboarding emails",
        "Product",
        "member",
        "doing",
        14,
        5,
        None,
        7,
        2,
        ["experiment"],
        "",
    ),
    (
        "Redesign the cancellation flow with offers",
        "Product",
        "member",
        "doing",
        12,
        3,
        None,
        10,
        3,
        ["feature"],
        "",
    ),
    # In progress for ten days: with "Data pipeline for churn features" and "Instrument
    # cancellation events", one of the three cards in progress for longer than 85% of the
    # board's cards took there (about eight and a half days): the aging badge.
    (
        "Pause-subscription option",
        "Product",
        "zhao.lei",
        "doing",
        15,
        10,
        None,
        -2,
        4,
        ["feature"],
        "",
    ),
    (
        "Pricing page clarity review",
        "Product",
        "zhao.lei",
        "todo",
        9,
        None,
        None,
        2,
        2,
        ["feature"],
        "",
    ),
    (
        "In-app tips for the first week",
        "Product",
        "member",
        "todo",
        7,
        None,
        None,
        20,
        2,
        ["feature"],
        "",
    ),
    ("Spec: usage-based nudges", "Product", None, "todo", 4, None, None, None, 1, ["feature"], ""),
    (
        "Fix payment retry failures",
        "Engineering",
        "huang.tao",
        "done",
        26,
        25,
        19,
        -18,
        4,
        ["bug"],
        "",
    ),
    (
        "Payment outage post-mortem",
        "Engineering",
        "sun.hao",
        "done",
        20,
        19,
        16,
        -17,
        3,
        ["report"],
        "",
    ),
    (
        "Cut dashboard page load time by 30%",
        "Engineering",
        "huang.tao",
        "done",
        22,
        15,
        7,
        -5,
        3,
        ["performance"],
        "",
    ),
    (
        "Instrument cancellation events",
        "Engineering",
        "huang.tao",
        "doing",
        19,
        11,
        None,
        1,
        4,
        ["data"],
        "Analytics SDK upgrade waits for the security review",
    ),
    (
        "Cache the account summary API",
        "Engineering",
        "sun.hao",
        "doing",
        11,
        4,
        None,
        6,
        2,
        ["performance"],
        "",
    ),
    (
        "Data pipeline for churn features",
        "Engineering",
        "sun.hao",
        "doing",
        17,
        10,
        None,
        8,
        3,
        ["data"],
        "",
    ),
    (
        "Alert on payment error spikes",
        "Engineering",
        "huang.tao",
        "todo",
        8,
        None,
        None,
        1,
        3,
        ["bug"],
        "",
    ),
    (
        "Load test the checkout",
        "Engineering",
        "sun.hao",
        "todo",
        13,
        None,
        None,
        -3,
        2,
        ["performance"],
        "",
    ),
    ("Upgrade the analytics SDK", "Engineering", "huang.tao", "todo", 9, None, None, 12, 2, [], ""),
    ("Error budget for payments", "Engineering", None, "todo", 3, None, None, None, 1, [], ""),
    ("Churn review with all three teams", "User", "lead", "done", 8, 2, 0, 0, 3, ["report"], ""),
    ("Hand over the dashboard to Support", "User", None, "todo", 2, None, None, 25, 1, [], ""),
]

SUPPLY_CARDS = [
    ("Rank suppliers by spend", "Procurement", "zhou.min", "done", 40, 38, 30, -28, 2, [], ""),
    (
        "Renegotiate the top 5 supplier contracts",
        "Procurement",
        "zhou.min",
        "doing",
        35,
        25,
        None,
        20,
        3,
        [],
        "",
    ),
    ("Merge eastern delivery routes", "Logistics", "wu.qiang", "done", 35, 30, 20, -21, 3, [], ""),
    (
        "Warehouse consolidation plan",
        "Logistics",
        "wu.qiang",
        "doing",
        20,
        10,
        None,
        15,
        3,
        [],
        "Lease terms still with Legal",
    ),
    ("Monthly cost tracking sheet", "Finance", "zheng.li", "done", 40, 39, 36, -35, 2, [], ""),
    ("Fuel price hedge options", "Finance", "zheng.li", "todo", 10, None, None, 2, 2, [], ""),
]

# The demo's labels are the product's own (BuiltinLabel): each reader sees them in their language.
LABEL_COLOURS = {
    BuiltinLabel.DATA: "#0172ad",
    BuiltinLabel.RESEARCH: "#7b5ea7",
    BuiltinLabel.FEATURE: "#1e7b4f",
    BuiltinLabel.EXPERIMENT: "#975a00",
    BuiltinLabel.BUG: "#b3261e",
    BuiltinLabel.PERFORMANCE: "#00838f",
    BuiltinLabel.REPORT: "#5c6b7a",
}


def _at(today: date, days_ago: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))


def _seed_board(
    board: Board,
    rows: list[tuple],
    people: dict[str, User],
    teams: dict[str, Team],
    goal: Goal | None,
    today: date,
) -> None:
    if board.cards.exists():
        return  # keep what people have done with the demo since
    columns = {column.kind: column for column in board.columns.open()}
    labels = {}
    for name in sorted({label for row in rows for label in row[9]}):
        labels[name], _ = Label.objects.get_or_create(
            board=board, builtin=name, defaults={"color": LABEL_COLOURS[name]}
        )
    ranks = dict.fromkeys(columns, 0)
    events = []
    for (
        title,
        team,
        person,
        kind,
        created,
        started,
        done,
        due,
        priority,
        label_names,
        blocked,
    ) in rows:
        column = columns[kind]
        ranks[kind] += STEP
        assignee = people.get(person) if person else None
        card = Card.objects.create(
            board=board,
            column=column,
            rank=ranks[kind],
            title=title,
            team=teams[team],
            assignee=assignee,
            goal=goal,
            due_date=today + timedelta(days=due) if due is not None else None,
            priority=priority,
            blocked=bool(blocked),
            blocked_reason=blocked,
            blocked_at=_at(today, max((started or created) - 1, 0), 15) if blocked else None,
            started_at=_at(today, started, 10) if started is not None else None,
            done_at=_at(today, done, 16) if done is not None else None,
            created_by=assignee,
            created_at=_at(today, created, 9),
        )
        card.labels.set([labels[name] for name in label_names])

        def event(
            kind: str,
            at: datetime,
            card: Card = card,
            assignee: User | None = assignee,
            **values: object,
        ) -> None:
            events.append(
                CardEvent(card=card, board=board, kind=kind, actor=assignee, at=at, **values)
            )

        todo, doing, done = (
            columns[ColumnKind.TODO],
            columns[ColumnKind.DOING],
            columns[ColumnKind.DONE],
        )
        event(EventKind.CREATED, card.created_at, to_column=todo, to_kind=todo.kind)
        if assignee:
            event(EventKind.ASSIGNED, card.created_at, new_value=str(assignee.pk))
        if card.due_date:
            event(EventKind.DUE_CHANGED, card.created_at, new_value=card.due_date.isoformat())
        if card.started_at:
            event(
                EventKind.MOVED,
                card.started_at,
                from_column=todo,
                to_column=doing,
                from_kind=todo.kind,
                to_kind=doing.kind,
            )
        if card.done_at:
            event(
                EventKind.MOVED,
                card.done_at,
                from_column=doing,
                to_column=done,
                from_kind=doing.kind,
                to_kind=done.kind,
            )
        if card.blocked:
            event(EventKind.BLOCKED, card.blocked_at, new_value=blocked)
    CardEvent.objects.bulk_create(events)


def seed_demo_boards(organization: Organization, today: date) -> None:
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(memberships__organization=organization)
    }
    teams = {team.name.split(" ")[0]: team for team in organization.teams.all()}
    churn = Project.objects.get(organization=organization, name="Reduce customer churn")
    churn_goal = churn.goals.filter(title__startswith="Cut monthly churn").first()
    _seed_board(churn.boards.first(), CHURN_CARDS, people, teams, churn_goal, today)
    supply = Project.objects.get(organization=organization, name="Cut supply-chain cost")
    _seed_board(supply.boards.first(), SUPPLY_CARDS, people, teams, supply.goals.first(), today)

    report = Card.objects.filter(
        board__project=churn, title="Weekly churn report to the leads"
    ).first()
    if report and not report.checklist.exists():
        for position, text in enumerate(
            ["Pull this week's cancellations", "Update the cohort chart", "Send to the three leads"]
        ):
            ChecklistItem.objects.create(
                card=report, text=text, position=position, done=position == 0
            )
        Comment.objects.create(
            card=report,
            author=people["lead"],
            body="Keep it to **one page**: churn this week, the top three reasons, what each team is doing.",
        )
    if report and not report.comments.filter(mentions__isnull=False).exists():
        # A Product member asks the lead something: a mention in the lead's My work.
        asking = Comment.objects.create(
            card=report,
            author=people["member"],
            body=f"{mention_text(people['lead'].pk, people['lead'].display_name)} "
            "should the report show churn by plan as well?",
        )
        Mention.objects.create(
            card=report, comment=asking, user=people["lead"], author=people["member"]
        )
    # Whoever made a card or has it follows it, as card_create makes them.
    demo_cards = Card.objects.filter(board__organization=organization)
    CardFollower.objects.bulk_create(
        [
            CardFollower(card_id=card_id, user_id=user_id, reason=reason)
            for card_id, creator_id, assignee_id in demo_cards.values_list(
                "pk", "created_by_id", "assignee_id"
            )
            for user_id, reason in (
                (creator_id, FollowReason.CREATOR),
                (assignee_id, FollowReason.ASSIGNEE),
            )
            if user_id
        ],
        ignore_conflicts=True,
    )
    # The boards' columns hold a sensible WIP limit: three in progress per person is a lot.
    Column.objects.filter(
        board__project=churn, kind=ColumnKind.DOING, wip_limit__isnull=True
    ).update(wip_limit=10)
    Card.objects.filter(board__organization=organization, priority=0).update(
        priority=Priority.NORMAL
    )
    seed_demo_files(organization, today)


def _chart_png(values: list[int], color: tuple[int, int, int]) -> bytes:
    """A small bar chart, as a screenshot of a dashboard would be."""
    image = Image.new("RGB", (360, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(30, 180), (350, 180)], fill=(93, 104, 117), width=2)
    width = 300 // len(values)
    for n, value in enumerate(values):
        left = 40 + n * width
        draw.rectangle([left, 180 - value, left + width - 12, 179], fill=color)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of (ASCII) text: the smallest document a viewer opens."""
    text = "\n".join(
        f"BT /F1 12 Tf 56 {780 - 18 * n} Td ({line}) Tj ET" for n, line in enumerate(lines)
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    table = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    )
    return out.getvalue()


# card title, who attaches (email local part), file name, content; with a comment's text,
# the file goes with that comment.
def _demo_files() -> list[tuple[str, str, str, bytes, str]]:
    return [
        (
            "Weekly churn report to the leads",
            "lead",
            "churn-week-48.png",
            _chart_png([120, 110, 104, 96, 90, 84], (1, 114, 173)),
            "This week's chart: churn down for the sixth week running.",
        ),
        (
            "Survey: why customers leave",
            "xu.jie",
            "客户流失调研问卷.pdf",
            _pdf(["Why customers leave: survey", "312 answers, 4 questions", "Top reason: price"]),
            "问卷回收 312 份，最主要的流失原因是价格。下周和财务一起看折扣方案。",
        ),
        (
            "Export 12 months of cancellations",
            "xu.jie",
            "cancellations-12-months.csv",
            b"month,cancellations\n2025-12,412\n2026-01,398\n2026-02,377\n",
            "",
        ),
        (
            "Warehouse consolidation plan",
            "wu.qiang",
            "warehouse-lease-terms.pdf",
            _pdf(["Warehouse consolidation", "Lease terms under review by Legal"]),
            "",
        ),
    ]


def seed_demo_files(organization: Organization, today: date) -> None:
    """A few files on the demo's cards: a chart pasted into a comment, a survey, an export."""
    if Attachment.objects.filter(organization=organization).exists():
        return
    memberships = {
        membership.user.email.split("@")[0]: membership
        for membership in Membership.objects.filter(organization=organization).select_related(
            "user", "organization"
        )
    }
    for title, person, name, content, comment_text in _demo_files():
        card = (
            Card.objects.filter(board__organization=organization, title=title)
            .select_related("board__organization")
            .first()
        )
        membership = memberships.get(person)
        if card is None or membership is None:
            continue
        comment = None
        if comment_text:
            comment = Comment.objects.create(card=card, author=membership.user, body=comment_text)
        attachment_add(
            actor=membership, card=card, files=[ContentFile(content, name=name)], comment=comment
        )
