"""Start and stop the real parts integration tests talk to."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def clean_environment(**overrides: str) -> dict[str, str]:
    """The environment of a child process: ours, less the app's settings, plus overrides."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "OPSBOARD_", "SITE_URL")
        )
    }
    environment.update(overrides)
    return environment


@contextmanager
def running(
    command: list[str], *, environment: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a process for the duration of a ``with`` block; its output goes to ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def celery_worker_command() -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "opsboard",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]


def wait_for_worker(log: Path, *, timeout: float = 60) -> None:
    wait_until(
        lambda: b"ready." in log.read_bytes(), timeout=timeout, what=f"the Celery worker ({log})"
    )
