"""Every email and chat post reads as written for its reader, in Chinese and in English.

A Chinese ops team's week, with Chinese names for the organisation, team, project, cards
and one of its people (and one who writes his name the English way), goes through the
real jobs: the deadline reminders of Wednesday 2 December (every section), their chat
posts to Feishu, DingTalk, WeCom and Slack, the weekly digest of Monday 30 November, the
retrospectives of November (built, quiet and final), an invitation and two password
resets. In Chinese, no ASCII colon, comma, full stop or bracket sits next to a Chinese
character, no space stands between two Chinese characters, a message about last week
never says 本周 nor one about last month 本月, greetings hold the whole name, and subjects
and chat titles say the product, what, for whom and when. In English the same messages
read "Last week (Nov 23 – Nov 29)" and "Sat, Dec 5", never "Dec. 5".
"""

from __future__ import annotations

import html
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from kanban.models import Card
from kanban.services import CardInput, card_create
from metrics.digest import send_weekly_digests
from metrics.models import Kpi, Measurement, Retrospective, Source
from metrics.retrospectives.schedule import build_retrospectives
from metrics.retrospectives.services import (
    retrospective_action_add,
    retrospective_finalise,
    retrospective_update,
)
from opsboard.accounts.models import User
from opsboard.notify.chat import Provider
from opsboard.notify.models import ChatWebhook
from projects.models import Direction, Membership, Organization, Project, Role, Team
from projects.services import invitation_email_send
from raci.reminders import send_deadline_reminders
from raci.services import raci_set
from tests.chat_server import ChatServer
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProjectFactory,
    TeamFactory,
    UserFactory,
)
from tests.reading import AMERICAN_DATES, message_text, read_as_translated

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SET_UP = datetime(2026, 11, 16, 9, tzinfo=SHANGHAI)  # before the weeks and the month told
DIGEST_MONDAY = datetime(2026, 11, 30, 9, tzinfo=SHANGHAI)  # tells 23–29 November
RETROSPECTIVE_DAY = datetime(
    2026, 12, 1, 9, tzinfo=SHANGHAI
)  # November's, on its first working day
REMINDER_DAY = datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)  # a Wednesday

# The checks ---------------------------------------------------------------------------


def misplaced_punctuation(text: str, *, is_html: bool = False) -> list[str]:
    """Where ASCII punctuation, a space or an English date sits among Chinese."""
    return read_as_translated(message_text(text, is_html=is_html), between_words=True)


def assert_reads_as_chinese(*texts: str, is_html: bool = False) -> None:
    for text in texts:
        assert misplaced_punctuation(text, is_html=is_html) == [], text


def assert_email_reads_as_chinese(message: mail.EmailMessage) -> None:
    assert_reads_as_chinese(message.subject, message.body)
    assert_reads_as_chinese(message.alternatives[0][0], is_html=True)
    assert message.subject.startswith("【Opsboard】")


def assert_email_reads_as_english(message: mail.EmailMessage) -> None:
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert not AMERICAN_DATES.search(text), text
        assert "（" not in message_text(text) and "：" not in message_text(text), text
    assert message.subject.startswith("[Opsboard] ")


def test_the_checker_has_teeth() -> None:
    """What the reviewer found is caught; what is written right passes."""
    for wrong in (
        "- 核对备货清单 (双十一备货): 2 天后到期, 2026年12月4日",
        "3 个亮点, 2 个问题.",
        "受阻: 1 张卡片",
        "团队已完成 双十一备货 的复盘",
    ):
        assert misplaced_punctuation(wrong), wrong
    assert misplaced_punctuation("<strong>已逾期</strong>: 等待", is_html=True)
    for right in (
        "- 核对备货清单（双十一备货）：3 天后到期，12月5日（周六）",
        "客户流失率 · 仓储组：18.5%（目标值 17.0%，黄灯），较前一周 −0.5 个百分点",
        "全部 KPI：https://opsboard.example.com/o/s/kpis/",
        "【Opsboard】KPI 周报｜双十一事业部｜上周（11月23日—11月29日）",
    ):
        assert misplaced_punctuation(right) == [], right


# The team and its week ----------------------------------------------------------------


@dataclass
class World:
    organization: Organization
    team: Team
    quiet_team: Team
    project: Project
    xiaoming: User  # 王小明: a lead, Accountable for most cards
    wang: User  # "Wang Xiaoming": a member, the assignee
    na: User  # 李娜: a manager, leads the quiet team
    nameless: User  # no name given


def _make_world(language: str) -> World:
    organization = OrganizationFactory(
        slug="shuang11", name="双十一事业部", timezone="Asia/Shanghai", language=language
    )
    xiaoming = UserFactory(full_name="王小明", email="xiaoming@example.test", language=language)
    wang = UserFactory(full_name="Wang Xiaoming", email="wang@example.test", language=language)
    na = UserFactory(full_name="李娜", email="na@example.test", language=language)
    nameless = UserFactory(full_name="", email="nameless@example.test", language=language)
    team = TeamFactory(organization=organization, name="仓储组", lead=xiaoming)
    quiet_team = TeamFactory(organization=organization, name="客服组", lead=na)
    lead = MembershipFactory(organization=organization, user=xiaoming, role=Role.LEAD, teams=[team])
    MembershipFactory(organization=organization, user=wang, role=Role.MEMBER, teams=[team])
    MembershipFactory(organization=organization, user=na, role=Role.MANAGER, teams=[quiet_team])
    MembershipFactory(organization=organization, user=nameless, role=Role.MEMBER)
    project = ProjectFactory(
        organization=organization, name="双十一备货", teams=[team], owner=xiaoming
    )
    board = project.boards.get()

    def card(title: str, due: date | None, assignee: User | None = None, **roles: User) -> Card:
        made = card_create(
            actor=lead,
            board=board,
            data=CardInput(title=title, assignee=assignee, due_date=due, team=team),
        )
        for role, user in roles.items():
            raci_set(actor=lead, card=made, role=role, user=user)
        return made

    # Wednesday 2 December's reminders: one of each kind.
    card("核对备货清单", date(2026, 12, 5), assignee=wang)
    card("复核预售库存", date(2026, 12, 2), R=xiaoming)
    card("确认仓库排班", date(2026, 12, 5), A=xiaoming)
    card("签订物流合同", date(2026, 12, 1), assignee=wang, A=xiaoming)
    blocked = card("海关单据", date(2026, 12, 20), assignee=wang, A=xiaoming)
    Card.objects.filter(pk=blocked.pk).update(
        blocked=True,
        blocked_reason="等待法务审核",
        blocked_at=datetime(2026, 11, 30, 9, tzinfo=SHANGHAI),
    )
    done = card("上线预售页面", date(2026, 12, 1), assignee=wang, I=xiaoming)
    Card.objects.filter(pk=done.pk).update(
        done_at=datetime(2026, 12, 1, 15, tzinfo=SHANGHAI),
        column=board.columns.get(kind="done"),
    )
    # The week of 23 November: one card overdue at its end, one finished in it.
    card("供应商对账", date(2026, 11, 27), assignee=xiaoming)
    finished = card("上线活动页", date(2026, 11, 26), assignee=xiaoming)
    Card.objects.filter(pk=finished.pk).update(
        done_at=datetime(2026, 11, 25, 15, tzinfo=SHANGHAI),
        column=board.columns.get(kind="done"),
    )
    churn = Kpi.objects.create(
        organization=organization,
        name="客户流失率",
        team=team,
        source=Source.MANUAL,
        direction=Direction.DECREASE,
        target=17,
        amber_threshold=18,
        red_threshold=19.5,
    )
    Measurement.objects.create(kpi=churn, period_start=date(2026, 11, 16), value=19)
    Measurement.objects.create(kpi=churn, period_start=date(2026, 11, 23), value="18.5")
    goal = GoalFactory(organization=organization, team=team, title="流失率降到 17%")
    CheckInFactory(goal=goal, value=20, checked_on=date(2026, 11, 27))
    return World(organization, team, quiet_team, project, xiaoming, wang, na, nameless)


@pytest.fixture
def language(request: pytest.FixtureRequest) -> str:
    """Everyone's language: Chinese, unless a test asks for English too."""
    return getattr(request, "param", "zh-hans")


both_languages = pytest.mark.parametrize("language", ["zh-hans", "en"], indirect=True)


@pytest.fixture
def world(language: str) -> World:
    with time_machine.travel(SET_UP, tick=False):
        return _make_world(language)


def sent_to(user: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


# Deadline reminders and their chat posts ----------------------------------------------

HOOKS = {
    Provider.FEISHU: "/open-apis/bot/v2/hook/3f1c2b9a-team",
    Provider.DINGTALK: "/robot/send?access_token=8c1d0e",
    Provider.WECOM: "/cgi-bin/webhook/send?key=693a91f6",
    Provider.SLACK: "/services/T000/B000/team-hook",
}


def chat_groups(world: World, server: ChatServer) -> None:
    for provider, path in HOOKS.items():
        ChatWebhook.objects.create(
            organization_id=world.organization.pk,
            team_id=world.team.pk,
            name=f"仓储组 {provider}",
            provider=provider,
            url=server.url(path),
            secret="s3cret" if provider in (Provider.FEISHU, Provider.DINGTALK) else "",
        )
    ChatWebhook.objects.create(
        organization_id=world.organization.pk,
        name="全员群",
        provider=Provider.SLACK,
        url=server.url("/services/T000/B000/everyone-hook"),
    )


@pytest.fixture
def reminded(world: World, chat_server: ChatServer, django_capture_on_commit_callbacks) -> World:
    chat_groups(world, chat_server)
    with (
        time_machine.travel(REMINDER_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_deadline_reminders(now=REMINDER_DAY)
    return world


def posts(server: ChatServer) -> dict[str, tuple[str, str]]:
    """Each post's (title, whole text) as its service shows them, by service."""
    found = {}
    for received in server.received:
        body = received.body
        if "card" in body:
            title = body["card"]["header"]["title"]["content"]
            text = body["card"]["elements"][0]["content"]
            found[Provider.FEISHU] = (title, f"{title}\n{text}")
        elif body.get("msgtype") == "markdown" and "title" in body["markdown"]:
            found[Provider.DINGTALK] = (body["markdown"]["title"], body["markdown"]["text"])
        elif body.get("msgtype") == "markdown":
            content = body["markdown"]["content"]
            found[Provider.WECOM] = (content.split("\n", 1)[0].strip("*"), content)
        else:
            text = body["text"]
            key = "everyone" if received.path.endswith("everyone-hook") else Provider.SLACK
            found[key] = (text.split("\n", 1)[0].strip("*"), text)
    return found


def test_deadline_reminders_in_chinese(reminded: World) -> None:
    [accountable] = sent_to(reminded.xiaoming)
    assert accountable.subject == "【Opsboard】12月2日到期提醒：5 张卡片需关注"
    assert accountable.body.startswith("王小明，你好：\n")
    for line in (
        "以下由你执行（R）的卡片即将到期：\n- 复核预售库存（双十一备货）：今天到期，12月2日（周三）",
        "以下卡片没有执行人（R），你是它们的最终负责人（A）：\n- 确认仓库排班（双十一备货）：12月5日（周六）到期",
        "- 签订物流合同（双十一备货，Wang Xiaoming）：已逾期 1 天，原定 12月1日（周二）到期",
        "- 海关单据（双十一备货，Wang Xiaoming）：已受阻 2 天，原因：等待法务审核",
        "以下卡片昨天已完成，供你知悉：\n- 上线预售页面（双十一备货，Wang Xiaoming）",
    ):
        assert line in accountable.body
    page = message_text(accountable.alternatives[0][0], is_html=True)
    assert "双十一备货 · Wang Xiaoming · 12月1日（周二） · 已逾期 1 天" in page
    assert "受阻原因：等待法务审核" in page
    assert_email_reads_as_chinese(accountable)

    [responsible] = sent_to(reminded.wang)
    assert responsible.subject == "【Opsboard】12月2日到期提醒：1 张卡片即将到期"
    # The whole name as written, not its first part.
    assert responsible.body.startswith("Wang Xiaoming，你好：\n")
    assert "- 核对备货清单（双十一备货）：3 天后到期，12月5日（周六）" in responsible.body
    assert_email_reads_as_chinese(responsible)


def test_chat_posts_in_chinese(reminded: World, chat_server: ChatServer) -> None:
    found = posts(chat_server)
    assert set(found) == {*HOOKS, "everyone"}
    for provider in HOOKS:
        title, text = found[provider]
        # Its own title: product, team, day and what; not the email's subject.
        assert title == "【Opsboard】仓储组 · 12月2日到期提醒", provider
        assert_reads_as_chinese(title, text)
        assert "没有执行人（R），12月5日（周六）到期" in text, provider
        assert "已受阻 2 天，原因：等待法务审核" in text, provider
        assert "Wang Xiaoming" in text and "Wang ·" not in text, provider
    assert found["everyone"][0] == "【Opsboard】双十一事业部 · 12月2日到期提醒"
    assert_reads_as_chinese(*found["everyone"])


@pytest.mark.parametrize("language", ["en"], indirect=True)
def test_deadline_reminders_and_chat_posts_in_english(
    reminded: World, chat_server: ChatServer
) -> None:
    [accountable] = sent_to(reminded.xiaoming)
    assert accountable.subject == "[Opsboard] Deadline reminder for Dec 2: 5 cards need attention"
    assert accountable.body.startswith("Hello 王小明,\n")
    assert "- 复核预售库存 (双十一备货): due today, on Wed, Dec 2" in accountable.body
    assert "- 确认仓库排班 (双十一备货): due Sat, Dec 5" in accountable.body
    assert (
        "- 签订物流合同 (双十一备货, Wang Xiaoming): 1 day overdue, was due Tue, Dec 1"
        in accountable.body
    )
    assert "- 海关单据 (双十一备货, Wang Xiaoming): blocked for 2 days: 等待法务审核" in (
        accountable.body
    )
    assert_email_reads_as_english(accountable)
    [responsible] = sent_to(reminded.wang)
    assert responsible.subject == "[Opsboard] Deadline reminder for Dec 2: 1 card due soon"
    assert responsible.body.startswith("Hello Wang Xiaoming,\n")
    assert_email_reads_as_english(responsible)
    found = posts(chat_server)
    for provider in HOOKS:
        assert found[provider][0] == "[Opsboard] 仓储组 · Deadline reminder for Dec 2", provider
        assert "nobody is Responsible, due Sat, Dec 5" in found[provider][1], provider
        assert not AMERICAN_DATES.search(found[provider][1])
    assert found["everyone"][0] == "[Opsboard] 双十一事业部 · Deadline reminder for Dec 2"


@both_languages
def test_the_chat_groups_test_post(
    world: World, language: str, chat_server: ChatServer, client_for
) -> None:
    manager = Membership.objects.get(user=world.na)
    webhook = ChatWebhook.objects.create(
        organization_id=world.organization.pk,
        team_id=world.team.pk,
        name="仓储组群",
        provider=Provider.SLACK,
        url=chat_server.url("/services/T000/B000/test-hook"),
    )
    client_for(manager.user).post(
        reverse("projects:chat_group_test", args=[world.organization.slug, webhook.pk])
    )
    [received] = chat_server.received
    title, text = received.body["text"].split("\n", 1)
    if language == "zh-hans":
        assert title == "*【Opsboard】双十一事业部 · 群聊已接通*"
        assert text == "仓储组群每天 09:00 起会在这里收到双十一事业部的到期提醒。"
        assert_reads_as_chinese(title, text)
    else:
        assert title == "*[Opsboard] 双十一事业部 · connected*"


# The weekly digest ----------------------------------------------------------------------


@pytest.fixture
def digests(world: World, django_capture_on_commit_callbacks) -> World:
    with (
        time_machine.travel(DIGEST_MONDAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_weekly_digests(now=DIGEST_MONDAY)
    return world


@both_languages
def test_the_weekly_digest_names_last_week(digests: World, language: str) -> None:
    [lead] = sent_to(digests.xiaoming)
    [manager] = sent_to(digests.na)
    if language == "zh-hans":
        assert lead.subject == (
            "【Opsboard】KPI 周报｜双十一事业部｜上周（11月23日—11月29日）"
            "：所有 KPI 都是绿灯或黄灯，1 张卡片逾期"
        )
        assert lead.body.startswith(
            "王小明，你好：\n\n以下是双十一事业部上周（11月23日—11月29日）的情况。"
        )
        for line in (
            "- 客户流失率 · 仓储组：18.5%（目标值 17.0%，黄灯），较前一周 −0.5 个百分点",
            "- 流失率降到 17%：",
            "已逾期：1 张卡片\n- 供应商对账（双十一备货，王小明）：11月27日（周五）到期",
            "受阻：1 张卡片\n- 海关单据（双十一备货，Wang Xiaoming）：等待法务审核",
            "上周完成：1 张卡片\n- 上线活动页（双十一备货，王小明）",
        ):
            assert line in lead.body
        page = message_text(lead.alternatives[0][0], is_html=True)
        assert "上周" in page and "较前一周" in page
        for message in (lead, manager):
            for text in (message.subject, message.body, message.alternatives[0][0]):
                assert "本周" not in text
            assert_email_reads_as_chinese(message)
        assert manager.body.startswith("李娜，你好：")
    else:
        assert lead.subject == (
            "[Opsboard] Weekly KPI digest · 双十一事业部 · Last week (Nov 23 – Nov 29)"
            ": every KPI in the green or amber, 1 card overdue"
        )
        assert "Here is last week at 双十一事业部 (Nov 23 – Nov 29)." in lead.body
        assert (
            "- 客户流失率 · 仓储组: 18.5% (target 17.0%, amber), vs the week before −0.5 percentage points"
            in (lead.body)
        )
        assert "- 供应商对账 (双十一备货, 王小明): due Fri, Nov 27" in lead.body
        assert "Finished last week: 1 card" in lead.body
        for message in (lead, manager):
            for text in (message.subject, message.body, message.alternatives[0][0]):
                assert "This week" not in text and "this week" not in text
            assert_email_reads_as_english(message)


@both_languages
def test_the_digest_preview_says_this_week_so_far(
    digests: World, language: str, client_for
) -> None:
    client = client_for(digests.xiaoming)
    with time_machine.travel(REMINDER_DAY, tick=False):
        page = client.get(reverse("metrics:digest_preview", args=["shuang11"])).content.decode()
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', page)[1])
    if language == "zh-hans":
        assert "本周至今（11月30日—12月2日）" in page
        assert "本周至今完成" in srcdoc and "上周" not in srcdoc
        assert "主题：【Opsboard】" in message_text(page, is_html=True)
    else:
        assert "This week so far (Nov 30 – Dec 2)" in page
        assert "Finished this week so far" in srcdoc and "Last week" not in srcdoc


# The monthly retrospective -------------------------------------------------------------


@both_languages
def test_the_retrospective_names_its_month(
    world: World, language: str, django_capture_on_commit_callbacks
) -> None:
    with (
        time_machine.travel(RETROSPECTIVE_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        build_retrospectives(now=RETROSPECTIVE_DAY)
    built = [m for m in sent_to(world.xiaoming) if "双十一备货" in m.subject]
    [quiet] = sent_to(world.na)
    retrospective = Retrospective.objects.get(project=world.project)
    lead = Membership.objects.get(user=world.xiaoming)
    mail.outbox.clear()
    with (
        time_machine.travel(RETROSPECTIVE_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        retrospective_update(
            actor=lead,
            retrospective=retrospective,
            highlights="预售页面提前上线",
            problems="物流合同签订延误",
        )
        retrospective_action_add(
            actor=lead,
            retrospective=retrospective,
            title="每周一对齐物流进度",
            owner=world.wang,
            due_date=date(2026, 12, 15),
        )
        retrospective_finalise(actor=lead, retrospective=retrospective)
    [final] = sent_to(world.xiaoming)
    [built] = built
    if language == "zh-hans":
        assert built.subject == "【Opsboard】双十一备货 2026年11月复盘已生成"
        assert final.subject == "【Opsboard】双十一备货 2026年11月复盘已定稿"
        assert built.body.startswith("王小明，你好：\n\n双十一备货 2026年11月的月度复盘已生成。")
        assert "2026年11月数据：\n" in built.body and "数据显示有 " in built.body
        assert "团队已完成双十一备货 2026年11月的复盘。" in final.body
        assert "- 每周一对齐物流进度（负责人：Wang Xiaoming，12月15日到期）" in final.body
        assert "负责人：Wang Xiaoming · 12月15日（周二）到期" in message_text(
            final.alternatives[0][0], is_html=True
        )
        assert quiet.subject == "【Opsboard】客服组 2026年11月复盘已生成"
        assert "2026年11月，该团队没有任何动静" in quiet.body
        for message in (built, final, quiet):
            for text in (message.subject, message.body, message.alternatives[0][0]):
                assert "本月" not in text
            assert "您" not in message.alternatives[0][0]
            assert_email_reads_as_chinese(message)
    else:
        assert built.subject == (
            "[Opsboard] 双十一备货: the retrospective of November 2026 is ready for review"
        )
        assert final.subject == "[Opsboard] 双十一备货: the retrospective of November 2026 is final"
        assert "November 2026 in figures:\n" in built.body
        assert "- 每周一对齐物流进度 (owner Wang Xiaoming, due Dec 15)" in final.body
        for message in (built, final, quiet):
            assert "this month" not in message.body.lower()
            assert_email_reads_as_english(message)


# Invitation and password reset ---------------------------------------------------------


@both_languages
def test_the_invitation(world: World, language: str) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=SHANGHAI), tick=False):
        invitation = InvitationFactory(
            organization=world.organization,
            invited_by=world.xiaoming,
            token="invitation-token",
            email="newcomer@example.test",
        )
        assert invitation_email_send(invitation_id=invitation.pk, token="invitation-token")
    [message] = mail.outbox
    if language == "zh-hans":
        assert message.subject == "【Opsboard】王小明邀请你加入双十一事业部"
        assert message.body.startswith("王小明邀请你以成员身份加入 Opsboard 上的双十一事业部。")
        # The zone as Chinese readers name it, not 「CST」.
        assert "链接仅可使用一次，有效期至北京时间 12月9日（周三）10:00。" in message.body
        assert "CST" not in message.body
        assert_email_reads_as_chinese(message)
    else:
        assert message.subject == "[Opsboard] 王小明 invited you to join 双十一事业部"
        assert "expires on Wed, Dec 9 at 10:00 (Beijing time)." in message.body
        assert_email_reads_as_english(message)


@both_languages
def test_password_resets_greet_by_the_whole_name_or_none(
    world: World, language: str, client
) -> None:
    for user in (world.xiaoming, world.nameless):
        client.post(reverse("accounts:password_reset"), {"email": user.email})
    named, nameless = mail.outbox
    if language == "zh-hans":
        assert named.subject == nameless.subject == "【Opsboard】重置你的密码"
        assert named.body.startswith("王小明，你好：\n")
        assert nameless.body.startswith("你好：\n")
        assert "nameless@example.test，你好" not in nameless.body
        for message in (named, nameless):
            assert_email_reads_as_chinese(message)
    else:
        assert named.subject == "[Opsboard] Reset your password"
        assert named.body.startswith("Hello 王小明,\n")
        assert nameless.body.startswith("Hello,\n")
        for message in (named, nameless):
            assert_email_reads_as_english(message)
