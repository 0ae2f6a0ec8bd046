"""Links point at the running site: the development server records its address for the jobs
run by hand beside it, which read it when SITE_URL is not set."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from opsboard.accounts.management.commands.runserver import Command as Runserver
from tests.integration.processes import ROOT, clean_environment


def started(addr: str, *, ipv6: bool = False) -> Runserver:
    command = Runserver(stdout=io.StringIO(), stderr=io.StringIO())
    command.addr, command._raw_ipv6, command.protocol = addr, ipv6, "http"
    return command


def test_the_development_server_records_where_it_serves(
    tmp_path: Path, settings, monkeypatch
) -> None:
    settings.SITE_URL_FILE = tmp_path / "var" / "site-url"
    monkeypatch.delenv("SITE_URL", raising=False)
    started("127.0.0.1").on_bind(8123)
    assert settings.SITE_URL_FILE.read_text() == "http://127.0.0.1:8123\n"
    started("0.0.0.0").on_bind(8124)  # noqa: S104 - every interface: reached at loopback
    assert settings.SITE_URL_FILE.read_text() == "http://127.0.0.1:8124\n"
    started("::1", ipv6=True).on_bind(8125)
    assert settings.SITE_URL_FILE.read_text() == "http://[::1]:8125\n"
    # make run gives the server the address people use (SITE_URL from PORT): that one.
    monkeypatch.setenv("SITE_URL", "http://opsboard.local:8080/")
    started("127.0.0.1").on_bind(8080)
    assert settings.SITE_URL_FILE.read_text() == "http://opsboard.local:8080\n"


def site_url(settings_module: str, var: Path, **environment: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", f"from {settings_module} import SITE_URL; print(SITE_URL)"],
        cwd=ROOT,
        env=clean_environment(OPSBOARD_VAR_DIR=str(var), **environment),
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


@pytest.mark.parametrize("recorded", [True, False])
def test_a_job_run_by_hand_reads_the_recorded_address(tmp_path: Path, recorded: bool) -> None:
    if recorded:
        (tmp_path / "site-url").write_text("http://127.0.0.1:8123\n")
    development = "opsboard.settings.development"
    expected = "http://127.0.0.1:8123" if recorded else "http://127.0.0.1:8000"
    assert site_url(development, tmp_path) == expected
    # A SITE_URL set for the command wins; the tests' settings never read the file.
    assert site_url(development, tmp_path, SITE_URL="https://x.example") == "https://x.example"
    assert site_url("opsboard.settings.test", tmp_path) == "http://127.0.0.1:8000"
