"""People are addressed by their whole name as written, never a split "first name" nor
their email address; avatars show what Feishu and DingTalk show."""

from __future__ import annotations

import pytest

from opsboard.accounts.models import User
from opsboard.accounts.names import initials


def person(full_name: str, email: str = "xiaoming.wang@example.test") -> User:
    return User(email=email, full_name=full_name)


@pytest.mark.parametrize(
    "full_name",
    ["王小明", "欧阳娜娜", "Wang Xiaoming", "Ada Lovelace", "ada", "阿卜杜拉·买买提"],
)
def test_a_greeting_uses_the_whole_name_as_written(full_name: str) -> None:
    user = person(full_name)
    assert user.addressed_as == full_name
    assert user.get_short_name() == full_name
    assert user.get_full_name() == full_name


def test_a_greeting_without_a_name_has_no_name_and_never_the_email_address() -> None:
    for nameless in (person(""), person("   ")):
        assert nameless.addressed_as == ""
        assert nameless.get_short_name() == ""
        assert "@" not in nameless.addressed_as


def test_a_list_of_people_falls_back_to_the_email_address() -> None:
    assert person("王小明").display_name == "王小明"
    assert person(" Wang Xiaoming ").display_name == "Wang Xiaoming"
    assert person("", email="li.si@example.test").display_name == "li.si@example.test"
    assert str(person("", email="li.si@example.test")) == "li.si@example.test"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Chinese names: the given name, as Feishu and DingTalk show it.
        ("王小明", "小明"),
        ("欧阳娜娜", "娜娜"),
        ("李四", "李四"),
        ("王", "王"),
        ("欧阳 娜娜", "娜娜"),
        ("阿卜杜拉·买买提", "买提"),
        ("  王小明  ", "小明"),
        # Latin names: the first letters of the first and the last word.
        ("Wang Xiaoming", "WX"),
        ("wang xiaoming", "WX"),
        ("ada", "A"),
        ("Mary Ann Smith", "MS"),
        ("  Ada   Lovelace ", "AL"),
        ("Élodie Dupont", "ÉD"),
        ("Ada - Lovelace", "AL"),
        ("(Ada) Lovelace", "AL"),
        # Both: the Chinese name.
        ("Tom 王小明", "小明"),
        ("王小明 (Tom)", "小明"),
        # Korean and Japanese names are written without spaces too.
        ("김민수", "민수"),
        ("山田たろう", "ろう"),
        # Nothing to show.
        ("", ""),
        ("   ", ""),
        ("- ·", ""),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


@pytest.mark.parametrize(
    ("full_name", "email", "expected"),
    [
        ("王小明", "wang@example.test", "小明"),
        ("Wang Xiaoming", "wang@example.test", "WX"),
        ("", "xu.jie@example.test", "X"),
        ("   ", "li@example.test", "L"),
        ("", "", "?"),
    ],
)
def test_a_persons_avatar_falls_back_to_the_email_address(
    full_name: str, email: str, expected: str
) -> None:
    assert person(full_name, email=email).initials == expected
