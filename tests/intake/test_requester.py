"""The requester's side: My requests, the request page (answers, files, the conversation
and a reply), My work; who may read a request (the requester, the team's members, the
managers) and who gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.models import Request, RequestState
from intake.services import request_reply, request_submit
from kanban.models import Comment
from opsboard.tenancy.models import Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.intake.requesting import Intake, make_intake
from tests.kanban.files import png
from tests.reading import read_as_translated, visible_text
from tests.test_form_labels import label_problems


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


def send(intake: Intake, actor, title: str = "Churned users", **files) -> Request:
    return request_submit(
        actor=actor,
        request_type=intake.data_pull,
        title=title,
        answers={intake.key("Which data"): "Cancellations", intake.key("Format"): "CSV"},
        files={intake.key("Sample"): f for f in files.values()},
    )


def page(sent: Request) -> str:
    return reverse("intake:request_detail", args=["acme", sent.pk])


def test_the_request_page_shows_answers_files_and_the_conversation(
    tenant: Tenant, intake: Intake, client
) -> None:
    sent = send(intake, tenant.member, sample=png("样例.png"))
    request_reply(actor=intake.analyst, request=sent, body="Which month exactly?")
    client.force_login(tenant.member.user)
    response = client.get(page(sent))
    assert response.status_code == 200
    text = response.text
    assert "Churned users" in text and "Cancellations" in text and "CSV" in text
    assert "样例.png" in text and "Which month exactly?" in text
    assert "Confirm it is done" not in text  # the team is not done
    response = client.post(
        reverse("intake:request_reply", args=["acme", sent.pk]), {"body": "October 2026"}
    )
    assert response.status_code == 302
    reply = Comment.objects.filter(card=sent.card).latest("pk")
    assert (reply.author, reply.body) == (tenant.member.user, "October 2026")
    empty = client.post(reverse("intake:request_reply", args=["acme", sent.pk]), {"body": " "})
    assert empty.status_code == 400
    assert 'id="id_body_error"' in empty.text


def test_who_reads_a_request(tenant: Tenant, other_tenant: Tenant, intake: Intake, client) -> None:
    sent = send(intake, tenant.member)
    # Another of Product (not the requester, not in User Operations): 404, as a stranger.
    colleague = MembershipFactory(
        organization=tenant.organization, role=Role.MEMBER, teams=[tenant.team]
    )
    readers = {
        tenant.member.user: 200,  # the requester
        intake.analyst.user: 200,  # the team's member
        intake.lead.user: 200,  # the team's lead
        tenant.manager.user: 200,
        colleague.user: 404,
        tenant.lead.user: 404,  # Product's lead
    }
    for user, expected in readers.items():
        client.force_login(user)
        assert client.get(page(sent)).status_code == expected, user
    for url in (page(sent), reverse("intake:request_reply", args=["acme", sent.pk])):
        client.force_login(colleague.user)
        assert client.post(url, {"body": "Me too"}).status_code in (404, 405)
    client.force_login(other_tenant.owner.user)
    assert client.get(reverse("intake:request_detail", args=["rival", sent.pk])).status_code == 404


def test_my_requests_lists_mine_and_my_teams(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    for n in range(3):
        send(intake, tenant.member, title=f"Pull {n}")
    send(intake, tenant.lead, title="From the lead")
    url = reverse("intake:request_list", args=["acme"])
    client.force_login(tenant.member.user)
    listing = client.get(url).text
    assert "Pull 0" in listing and "Pull 2" in listing and "From the lead" not in listing
    assert reverse("intake:type_list", args=["acme"]) not in listing
    client.force_login(intake.analyst.user)
    client.get(url)
    with django_assert_num_queries(4):  # session, memberships, has teams, the requests
        listing = client.get(url).text
    assert "From the lead" in listing and "Pull 1" in listing
    mine = client.get(url, {"scope": "mine"}).text
    assert "From the lead" not in mine and "No requests yet." in mine
    for n in range(10):
        send(intake, tenant.lead, title=f"More {n}")
    with django_assert_num_queries(4):  # the same for fourteen
        client.get(url)
    client.force_login(intake.lead.user)
    assert reverse("intake:type_list", args=["acme"]) in client.get(url).text


def test_my_work_lists_my_open_requests_and_those_to_confirm(
    tenant: Tenant, intake: Intake, client
) -> None:
    waiting = send(intake, tenant.member, title="Still with the team")
    finished = send(intake, tenant.member, title="Finished by the team")
    closed = send(intake, tenant.member, title="Long closed")
    Request.objects.filter(pk=finished.pk).update(state=RequestState.DONE)
    Request.objects.filter(pk=closed.pk).update(state=RequestState.CLOSED)
    client.force_login(tenant.member.user)
    text = client.get(reverse("projects:my_work", args=["acme"])).text
    assert "Done, waiting for your confirmation" in text
    assert "Finished by the team" in text and "Still with the team" in text
    assert "Long closed" not in text
    assert page(waiting) in text and page(finished) in text
    answer = client.get("/api/v1/organizations/acme/my-work/").json()
    part = next(p for p in answer["parts"] if p["key"] == "requests")
    assert [g["total"] for g in part["groups"]] == [1, 1]
    assert part["groups"][0]["items"][0]["kind"] == "request"


def test_the_requesters_pages_read_in_chinese(tenant: Tenant, intake: Intake, client) -> None:
    sent = send(intake, tenant.member, title="十月流失用户")
    Request.objects.filter(pk=sent.pk).update(state=RequestState.DONE)
    request_reply(actor=intake.analyst, request=sent, body="已导出，请查收。")
    client.force_login(tenant.member.user)
    client.cookies["django_language"] = "zh-hans"
    pages = {
        reverse("intake:request_list", args=["acme"]): "我的需求",
        reverse("intake:request_new", args=["acme"]): "提需求",
        reverse("intake:request_send", args=["acme", intake.data_pull.pk]): "你需要什么？",
        page(sent): "已完成，待确认",
    }
    for url, words in pages.items():
        text = client.get(url).text
        assert words in text, url
        assert read_as_translated(visible_text(text)) == [], url
        assert label_problems(text) == [], url
    client.force_login(intake.lead.user)
    for url in (
        reverse("intake:type_list", args=["acme"]),
        reverse("intake:type_edit", args=["acme", intake.data_pull.pk]),
    ):
        text = client.get(url).text
        assert "需求类型" in text, url
        assert read_as_translated(visible_text(text)) == [], url
        assert label_problems(text) == [], url


def test_the_request_page_reads_in_the_same_queries_however_long_the_conversation(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    sent = send(intake, tenant.member, sample=png())
    client.force_login(tenant.member.user)
    client.get(page(sent))
    # Session, memberships, the request with its card, type, team and rating, its files,
    # the questions, the comments with their authors (the people they mention: none here).
    with django_assert_num_queries(QUERIES):
        client.get(page(sent))
    for n in range(12):
        request_reply(
            actor=intake.analyst if n % 2 else tenant.member, request=sent, body=f"Note {n}"
        )
    with django_assert_num_queries(QUERIES):
        text = client.get(page(sent)).text
    assert "Note 11" in text


QUERIES = 6
