"""The demo's pages as a Chinese ops lead and an English one read them: nothing reads as translated."""

from __future__ import annotations

import pytest
from django.test import Client

from opsboard.accounts.models import User
from tests.demo_pages import demo_pages
from tests.reading import AMERICAN_DATES, read_as_translated, visible_text

LEAD = "lead@demo.opsboard.test"


def pages_read_by(client: Client, language: str) -> dict[str, str]:
    user = User.objects.get(email=LEAD)
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    pages = {}
    for name, url in demo_pages(managers=False).items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = visible_text(response.content.decode())
    return pages


@pytest.mark.django_db
def test_the_chinese_pages_read_as_written_in_chinese(demo: None, client: Client) -> None:
    pages = pages_read_by(client, "zh-hans")
    assert "看板" in pages["board"] and "最终负责人" in pages["raci"]  # read in Chinese indeed
    found = {name: places for name, text in pages.items() if (places := read_as_translated(text))}
    assert found == {}


@pytest.mark.django_db
def test_the_english_pages_write_dates_one_way(demo: None, client: Client) -> None:
    pages = pages_read_by(client, "en")
    found = {name: AMERICAN_DATES.findall(text) for name, text in pages.items()}
    assert {name: dates for name, dates in found.items() if dates} == {}


def test_the_checker_finds_what_reads_as_translated() -> None:
    assert read_as_translated("受阻: 等待供应商") == ["受阻: 等待供应商"]
    assert read_as_translated("截止 十二月 4") and read_as_translated("已受阻 1 周，2 日")
    assert read_as_translated("Due Dec. 4, 2026") and read_as_translated("due 12/04/2026")
    assert (
        read_as_translated(
            "受阻：等待供应商 · 12月4日（周五） · Dec 4, 2026 · 3 天 · 周期时间 ±0.0 周期"
        )
        == []
    )
