"""What the HTTP benchmarks share: a seeded board served by gunicorn, and the clients that time it.

``served()`` creates a throwaway PostgreSQL database, seeds it, empties the
cache, collects the static files once, and runs gunicorn with 3 sync workers on a
free loopback port under ``bench/settings.py`` (the production settings, plus the
references of ``bench/references.py``), stopping it by its pid even on error.
Sessions are written straight into the seeded database, so no sign-in form is
needed. ``Client`` is a one-connection HTTP client (gzip accepted, as a browser
does) that records each answer's time, decoded and on-the-wire bytes and the
server's own time (``Server-Timing``); ``alternate`` and ``alternate_rates``
measure Opsboard and its reference in turns in the same run, one request at a
time and with ``wrk`` at 32 connections.

(Not ``bench/http.py``: the scripts run from ``bench/``, where that name would hide
the standard library's ``http``.)
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import gzip
import http.client
import math
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode, urlparse

from board_pages import seed
from common import throwaway_database
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kanban.models import Board, Card, Label, Priority
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Role, Team

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
CONNECTIONS = 32
# The CSRF cookie the clients set themselves, and send back in X-CSRFToken.
CSRF_TOKEN = "0123456789abcdefghijklmnopqrstuv"
FETCH = {"X-Requested-With": "fetch"}
REVISION_IN_HTML = re.compile(rb'data-revision="(\d+)"')


# The data.


@dataclass
class SeededBoard:
    size: int
    slug: str
    board_id: int
    todo_id: int
    doing_id: int
    people: list[User]
    todo_cards: list[int]

    @property
    def lead(self) -> User:
        return self.people[0]

    def url(self, tail: str = "") -> str:
        return f"/o/{self.slug}/boards/{self.board_id}/{tail}"

    def reference_url(self) -> str:
        return f"/bench{self.url()}"

    def move_url(self, card_id: int) -> str:
        return f"/o/{self.slug}/cards/{card_id}/move/"

    def revision(self) -> int:
        return Board.objects.values_list("revision", flat=True).get(pk=self.board_id)


def seed_board(size: int, *, people: int = 20) -> SeededBoard:
    """``board_pages.seed`` (a third of the cards in each column, labels, assignees, due
    dates, a month of history), with four teams, some second labels, high and urgent
    priorities, a few blocked cards, and ``people`` members in all."""
    lead, project = seed(size)
    organization = project.organization
    board = project.boards.get()
    extra = User.objects.bulk_create(
        User(email=f"p{n}@bench{size}.test", full_name=f"Person {n}") for n in range(20, people)
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.MEMBER) for user in extra
    )
    teams = [
        organization.teams.get(),
        *Team.objects.bulk_create(
            Team(organization=organization, name=name)
            for name in ("Product", "Engineering", "Logistics")
        ),
    ]
    cards = list(board.cards.order_by("pk").values_list("pk", flat=True))
    for n, team in enumerate(teams[1:], start=1):
        Card.objects.filter(pk__in=cards[n :: len(teams)]).update(team=team)
    Card.objects.filter(pk__in=cards[::7]).update(priority=Priority.HIGH)
    Card.objects.filter(pk__in=cards[3::11]).update(priority=Priority.URGENT)
    Card.objects.filter(pk__in=cards[5::25]).update(
        blocked=True, blocked_reason="Waiting for the supplier's quote", blocked_at=timezone.now()
    )
    labels = list(board.labels.order_by("pk"))
    for label, color in zip(
        labels, ("#c0392b", "#2980b9", "#27ae60", "#f1c40f", "#8e44ad"), strict=True
    ):
        Label.objects.filter(pk=label.pk).update(color=color)
    Card.labels.through.objects.bulk_create(
        Card.labels.through(card_id=card, label_id=labels[(n + 1) % len(labels)].pk)
        for n, card in enumerate(cards)
        if n % 3 == 0
    )
    todo, doing = board.columns.order_by("position")[:2]
    return SeededBoard(
        size=size,
        slug=organization.slug,
        board_id=board.pk,
        todo_id=todo.pk,
        doing_id=doing.pk,
        people=[
            lead,
            *User.objects.filter(memberships__organization=organization)
            .exclude(pk=lead.pk)
            .order_by("pk"),
        ],
        todo_cards=list(
            board.cards.filter(column=todo).order_by("rank").values_list("pk", flat=True)
        ),
    )


def session_for(user: User) -> str:
    """A signed-in session for ``user``, written into the database the server reads."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


# The server.


@dataclass
class Server:
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _collect_static() -> None:
    """Production's manifest storage needs the static files collected; again only when they changed."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def gunicorn(workers: int = WORKERS, threads: int = 1) -> Iterator[Server]:
    """gunicorn over the current (throwaway) database, as production runs it (or with
    ``threads`` per worker); stopped on the way out."""
    database_url = urlparse(os.environ["DATABASE_URL"])._replace(
        path="/" + connection.settings_dict["NAME"]
    )
    port = _free_port()
    log_path = Path(settings.VAR_DIR) / "bench-gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "opsboard.wsgi", "--chdir", str(ROOT)),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
                # Threaded for streams, which end only when the server stops them.
                *(
                    ("--threads", str(threads), "--graceful-timeout", "3", "--keep-alive", "5")
                    if threads > 1
                    else ()
                ),
            ],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": database_url.geturl(),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {process.returncode}): see {log_path}")
            try:
                Client(port).get("/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"gunicorn did not answer within 60 s: see {log_path}"
                    ) from None
                time.sleep(0.2)
        yield Server(port=port, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def served(seeding: Callable[[], object], *, threads: int = 1) -> Iterator[tuple[Server, object]]:
    """A throwaway database seeded by ``seeding()``, served by gunicorn."""
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opsboard")
    with throwaway_database():
        _collect_static()
        cache.clear()  # fragments cached by an earlier run would name cards of another database
        seeded = seeding()
        with gunicorn(threads=threads) as server:
            yield server, seeded


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children: live ones, and those it has reaped."""

    def stat(of: Path) -> list[str]:
        text = (of / "stat").read_text()
        return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on

    ticks = 0
    master = stat(Path(f"/proc/{pid}"))
    ticks += sum(int(master[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            fields = stat(process)
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:  # its parent is the master
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_load() -> str:
    """What else this machine is doing: the figures are only as quiet as it is."""
    one, five, _ = os.getloadavg()
    return f"(load average {one:.1f} / {five:.1f} over 1 / 5 minutes on {os.cpu_count()} cores)"


# The clients.


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes  # decoded
    wire: int  # the body's bytes as sent: compressed when the server compressed it
    ms: float  # from sending the request to the last byte of the answer

    @property
    def server_ms(self) -> float:
        """The server's own time (bench.references.server_timing), else the time seen here."""
        timing = re.search(r"app;dur=([\d.]+)", self.headers.get("Server-Timing", ""))
        return float(timing.group(1)) if timing else self.ms

    @property
    def revision(self) -> int | None:
        """The board revision the answer gives: its X-Board-Revision header, else the HTML's."""
        if header := self.headers.get("X-Board-Revision"):
            return int(header)
        found = REVISION_IN_HTML.search(self.body)
        return int(found.group(1)) if found else None

    def expect(self, *statuses: int) -> Answer:
        if self.status not in statuses:
            raise RuntimeError(f"answer {self.status}, expected {statuses}: {self.body[:300]!r}")
        return self


class Client:
    """One connection's worth of browser: its cookies, gzip, the CSRF header on posts.

    gunicorn's sync workers close each connection after the answer; http.client then
    opens a new one for the next request, as a proxy in front of them would."""

    def __init__(self, port: int, session: str = "", timeout: float = 60) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        cookies = f"csrftoken={CSRF_TOKEN}" + (f"; sessionid={session}" if session else "")
        self.headers = {"Accept-Encoding": "gzip", "Cookie": cookies}

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Answer:
        sent = {**self.headers, **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            sent |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": CSRF_TOKEN,
            }
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body, sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            raise
        ms = (time.perf_counter() - start) * 1000
        decoded = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        return Answer(response.status, response.headers, decoded, len(raw), ms)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict, headers: dict | None = None) -> Answer:
        return self.request("POST", path, form=form, headers=headers)


def alternate(
    calls: dict[str, Callable[[], Answer]], *, requests: int, budget: float, warm_up: int = 6
) -> dict[str, list[Answer]]:
    """Each call in turn, round after round: ``requests`` rounds, or fewer (never under 10)
    when ``budget`` seconds run out. Every worker is warmed up first (its first request
    loads the URLs and templates)."""
    for call in calls.values():
        for _ in range(warm_up):
            call()
    answers: dict[str, list[Answer]] = {name: [] for name in calls}
    deadline = time.monotonic() + budget
    for n in range(requests):
        if n >= 10 and time.monotonic() > deadline:
            break
        for name, call in calls.items():
            answers[name].append(call())
    return answers


@dataclass
class Rate:
    per_second: float
    errors: int


def wrk(url: str, headers: dict[str, str], *, seconds: float) -> Rate:
    """Requests per second at ``CONNECTIONS`` connections: wrk when installed, else Python threads."""
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{math.ceil(seconds)}s", "--timeout", "60s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        errors = sum(
            int(n)
            for n in re.findall(
                r"(?:Non-2xx or 3xx responses:|connect|read|write|timeout) (\d+)", out
            )
        )
        return Rate(rate, errors)
    parsed = urlparse(url)
    done, errors = [0], [0]
    deadline = time.monotonic() + seconds

    def connection_loop() -> None:
        client = Client(parsed.port)
        client.headers = headers
        while time.monotonic() < deadline:
            try:
                ok = client.get(parsed.path).status < 400
            except OSError:
                ok = False
            done[0] += ok
            errors[0] += not ok

    threads = [threading.Thread(target=connection_loop) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Rate(done[0] / seconds, errors[0])


def settle(port: int, probe: str, *, quiet_ms: float, longest_ms: float) -> None:
    """Wait until the server has worked off what a load run left queued: wrk closes its
    connections at the end of a run, but gunicorn still answers every request they sent.
    A probe that answers in ``quiet_ms`` got a free worker at once; then wait out the
    longest request another worker may still be finishing."""
    client = Client(port)
    deadline = time.monotonic() + 600
    while client.get(probe).ms > quiet_ms and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(longest_ms / 1000)


def alternate_rates(
    urls: dict[str, str],
    headers: dict[str, str],
    *,
    rounds: int,
    seconds: float,
    settled: Callable[[], None],
) -> dict[str, list[Rate]]:
    """``wrk`` on each URL in turn, ``rounds`` times, the server ``settled()`` after each."""
    rates: dict[str, list[Rate]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            rates[name].append(wrk(url, headers, seconds=seconds))
            settled()
    return rates


# The figures.


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def size_of(answers: list[Answer]) -> str:
    """Bytes, with the bytes on the wire when the server compressed."""
    body = int(p50([len(a.body) for a in answers]))
    wire = int(p50([a.wire for a in answers]))
    return f"{body:,} B" + (f" ({wire:,} gzipped)" if wire != body else "")


def ms(answers: list[Answer]) -> str:
    """p50 / p95 of the time seen by the client, and p50 of the server's own."""
    times = [a.ms for a in answers]
    server = p50([a.server_ms for a in answers])
    return f"{p50(times):.1f} / {p95(times):.1f} ms (server {server:.1f})"
