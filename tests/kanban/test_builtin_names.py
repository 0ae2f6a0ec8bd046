"""What the product names (a board's first columns, its labels) reads in each reader's
language; what a person typed reads as typed, in every language."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from kanban.models import BuiltinLabel, Column, ColumnKind, Label
from kanban.services import CardInput, card_create, column_create, column_update, label_create
from opsboard.accounts.models import User
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup

API = "/api/v1/organizations/acme"
ENGLISH = ["To do", "In progress", "Done"]
CHINESE = ["待办", "进行中", "已完成"]


@pytest.fixture
def chinese_board(tenant: Tenant) -> BoardSetup:
    """A board of a Chinese organisation, made as the product makes every board."""
    tenant.organization.language = "zh-hans"
    tenant.organization.save()
    return board_setup(tenant, name="流失")


def column_headings(html: str) -> list[str]:
    return re.findall(r'<ol class="cards" data-column="\d+" aria-label="([^"]*)"', html)


def read_as(client, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)


def test_a_new_boards_columns_are_built_ins(chinese_board: BoardSetup) -> None:
    columns = list(chinese_board.board.columns.order_by("position"))
    assert [(c.name, c.kind) for c in columns] == [
        ("", ColumnKind.TODO),
        ("", ColumnKind.DOING),
        ("", ColumnKind.DONE),
    ]
    with translation.override("en"):
        assert [c.display_name for c in columns] == ENGLISH
    with translation.override("zh-hans"):
        assert [c.display_name for c in columns] == CHINESE


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("zh-hans", CHINESE)])
def test_a_chinese_organisations_board_reads_in_the_readers_language(
    tenant: Tenant, chinese_board: BoardSetup, client, language: str, expected: list[str]
) -> None:
    read_as(client, tenant.member.user, language)
    page = client.get(reverse("kanban:board_detail", args=["acme", chinese_board.board.pk]))
    assert column_headings(page.text) == expected


def test_a_renamed_column_reads_as_typed_in_every_language(
    tenant: Tenant, chinese_board: BoardSetup, client
) -> None:
    column_update(
        actor=tenant.lead, column=chinese_board.doing, name="评审中", kind="doing",
        wip_limit=None, wip_hard=False,
    )  # fmt: skip
    url = reverse("kanban:board_detail", args=["acme", chinese_board.board.pk])
    read_as(client, tenant.member.user, "en")
    assert column_headings(client.get(url).text) == ["To do", "评审中", "Done"]
    read_as(client, tenant.member.user, "zh-hans")
    assert column_headings(client.get(url).text) == ["待办", "评审中", "已完成"]


def test_an_empty_name_or_the_built_in_name_in_any_language_restores_the_built_in(
    tenant: Tenant, chinese_board: BoardSetup
) -> None:
    column = chinese_board.doing

    def rename(name: str) -> str:
        column_update(
            actor=tenant.lead,
            column=column,
            name=name,
            kind="doing",
            wip_limit=None,
            wip_hard=False,
        )
        column.refresh_from_db()
        return column.name

    for builtin in ("", " 进行中 ", "In progress", "in progress"):
        assert rename("Peer review") == "Peer review"
        assert rename(builtin) == ""
    # The name of another kind is a name like any other.
    assert rename("Done") == "Done"


def test_a_new_column_without_a_name_takes_the_name_of_its_kind(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    column = column_create(actor=tenant.lead, board=kanban.board, name="  ", kind="doing")
    assert column.name == ""
    with translation.override("zh-hans"):
        assert str(column) == "进行中"


def test_the_columns_page_shows_a_built_in_name_as_the_empty_fields_placeholder(
    tenant: Tenant, chinese_board: BoardSetup, client
) -> None:
    read_as(client, tenant.lead.user, "en")
    page = client.get(reverse("kanban:board_columns", args=["acme", chinese_board.board.pk]))
    doing = chinese_board.doing.pk
    assert re.search(rf'name="column-{doing}-name"[^>]*placeholder="In progress"', page.text)
    assert f'name="column-{doing}-name" value=' not in page.text
    # Saving the row unchanged keeps the built-in.
    client.post(
        reverse("kanban:column_update", args=["acme", doing]),
        {"action": "save", f"column-{doing}-name": "", f"column-{doing}-kind": "doing"},
    )
    chinese_board.doing.refresh_from_db()
    assert chinese_board.doing.name == ""


def test_the_api_names_columns_in_the_requests_language(
    tenant: Tenant, chinese_board: BoardSetup, client
) -> None:
    client.force_login(tenant.member.user)
    url = f"{API}/boards/{chinese_board.board.pk}/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["columns"]
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["columns"]
    assert [c["name"] for c in english] == ENGLISH
    assert [c["name"] for c in chinese] == CHINESE
    assert all(c["builtin_name"] for c in english)

    # A client sending back the name it read leaves the built-in a built-in.
    client.force_login(tenant.lead.user)
    doing = english[1]
    response = client.patch(
        f"{API}/columns/{doing['id']}/",
        {"name": doing["name"], "wip_limit": 4},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["name"] == "In progress" and response.json()["builtin_name"]
    response = client.patch(
        f"{API}/columns/{doing['id']}/",
        {"name": "Review"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json()["name"] == "Review" and not response.json()["builtin_name"]


@pytest.fixture
def bug(kanban: BoardSetup) -> Label:
    return Label.objects.create(board=kanban.board, builtin=BuiltinLabel.BUG, color="#b3261e")


def test_a_built_in_label_reads_in_the_readers_language(
    tenant: Tenant, kanban: BoardSetup, bug: Label, client
) -> None:
    kanban.add(tenant, "Fix payment retries", labels=[bug])
    url = reverse("kanban:board_detail", args=["acme", kanban.board.pk])
    read_as(client, tenant.member.user, "en")
    assert re.search(r'<span class="label"[^>]*>bug</span>', client.get(url).text)
    read_as(client, tenant.member.user, "zh-hans")
    assert re.search(r'<span class="label"[^>]*>缺陷</span>', client.get(url).text)


def test_a_built_in_label_answers_to_its_name_in_every_language(
    tenant: Tenant, kanban: BoardSetup, bug: Label, client
) -> None:
    for name in ("bug", "缺陷", " BUG "):
        with pytest.raises(ValidationError, match="already has that label"):
            label_create(actor=tenant.lead, board=kanban.board, name=name, color="#000000")
    assert label_create(actor=tenant.lead, board=kanban.board, name="供应商阻塞", color="#000000")

    client.force_login(tenant.member.user)
    response = client.post(
        f"{API}/boards/{kanban.board.pk}/cards/",
        {"title": "Retry payments", "labels": ["缺陷"]},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["labels"] == ["bug"]
    card = response.json()["id"]
    assert client.get(f"{API}/cards/{card}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["labels"] == [
        "缺陷"
    ]
    # Changing something else keeps the label, whatever language the answer was in.
    response = client.patch(
        f"{API}/cards/{card}/", {"priority": 3}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip
    assert response.json()["labels"] == ["缺陷"]
    response = client.post(
        f"{API}/boards/{kanban.board.pk}/cards/",
        {"title": "x", "labels": ["no such label"]},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_label_is_typed_or_built_in(kanban: BoardSetup) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(board=kanban.board, name="", builtin="")
    Label.objects.create(board=kanban.board, builtin=BuiltinLabel.DATA)
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(board=kanban.board, builtin=BuiltinLabel.DATA)


def test_the_demo_creates_built_in_columns_and_labels(demo: None) -> None:
    assert not Column.objects.exclude(name="").exists()
    labels = Label.objects.filter(board__project__name="Reduce customer churn")
    assert labels.exists() and not labels.filter(builtin="").exists()
    assert set(labels.values_list("name", flat=True)) == {""}


def test_the_card_avatar_shows_the_given_name(tenant: Tenant, kanban: BoardSetup, client) -> None:
    user = tenant.member.user
    user.full_name = "王小明"
    user.save()
    card_create(
        actor=tenant.lead, board=kanban.board, data=CardInput(title="Segment users", assignee=user)
    )
    client.force_login(user)
    page = client.get(reverse("kanban:board_detail", args=["acme", kanban.board.pk])).text
    assert '<abbr title="王小明">小明</abbr>' in page
