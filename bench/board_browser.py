"""The board in Chromium at 500 and 2,000 cards: dragging, moving by keyboard, a live update.

Seeds boards of 500 and 2,000 cards (the seeding of board_pages.py) in a
throwaway database, builds the static files as the Dockerfile does and serves
the site with gunicorn under the production settings on loopback (as
lighthouse.py does), signs in by session cookie and drives Chromium
(CHROME_PATH, default /usr/bin/chromium) with Playwright. For each board it
prints, over RUNS tries each:

- drag: the long tasks (PerformanceObserver "longtask", over 50 ms) from
  pressing on the first card of the first column, moving in STEPS mouse steps
  into the second column and letting go, until the move's answer is applied:
  the longest and their total; and the time from letting go to the answer
  applied (the board's revision attribute changes);
- keyboard: the same for Alt + ArrowRight on a focused card, timed from the
  key press;
- live: the long tasks in the page while another client's move (made through
  the service in this process) arrives by the page's own poll and is swapped
  in, and the time from the move's commit to the page showing it (up to one
  poll interval, 3 s, by design).

"to send" is the time from letting go (or the key) to the move's request
leaving, "to settle" to its answer applied. "slowest input" is the longest Event Timing entry (over 16 ms) in the same
window: from the input to the next paint, rendering included. With --against
REVISION, each run also opens the board with board.js and opsboard.css as they
were at that git revision (answered in place of this tree's), alternately with
this tree's, in the same run, one page at a time.

Chromium runs headless on this machine, without throttling: the figures are
this machine's, the aim is no long task over 100 ms while dragging.

    .venv/bin/python -m tests.services .venv/bin/python bench/board_browser.py [--runs 5] [--against main]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; the database calls happen between its steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The site and this process sign sessions with the same key (set before Django starts).
from lighthouse import CHROME, ROOT, serve  # noqa: I001

from board_pages import seed
from common import Client, throwaway_database
from django.conf import settings
from django.db import connection, connections

from kanban.models import Card
from kanban.services import card_move
from opsboard.tenancy.models import Membership
from tests.production import build_static
from tests.services import free_port, wait_for

SIZES = [500, 2000]
STEPS = 30

# Collects every long task from the start; marks what the board's revision did.
OBSERVE = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
}).observe({ type: "longtask", buffered: true });
// How long each input took to show (its handlers, then style, layout and paint).
window.__events = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__events.push([entry.startTime, entry.duration, entry.name]);
}).observe({ type: "event", buffered: true, durationThreshold: 16 });
// When the board's moves leave for the server.
window.__posts = [];
const send = window.fetch;
window.fetch = function (url, options) {
  if (options && options.method === "POST") window.__posts.push(performance.now());
  return send.apply(this, arguments);
};
"""

# A promise of the moment the board's revision moves past ``before``, and the
# moment of the last pointer release or key press before it.
WATCH = """
(before) => {
  window.__input = null;
  const mark = () => { window.__input = performance.now(); };
  document.addEventListener("pointerup", mark, { capture: true, once: true });
  document.addEventListener("keydown", mark, { capture: true, once: true });
  window.__settled = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("the board did not change within 20 s")), 20000);
    const observer = new MutationObserver(() => {
      const board = document.getElementById("board");
      if (board && board.dataset.revision !== before) {
        observer.disconnect();
        resolve(performance.now());
      }
    });
    observer.observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["data-revision"],
    });
  });
  return performance.now();
}
"""

SETTLED = """
async (start) => {
  const settled = await window.__settled;
  // One more frame, so the work the answer caused (style, layout, paint) is counted.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const tasks = window.__longTasks.filter(([at]) => at >= start).map(([, duration]) => duration);
  const posted = window.__posts.find((at) => at >= start);
  const inputs = window.__events.filter(([at]) => at >= start).map(([, duration]) => duration);
  return { settled, input: window.__input, posted: posted === undefined ? null : posted, start, tasks, inputs };
}
"""


def revision(page) -> str:
    return page.evaluate("document.getElementById('board').dataset.revision")


def drag(page) -> dict:
    """First card of the first column into the second, in steps, as a hand would.

    Across to the second column's first cards (STEPS steps), down past a few of
    them and back up (the list reorders at each one), then let go; all well
    inside the window, so Sortable does not scroll it.
    """
    card = page.locator("ol.cards").nth(0).locator(".card").first
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    target = page.locator("ol.cards").nth(1).bounding_box()
    top = max(target["y"], box["y"])
    start = page.evaluate(WATCH, revision(page))
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(target["x"] + 40, top + 90, steps=STEPS)
    page.mouse.move(target["x"] + 40, top + 400, steps=STEPS // 2)
    page.mouse.move(target["x"] + 40, top + 120, steps=STEPS // 2)
    page.wait_for_timeout(150)
    page.mouse.up()
    return page.evaluate(SETTLED, start)


def keyboard(page) -> dict:
    card = page.locator("ol.cards").nth(0).locator(".card").first
    card.scroll_into_view_if_needed()
    card.focus()
    start = page.evaluate(WATCH, revision(page))
    page.keyboard.press("Alt+ArrowRight")
    return page.evaluate(SETTLED, start)


def move_in_thread(lead: Membership, card: Card, column) -> None:
    try:
        card_move(actor=lead, card=card, column=column, position="top")
    finally:
        connection.close()


def live(page, lead: Membership, board) -> dict:
    """Another person moves the last card of the first column to the top of the second."""
    todo, doing = board.columns.order_by("position")[:2]
    card = Card.objects.filter(column=todo, archived_at=None).order_by("-rank").first()
    start = page.evaluate(WATCH, revision(page))
    moved_at = page.evaluate("performance.now()")
    # Another thread, as another client is: Playwright's loop gives this one a connection of its own.
    mover = threading.Thread(target=move_in_thread, args=(lead, card, doing))
    mover.start()
    mover.join()
    result = page.evaluate(SETTLED, start)
    result["input"] = moved_at
    return result


def reference_files(revision: str) -> dict[str, bytes]:
    """The board's script and stylesheet as they were at ``revision`` (a git revision)."""
    return {
        name: subprocess.run(
            ["git", "show", f"{revision}:static/{name}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        for name in ("js/board.js", "css/opsboard.css")
    }


def answer(body: bytes, kind: str):
    return lambda route: route.fulfill(body=body, content_type=kind)


def open_board(browser, port: int, cookie: str, url: str, reference: dict[str, bytes] | None):
    context = browser.new_context(
        base_url=f"http://127.0.0.1:{port}", viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": f"http://127.0.0.1:{port}"}]
    )
    context.add_init_script(OBSERVE)
    for name, body in (reference or {}).items():
        folder, _, file = name.partition("/")
        stem, _, suffix = file.partition(".")
        kind = "text/css" if suffix == "css" else "text/javascript"
        # The hashed name the manifest gives it, answered with the reference's text.
        context.route(f"**/static/{folder}/{stem}.*{suffix}", answer(body, kind))
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)
    return page


def line(size: int, what: str, shown: int, results: list[dict]) -> str:
    longest = max(max(r["tasks"], default=0) for r in results)
    total = statistics.median(sum(r["tasks"]) for r in results)
    count = statistics.median(len(r["tasks"]) for r in results)
    slowest = max(max(r["inputs"], default=0) for r in results)
    settle = statistics.median(r["settled"] - r["input"] for r in results)
    posted = [r["posted"] - r["input"] for r in results if r["posted"] is not None]
    send = f"{statistics.median(posted):>7.0f}" if posted else f"{'-':>7}"
    return (
        f"{size:>6} {what:<9} {shown:>6} {longest:>12.0f} {total:>8.0f} "
        f"{count:>5.0f} {slowest:>13.0f} {send} {settle:>9.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--against",
        metavar="REVISION",
        help="also measure board.js and opsboard.css as they were at this git revision, "
        "alternately with this tree's, in the same run",
    )
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    variants = {"this tree": None}
    if arguments.against:
        variants[arguments.against] = reference_files(arguments.against)
    work = Path(tempfile.mkdtemp(prefix="opsboard-board-browser-"))
    built = build_static(work / "static")
    if built.returncode:
        raise SystemExit(built.stderr)
    with throwaway_database(), sync_playwright() as playwright:
        boards = {}
        for size in SIZES:
            user, project = seed(size)
            board = project.boards.get()
            Card.objects.filter(board=board).update(revision=board.revision)
            boards[size] = (user, board)
        port = free_port()
        server = serve(port, work / "static", work / "var")
        browser = playwright.chromium.launch(
            executable_path=CHROME, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            wait_for(port, what="gunicorn")
            results = {}
            shown = {}
            for size, (user, board) in boards.items():
                lead = Membership.objects.get(user=user)
                client = Client()
                client.force_login(user)
                cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
                # Each run opens the board afresh for each variant in turn: one page at a time,
                # so no other page's polls or moves fall into what is measured.
                for _ in range(arguments.runs):
                    for variant, reference in variants.items():
                        page = open_board(
                            browser, port, cookie, f"/o/bench-{size}/boards/{board.pk}/", reference
                        )
                        shown[size] = page.locator("#board .card").count()
                        for what, run in (
                            ("drag", drag),
                            ("keyboard", keyboard),
                            ("live", lambda page, lead=lead, board=board: live(page, lead, board)),
                        ):
                            print(f"{size} cards, {variant}: {what}", file=sys.stderr)
                            results.setdefault((variant, size, what), []).append(run(page))
                            page.wait_for_timeout(300)
                        page.context.close()
            for variant in variants:
                print(f"\n{variant}")
                print(
                    f"{'cards':>6} {'what':<9} {'shown':>6} {'longest task':>12} {'tasks ms':>8} "
                    f"{'tasks':>5} {'slowest input':>13} {'to send':>7} {'to settle':>9}"
                )
                for size in boards:
                    for what in ("drag", "keyboard", "live"):
                        print(line(size, what, shown[size], results[(variant, size, what)]))
        finally:
            server.terminate()
            server.wait(timeout=30)
            browser.close()
            # This context (Playwright's loop) has a connection of its own: closed before the drop.
            connections.close_all()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
