"""English and Simplified Chinese ship complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import Tenant
from tests.factories import GoalFactory, ProjectFactory

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

needs_gettext = pytest.mark.skipif(
    not shutil.which("xgettext"), reason="needs Debian's gettext (.ci/run installs it)"
)


@needs_gettext
def test_every_string_in_the_code_has_a_chinese_translation() -> None:
    committed = PO.read_bytes()
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--locale",
                "zh_Hans",
                "--no-obsolete",
                "--extension",
                "html,txt,py,md",  # chat posts are Markdown templates
                "--ignore",
                ".venv/*",
                "--ignore",
                "static/vendor/*",
                "--ignore",
                "staticfiles/*",
                "--ignore",
                "tests/*",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        statistics = subprocess.run(
            ["msgfmt", "--statistics", "-o", "/dev/null", str(PO)],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
    finally:
        PO.write_bytes(committed)
    advice = f"{statistics.strip()}: run `make messages`, translate the new strings in {PO.name}"
    assert "untranslated" not in statistics, advice
    assert "fuzzy" not in statistics, advice


@needs_gettext
def test_compiled_catalogue_matches_the_translations(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), (
        "run `make compilemessages` and commit the .mo file"
    )


ENGLISH_ONLY = [
    "My work",
    "Organisation overview",
    "Teams",
    "People",
    "Sign out",
    "Your teams",
    "Invite a colleague",
    "Language:",
]


def test_switching_language_switches_the_whole_page(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    dashboard = reverse("projects:dashboard", args=["acme"])
    english = client.get(dashboard).text
    assert all(text in english for text in ENGLISH_ONLY)

    response = client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": dashboard}
    )
    assert response.status_code == 302
    assert response["Location"] == dashboard
    chinese = client.get(dashboard)
    assert chinese["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in chinese.text
    for text in ("我的工作", "组织概览", "团队", "成员", "退出登录", "邀请同事"):
        assert text in chinese.text
    body = chinese.text.split("<body", 1)[1]
    assert not [text for text in ENGLISH_ONLY if text in body]

    # The choice is kept on the account, so it follows the person to another browser.
    tenant.manager.user.refresh_from_db()
    assert tenant.manager.user.language == "zh-hans"
    client.logout()
    client.cookies.clear()
    client.force_login(tenant.manager.user)
    assert "组织概览" in client.get(dashboard).text


def test_signed_out_pages_follow_the_browser(db, client) -> None:
    response = client.get(reverse("accounts:login"), headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert "登录 Opsboard" in response.text
    response = client.get(reverse("accounts:login"), headers={"accept-language": "en-GB"})
    assert "Sign in to Opsboard" in response.text


def test_admin_speaks_chinese_too(tenant: Tenant, client) -> None:
    user = tenant.manager.user
    user.is_staff = True
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:tenancy_team_changelist"))
    assert "Opsboard 管理后台" in response.text
    assert "团队负责人" in response.text


def test_goal_page_and_check_speak_chinese(tenant: Tenant, client) -> None:
    project = ProjectFactory(organization=tenant.organization)
    goal = GoalFactory(organization=tenant.organization, project=project, title="降低流失")
    user = tenant.lead.user
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk])).text
    for text in (
        "SMART 检查",
        "没有对齐任何上级目标。",
        "基线",
        "目标值",
        "状态如何判定",
        "更新进展",
    ):
        assert text in page
    response = client.post(
        reverse("projects:goal_smart_check", args=["acme"]) + f"?project={project.pk}",
        {
            "title": "x",
            "baseline": "5",
            "target": "5",
            "metric_name": "m",
            "direction": "increase",
            "unit": "count",
        },
    )
    assert "目标值与基线相同。" in response.text
