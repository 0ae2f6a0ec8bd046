"""The standup storm: thirty people keep a 300-card board live while five of them move cards.

Seeds a 300-card board (``http_harness.seed_board``) in a throwaway PostgreSQL
database and serves it with gunicorn (3 sync workers, the production settings).
Each viewer opens the board page, then polls the "changed since" endpoint as
the browser does (``changes/?since=<its revision>`` every 3 s: 204 when nothing
changed, else 200 with the revision now in ``X-Board-Revision`` or, from a
server that sends the whole board, its ``data-revision``). Each mover moves its
own card between To do and In progress every 3 s (a POST with
``X-Requested-With: fetch`` and the CSRF header, and ``since``: the revision its
last answer gave, as the browser sends its board's; the revision after the move
read from the answer the same way). Everything stays on loopback and stops after ``--seconds``
(and a grace period for the last moves to reach everyone).

It prints the three figures of the storm:

- errors: answers other than 2xx/3xx (a 409 from a full column is not one, and
  no column has a WIP limit), and requests that failed;
- the p95, over every (move, viewer) pair, of the time from the move's answer
  until that viewer's poll first returned a revision at least the move's;
- the server's CPU time per move: user and system time of the gunicorn master
  and its workers over the run (the viewers' polls included), per move;

and the moves done, the polls made (nothing new / with changes) and their bytes.

With ``--transport sse`` the viewers keep the board live over server-sent events
instead (``live_stream.py``: one request held open per viewer, each revision pushed
with the same shared answer a poll gets), gunicorn runs threaded, and a viewer has a
move when a pushed answer carries its revision: the same three figures, to set
polling against.

    .venv/bin/python bench/standup_storm.py [--seconds 120] [--transport sse] [--threads-per-worker N]
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from itertools import cycle

from http_harness import (
    FETCH,
    Client,
    SeededBoard,
    cpu_seconds,
    machine_load,
    p50,
    p95,
    seed_board,
    served,
    session_for,
)

# A pushed answer's revision; "event: board" means fetch the whole board at it.
PUSHED_REVISION = re.compile(rb'^data: (?:\{"revision": )?(\d+)', re.MULTILINE)


@dataclass
class Viewer:
    session: str
    seen: list[tuple[float, int]] = field(default_factory=list)  # (when, revision), rising
    polls: list[tuple[int, int]] = field(default_factory=list)  # (status, bytes on the wire)


@dataclass
class Storm:
    board: SeededBoard
    port: int
    args: argparse.Namespace
    moves: list[tuple[float, int]] = field(default_factory=list)  # (answered at, revision)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def fail(self, what: str) -> None:
        self.errors.append(what)  # list.append is atomic under the GIL

    def watch(self, viewer: Viewer, start: threading.Barrier) -> None:
        client = Client(self.port, viewer.session)
        revision = 0
        try:
            answer = client.get(self.board.url())
            revision = answer.revision or 0
            if answer.status >= 400:
                self.fail(f"board page {answer.status}")
        except OSError as error:
            self.fail(f"board page: {error!r}")
        start.wait()
        time.sleep(random.uniform(0, self.args.poll))  # spreads the polls, as people open the board
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                answer = client.get(self.board.url(f"changes/?since={revision}"))
            except OSError as error:
                self.fail(f"poll: {error!r}")
            else:
                viewer.polls.append((answer.status, answer.wire))
                if answer.status >= 400:
                    self.fail(f"poll {answer.status}")
                elif answer.status == 200 and (answer.revision or 0) > revision:
                    revision = answer.revision
                    viewer.seen.append((time.monotonic(), revision))
            self.stop.wait(max(0.0, began + self.args.poll - time.monotonic()))

    def stream(self, viewer: Viewer, start: threading.Barrier) -> None:
        """The viewer keeps its board live over server-sent events (``live_stream.py``):
        one request held open, each new revision pushed to it."""
        client = Client(self.port, viewer.session)
        revision = 0
        try:
            answer = client.get(self.board.url())
            revision = answer.revision or 0
        except OSError as error:
            self.fail(f"board page: {error!r}")
        start.wait()
        time.sleep(random.uniform(0, self.args.poll))  # as people open the board
        path = f"/bench{self.board.url(f'stream/?since={revision}')}"
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            # HTTP/1.0: the answer is the stream itself, not chunked.
            sock.sendall(
                f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: sessionid={viewer.session}"
                "\r\n\r\n".encode()
            )
            received = b""
            while not self.stop.is_set():
                if not select.select([sock], [], [], 0.5)[0]:
                    continue
                chunk = sock.recv(65536)
                if not chunk:
                    self.fail("stream: closed by the server")
                    return
                viewer.polls.append((200, len(chunk)))
                received += chunk
                *events, received = received.split(b"\n\n")
                for event in events:
                    if found := PUSHED_REVISION.search(event):
                        pushed = int(found.group(1))
                        if pushed > revision:
                            revision = pushed
                            viewer.seen.append((time.monotonic(), revision))
                    elif event.startswith(b"HTTP/"):
                        status_line = event.split(b"\r\n")[0]
                        if b" 200 " not in status_line:
                            self.fail(f"stream: {status_line!r}")
                            return

    def move(self, n: int, session: str, start: threading.Barrier) -> None:
        client = Client(self.port, session)
        card = self.board.todo_cards[n]
        columns = cycle([self.board.doing_id, self.board.todo_id])
        revision = 0  # the mover's board's, sent with each move as the browser does
        start.wait()
        until = time.monotonic() + self.args.seconds
        time.sleep(n * self.args.move_every / self.args.movers)
        while time.monotonic() < until:
            began = time.monotonic()
            try:
                answer = client.post(
                    self.board.move_url(card),
                    {"column": next(columns), "since": revision},
                    # A threaded server keeps idle connections only for 2 s: a new one
                    # for each move, as the sync workers make anyway.
                    {**FETCH, "Connection": "close"},
                )
            except OSError as error:
                self.fail(f"move: {error!r}")
            else:
                if answer.status >= 400 and answer.status != 409:
                    self.fail(f"move {answer.status}")
                elif answer.status < 400:
                    if answer.revision is None:
                        self.fail("move: no revision in the answer")
                    else:
                        self.moves.append((time.monotonic(), answer.revision))
                        revision = answer.revision
            time.sleep(max(0.0, began + self.args.move_every - time.monotonic()))


def delays(moves: list[tuple[float, int]], viewers: list[Viewer]) -> list[float]:
    """For every (move, viewer): seconds from the move's answer until the viewer had it
    (0 when its poll had it first; infinite when it never did)."""
    found = []
    for viewer in viewers:
        revisions = [revision for _, revision in viewer.seen]
        for answered, revision in moves:
            index = bisect.bisect_left(revisions, revision)
            found.append(
                max(0.0, viewer.seen[index][0] - answered) if index < len(revisions) else math.inf
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="how long the movers move")
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--movers", type=int, default=5)
    parser.add_argument(
        "--poll", type=float, default=3.0, help="seconds between a viewer's polls (board.js: 3)"
    )
    parser.add_argument(
        "--move-every", type=float, default=3.0, help="seconds between a mover's moves"
    )
    parser.add_argument(
        "--transport",
        choices=("poll", "sse"),
        default="poll",
        help="how viewers keep the board live: polling as board.js does, or server-sent"
        " events (bench/live_stream.py, gunicorn with --threads-per-worker threads)",
    )
    parser.add_argument(
        "--threads-per-worker",
        type=int,
        default=None,
        help="gunicorn threaded (and keeping connections alive); 40 for sse, else 1",
    )
    parser.add_argument(
        "--grace", type=float, default=10, help="seconds of polling after the last move"
    )
    args = parser.parse_args()
    people = args.viewers + args.movers
    threads = args.threads_per_worker or (40 if args.transport == "sse" else 1)
    if args.transport == "sse":
        os.environ["BENCH_STREAMS"] = "1"  # the server publishes each revision
    with served(lambda: seed_board(args.cards, people=people), threads=threads) as (
        server,
        board,
    ):
        storm = Storm(board, server.port, args)
        sessions = [session_for(person) for person in board.people[:people]]
        viewers = [Viewer(session) for session in sessions[args.movers :]]
        start = threading.Barrier(people + 1)
        threads = [
            threading.Thread(
                target=storm.stream if args.transport == "sse" else storm.watch,
                args=(viewer, start),
            )
            for viewer in viewers
        ] + [
            threading.Thread(target=storm.move, args=(n, sessions[n], start))
            for n in range(args.movers)
        ]
        for thread in threads:
            thread.start()
        start.wait()  # every viewer has opened the board
        busy_before = machine_load()
        cpu_before, client_before = cpu_seconds(server.pid), os.times()
        began = time.monotonic()
        time.sleep(args.seconds + args.grace)
        storm.stop.set()
        for thread in threads:
            thread.join()
        cpu = cpu_seconds(server.pid) - cpu_before
        taken = time.monotonic() - began
        client_cpu = sum(os.times()[:2]) - sum(client_before[:2])

    moves = len(storm.moves)
    found = delays(storm.moves, viewers)
    unseen = sum(math.isinf(d) for d in found)
    polls = [poll for viewer in viewers for poll in viewer.polls]
    changed = [wire for status, wire in polls if status == 200]
    print(busy_before)
    print(
        f"standup storm: {args.cards} cards, {args.viewers} viewers"
        + (
            f" on server-sent events (gunicorn: 3 workers of {args.threads_per_worker} threads),"
            if args.transport == "sse"
            else f" polling every {args.poll:g} s,"
        )
        + f" {args.movers} movers each moving every {args.move_every:g} s for {args.seconds:g} s"
    )
    print(f"  errors                          {len(storm.errors)}")
    for error in sorted(set(storm.errors))[:5]:
        print(f"    {storm.errors.count(error)} x {error}")
    if found:
        print(
            f"  move seen by every viewer, p95  {p95(found):.2f} s"
            f" (p50 {p50(found):.2f} s, max {max((d for d in found if d < math.inf), default=math.inf):.2f} s"
            f"{f', {unseen} of {len(found)} never seen' if unseen else ''})"
        )
    if moves:
        print(f"  server CPU per move             {cpu / moves * 1000:.0f} ms")
    planned = args.movers * math.ceil(args.seconds / args.move_every)
    print(
        f"  moves done                      {moves} of {planned} planned ({moves / args.seconds:.2f}/s)"
    )
    if args.transport == "sse":
        print(f"  pushes read                     {len(polls)} ({len(polls) / taken:.1f}/s)")
    else:
        print(
            f"  polls                           {len(polls)}: {len(polls) - len(changed)} nothing new,"
            f" {len(changed)} with changes ({len(polls) / taken:.1f}/s)"
        )
    if polls:
        print(
            f"  bytes per {'push' if args.transport == 'sse' else 'poll'}"
            f"                  {sum(w for _, w in polls) / len(polls):,.0f} on average,"
            f" {sum(changed) / max(1, len(changed)):,.0f} with changes"
        )
    print(
        f"  server CPU                      {cpu:.1f} s over {taken:.0f} s"
        f" ({cpu / taken * 100:.0f}% of one core); this client's {client_cpu:.1f} s"
    )


if __name__ == "__main__":
    main()
