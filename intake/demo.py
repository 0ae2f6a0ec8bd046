"""The demo's requests between teams: Product and Engineering ask User Operations for data
pulls and escalate customer complaints to it, over the last two and a half working weeks.

The story, on the working days before the day the demo is seeded (``today``), read on
Demo Ops' working calendar so that it holds after a weekend, over the New Year or in the
middle of the Spring Festival: most requests answered in time, closed and rated 3 to 5;
one data pull answered a day late; one finished a day after its target; one complaint
whose two-hour first response was missed (the Accountable and the chat group were told)
and answered the next morning; one data pull waiting on its requester; one finished and
waiting for its requester to confirm; one just sent. Everything happened before today, so
nothing in it falls due while the demo is being tried.

The clocks are written as the clocks would have left them: ``worked`` is the working time
from start to stop (``WorkingCalendar.working_time``), a running clock's ``warn_at`` and
``due_at`` are where 75% and 100% of its target fall in working time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kanban.models import (
    Card,
    CardEvent,
    CardFollower,
    Column,
    ColumnKind,
    Comment,
    EventKind,
    FollowReason,
    Priority,
)
from opsboard.accounts.models import User
from opsboard.tenancy.calendar import calendar_for
from opsboard.tenancy.models import Organization
from projects.models import Project, ProjectStatus
from raci.models import RaciAssignment, RaciRole
from raci.services import FOLLOWING_ROLES

from .models import (
    ClockKind,
    FieldKind,
    Rating,
    Request,
    RequestField,
    RequestState,
    RequestType,
    ResponseClock,
    StopReason,
)
from .services import describe

PROJECT = "User Operations requests"
DATA_PULL = "Data pull"
COMPLAINT = "Complaint escalation"
HOURS = 60  # minutes
WARN_SHARE = 0.75  # the Responsible is warned at 75% of a target
SCAN_DELAY = timedelta(minutes=2)  # the scan notices a warning or a miss within minutes

# name, description, priority, (first response, plan, resolution) in working minutes,
# Responsible, Accountable (email before @), fields: (label, kind, choices, help text)
TYPES = [
    (
        DATA_PULL,
        "Ask User Operations for a data extract. Say what you need it for: we often know "
        "a better source.",
        Priority.NORMAL,
        (4 * HOURS, None, 27 * HOURS),
        "xu.jie",
        "lead",
        [
            ("What data", FieldKind.TEXT, [], "e.g. trial users who cancelled, by week"),
            ("Period", FieldKind.DATE, [], "The first day the data should cover."),
            ("Format", FieldKind.CHOICE, ["Excel", "CSV", "Dashboard"], ""),
            ("Purpose", FieldKind.LONG_TEXT, [], "What decision the data is for."),
        ],
    ),
    (
        COMPLAINT,
        "A customer complaint that needs User Operations: answered within 2 working hours, "
        "a plan within 24.",
        Priority.HIGH,
        (2 * HOURS, 24 * HOURS, 45 * HOURS),
        "lead",
        "manager",
        [
            ("Customer or order", FieldKind.TEXT, [], ""),
            ("What happened", FieldKind.LONG_TEXT, [], ""),
            ("Severity", FieldKind.CHOICE, ["高 High", "中 Medium", "低 Low"], ""),
        ],
    ),
]


@dataclass
class Step:
    """A moment of a request's story: ``days`` working days before today, at ``at``."""

    days: int
    at: time


@dataclass
class Story:
    title: str
    request_type: str
    requester: str  # email before @
    sent: Step
    answers: list[str]  # in the order of the type's fields
    replied: Step | None = None  # the first reply to the requester
    reply: str = ""  # what the Responsible wrote then
    planned: Step | None = None  # an owner and a due date set
    done: Step | None = None
    waiting: bool = False  # the team waits on the requester since its reply
    closed_days: int | None = None  # working days before today the requester confirmed
    rating: tuple[int, str] | None = None
    due_days: int | None = None  # the plan's due date: working days from the day planned


STORIES = [
    Story(
        "Trial users who cancelled in their first 90 days", DATA_PULL, "huang.tao", Step(12, time(10)),
        ["Trial sign-ups and cancellations", "", "Excel", "To size the onboarding fix for the release review."],
        replied=Step(12, time(10, 40)),
        reply="On it: the extract in two days, one sheet per sign-up month.",
        done=Step(10, time(16)), closed_days=9,
        rating=(4, "Thanks, that saved us a week of SQL."),
    ),
    Story(
        "Churned customers by plan and region", DATA_PULL, "zhao.lei", Step(11, time(14)),
        ["Cancellations by plan tier and region", "", "CSV", "定价调整前先看各地区的流失差异。"],
        replied=Step(11, time(14, 30)),
        reply="收到，明天上午给你 CSV，按套餐和大区拆分。",
        done=Step(9, time(11)), closed_days=8,
        rating=(5, "数据很清楚，第二天就拿到了。"),
    ),
    Story(
        "Refund promised in chat never arrived", COMPLAINT, "zhao.lei", Step(10, time(9, 30)),
        ["Order 2026-118823", "客户说客服承诺三天内退款，已经过了一周。", "高 High"],
        replied=Step(10, time(10, 15)),
        reply="已联系财务核实退款单，今天下午给出处理方案。",
        planned=Step(10, time(15)), due_days=2, done=Step(8, time(11)),
        closed_days=7, rating=(5, "两小时内就有人跟进，很专业。"),
    ),
    Story(
        "Onboarding checklist completion by cohort", DATA_PULL, "member", Step(9, time(15)),
        ["Checklist steps completed, by sign-up week", "", "Dashboard", "To see which step loses people."],
        replied=Step(9, time(16, 30)),
        reply="Will do. A dashboard tile per cohort, ready early next week.",
        done=Step(5, time(11)), closed_days=4,
        rating=(3, "Useful, but it came a day later than promised."),
    ),
    Story(
        "Payment failures by bank, last eight weeks", DATA_PULL, "sun.hao", Step(8, time(11)),
        ["Failed payments by bank and error code", "", "CSV", "支付失败率上升，需要按银行排查。"],
        replied=Step(7, time(10)),
        reply="抱歉回复晚了。数据在跑，按银行和错误码汇总。",
        done=Step(5, time(10)), closed_days=4,
        rating=(4, "第一次回复等了一天，不过数据很准。"),
    ),
    Story(
        "Customer charged twice for one order", COMPLAINT, "member", Step(7, time(14)),
        ["Order 2026-120417", "The customer was charged twice during the payment outage.", "中 Medium"],
        replied=Step(7, time(14, 45)),
        reply="We see the double charge; finance is refunding it today.",
        planned=Step(7, time(17)), due_days=3, done=Step(5, time(12)),
        closed_days=3, rating=(4, "处理及时，客户已经收到退款。"),
    ),
    Story(
        "API error rate by client version", DATA_PULL, "huang.tao", Step(5, time(9, 30)),
        ["5xx responses by app version", "", "Excel", "For the release review: is the new version worse?"],
        replied=Step(5, time(10, 15)),
        reply="Got it: 5xx by app version, daily, from the gateway logs.",
        done=Step(3, time(17)),
    ),
    Story(
        "Pricing page visits against upgrades", DATA_PULL, "zhao.lei", Step(3, time(10)),
        ["Pricing page sessions and upgrades", "", "Excel", "看价格页改版有没有带来升级。"],
        replied=Step(3, time(11)),
        reply="价格页有两个版本：要对比 10 月 30 日改版前后，还是只看新版？",
        waiting=True,
    ),
    Story(
        "VIP customer cannot cancel auto-renewal", COMPLAINT, "sun.hao", Step(2, time(10)),
        ["VIP account 88-2031", "客户投诉无法关闭自动续费，已在微博上发帖。", "高 High"],
        replied=Step(1, time(10)),
        reply="已复现，是续费开关的缓存问题；今天 11 点前给出方案。",
        planned=Step(1, time(11)), due_days=3,
    ),
    Story(
        "Weekly active users by channel", DATA_PULL, "member", Step(1, time(16)),
        ["Weekly active users by acquisition channel", "", "Excel", "For the Monday growth review."],
        replied=Step(1, time(16, 20)),
        reply="Noted: in the growth dashboard before Monday's review.",
    ),
]  # fmt: skip


class _Moments:
    """Steps of the story as moments in Demo Ops' time zone, on its working days."""

    def __init__(self, organization: Organization, today: date) -> None:
        self.calendar = calendar_for(organization)
        self.zone = organization.zone
        self.today = today
        self.days: dict[int, date] = {}

    def day(self, days: int) -> date:
        if days not in self.days:
            self.days[days] = self.calendar.add_working_days(self.today, -days)
        return self.days[days]

    def at(self, step: Step) -> datetime:
        return datetime.combine(self.day(step.days), step.at, tzinfo=self.zone)

    def worked(self, start: datetime, end: datetime) -> timedelta:
        return self.calendar.working_time(start, end)

    def after(self, start: datetime, minutes: int) -> datetime:
        return self.calendar.add_working_time(start, timedelta(minutes=minutes))


def seed_demo_requests(organization: Organization, today: date) -> None:
    """User Operations' request types and the requests of the last weeks (once)."""
    if RequestType.objects.filter(organization=organization).exists():
        return
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(memberships__organization=organization)
    }
    user_ops = organization.teams.get(name__startswith="User")
    moments = _Moments(organization, today)
    project, _created = Project.objects.get_or_create(
        organization=organization,
        name=PROJECT,
        defaults={
            "description": (
                "Where other teams' requests to User Operations land: data pulls and "
                "complaint escalations, each with its response targets."
            ),
            "owner": people["lead"],
            "start_date": moments.day(20),
            "due_date": today + timedelta(days=365),  # a standing desk: reviewed yearly
            "status": ProjectStatus.ACTIVE,
        },
    )
    project.teams.set([user_ops])
    board = project.boards.get()
    columns = {column.kind: column for column in board.columns.open()}
    types = {}
    for position, (
        name,
        description,
        priority,
        targets,
        responsible,
        accountable,
        fields,
    ) in enumerate(TYPES):
        first_response, plan, resolution = targets
        types[name] = RequestType.objects.create(
            organization=organization, team=user_ops, name=name, description=description,
            board=board, column=columns[ColumnKind.TODO], priority=priority,
            first_response_minutes=first_response, plan_minutes=plan, resolution_minutes=resolution,
            responsible=people[responsible], accountable=people[accountable], position=position,
        )  # fmt: skip
        RequestField.objects.bulk_create(
            RequestField(
                request_type=types[name],
                label=label,
                kind=kind,
                required=True,
                choices=choices,
                help_text=help_text,
                position=number,
            )
            for number, (label, kind, choices, help_text) in enumerate(fields)
        )
    fields = {
        name: list(request_type.fields.order_by("position")) for name, request_type in types.items()
    }
    for story in STORIES:
        _seed_request(story, types[story.request_type], fields[story.request_type], columns,
                      people, moments)  # fmt: skip


def _seed_request(
    story: Story,
    request_type: RequestType,
    fields: list[RequestField],
    columns: dict[str, Column],
    people: dict[str, User],
    moments: _Moments,
) -> None:
    sent = moments.at(story.sent)
    requester = people[story.requester]
    done_at = moments.at(story.done) if story.done else None
    started_at = moments.at(story.replied) if story.replied else None
    column = columns[
        ColumnKind.DONE if done_at else ColumnKind.DOING if started_at else ColumnKind.TODO
    ]
    due_date = (
        moments.calendar.add_working_days(moments.day(story.planned.days), story.due_days)
        if story.planned and story.due_days
        else None
    )
    answers = _answers(fields, story.answers, moments.day(story.sent.days + 10))
    card = Card.objects.create(
        board=column.board, column=column, title=story.title, team=request_type.team,
        description=describe(fields, answers),
        assignee=request_type.responsible, priority=request_type.priority, due_date=due_date,
        started_at=started_at, done_at=done_at, created_by=requester, created_at=sent,
    )  # fmt: skip
    _card_history(card, columns, requester)
    roles = [
        RaciAssignment(card=card, role=RaciRole.RESPONSIBLE, user=request_type.responsible),
        RaciAssignment(card=card, role=RaciRole.ACCOUNTABLE, user=request_type.accountable),
    ]
    RaciAssignment.objects.bulk_create(roles)
    CardFollower.objects.bulk_create(
        [
            CardFollower(card=card, user=role.user, reason=FOLLOWING_ROLES[role.role], since=sent)
            for role in roles
        ]
        + [CardFollower(card=card, user=requester, reason=FollowReason.CREATOR, since=sent)],
        ignore_conflicts=True,
    )
    replied = moments.at(story.replied) if story.replied else None
    closed_at = (
        datetime.combine(moments.day(story.closed_days), time(9, 30), tzinfo=moments.zone)
        if story.closed_days is not None
        else None
    )
    state = (
        RequestState.CLOSED
        if closed_at
        else RequestState.DONE
        if done_at
        else RequestState.WAITING
        if story.waiting
        else RequestState.OPEN
    )
    request = Request.objects.create(
        organization_id=request_type.organization_id, request_type=request_type,
        team=request_type.team, card=card, requester=requester,
        answers=answers, state=state,
        submitted_at=sent, waiting_since=replied if story.waiting else None,
        done_at=done_at, closed_at=closed_at,
    )  # fmt: skip
    if replied:  # before the clocks: they are written as the reply left them
        Comment.objects.create(
            card=card, author=request_type.responsible, body=story.reply, created_at=replied
        )
    planned = moments.at(story.planned) if story.planned else None
    stops = {
        ClockKind.FIRST_RESPONSE: (replied, StopReason.REPLY),
        ClockKind.PLAN: (planned, StopReason.PLAN),
        ClockKind.RESOLUTION: (done_at, StopReason.DONE),
    }
    clocks = []
    for kind, (stopped_at, reason) in stops.items():
        target = request_type.target_minutes(kind)
        if target is None:
            continue
        clock = _clock(request, kind, target, sent, stopped_at, moments)
        if stopped_at:
            clock.stopped_by = reason
        elif story.waiting:  # paused since the reply: the working time before it counted
            clock.worked = moments.worked(sent, replied)
            clock.running_since = clock.warn_at = clock.due_at = None
        clocks.append(clock)
    ResponseClock.objects.bulk_create(clocks)
    if story.rating:
        score, comment = story.rating
        Rating.objects.create(
            request=request, rated_by=requester, score=score, comment=comment, rated_at=closed_at
        )


def _clock(
    request: Request,
    kind: str,
    target: int,
    started_at: datetime,
    stopped_at: datetime | None,
    moments: _Moments,
) -> ResponseClock:
    """A clock as the clocks leave it: stopped with its working time and whether in time,
    or running with the moments it reaches 75% and 100% of its target; a target passed
    before it stopped was warned about and marked missed, each by the scan minutes later."""
    warn_at = moments.after(started_at, round(target * WARN_SHARE))
    due_at = moments.after(started_at, target)
    clock = ResponseClock(request=request, kind=kind, target_minutes=target, started_at=started_at)
    if stopped_at is None:
        clock.running_since, clock.warn_at, clock.due_at = started_at, warn_at, due_at
        return clock
    clock.stopped_at = stopped_at
    clock.worked = moments.worked(started_at, stopped_at)
    clock.on_time = clock.worked <= timedelta(minutes=target)
    if stopped_at > warn_at:
        clock.warned_at = warn_at + SCAN_DELAY
    if not clock.on_time:
        clock.breached_at = due_at + SCAN_DELAY
    return clock


def _answers(fields: list[RequestField], values: list[str], period: date) -> dict[str, str]:
    """The form's answers by field id; the date field's is the period's first day."""
    return {
        str(field.pk): period.isoformat() if field.kind == FieldKind.DATE else value
        for field, value in zip(fields, values, strict=True)
    }


def _card_history(card: Card, columns: dict[str, Column], requester: User) -> None:
    """The card's creation and moves, for the board's history and flow charts."""
    todo, doing, done = (
        columns[kind] for kind in (ColumnKind.TODO, ColumnKind.DOING, ColumnKind.DONE)
    )
    events = [
        CardEvent(card=card, board=card.board, kind=EventKind.CREATED, actor=requester,
                  at=card.created_at, to_column=todo, to_kind=todo.kind),
    ]  # fmt: skip
    if card.started_at:
        events.append(
            CardEvent(card=card, board=card.board, kind=EventKind.MOVED, actor=card.assignee,
                      at=card.started_at, from_column=todo, to_column=doing,
                      from_kind=todo.kind, to_kind=doing.kind)
        )  # fmt: skip
    if card.done_at:
        events.append(
            CardEvent(card=card, board=card.board, kind=EventKind.MOVED, actor=card.assignee,
                      at=card.done_at, from_column=doing, to_column=done,
                      from_kind=doing.kind, to_kind=done.kind)
        )  # fmt: skip
    CardEvent.objects.bulk_create(events)
