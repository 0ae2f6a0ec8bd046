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

Chromium runs headless on this machine, without throttling: the figures are
this machine's, the aim is no long task over 100 ms while dragging.

    .venv/bin/python -m tests.services .venv/bin/python bench/board_browser.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; the database calls happen between its steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The site and this process sign sessions with the same key (set before Django starts).
from lighthouse import CHROME, serve  # noqa: I001

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
  window.__settled = new Promise((resolve) => {
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
  return { settled, input: window.__input, posted: posted === undefined ? null : posted, start, tasks };
}
"""


def revision(page) -> str:
    return page.evaluate("document.getElementById('board').dataset.revision")


def summary(tasks: list[float]) -> tuple[float, float, int]:
    return (max(tasks, default=0.0), sum(tasks), len(tasks))


def drag(page) -> dict:
    """First card of the first column, in STEPS steps, into the second column's top."""
    card = page.locator("ol.cards").nth(0).locator(".card").first
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    target = page.locator("ol.cards").nth(1).bounding_box()
    start = page.evaluate(WATCH, revision(page))
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    # Between the second column's first cards, well inside the window (no auto-scroll).
    page.mouse.move(target["x"] + 40, max(target["y"], box["y"]) + 90, steps=STEPS)
    page.wait_for_timeout(150)
    page.mouse.move(target["x"] + 40, max(target["y"], box["y"]) + 120, steps=5)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

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
            print(
                f"{'cards':>6} {'what':<9} {'shown':>6} {'longest ms':>11} {'total ms':>9} "
                f"{'tasks':>6} {'to send ms':>11} {'to settle ms':>13}"
            )
            for size, (user, board) in boards.items():
                lead = Membership.objects.get(user=user)
                client = Client()
                client.force_login(user)
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{port}",
                    viewport={"width": 1280, "height": 900},
                    locale="en-GB",
                )
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                            "url": f"http://127.0.0.1:{port}",
                        }
                    ]
                )
                context.add_init_script(OBSERVE)
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(f"/o/bench-{size}/boards/{board.pk}/")
                page.wait_for_load_state("load")
                page.wait_for_timeout(1000)
                shown = page.locator("#board .card").count()
                for what, run in (
                    ("drag", lambda page=page: drag(page)),
                    ("keyboard", lambda page=page: keyboard(page)),
                    ("live", lambda page=page, lead=lead, board=board: live(page, lead, board)),
                ):
                    results = []
                    for _ in range(arguments.runs):
                        results.append(run())
                        page.wait_for_timeout(300)
                    longest = max(summary(r["tasks"])[0] for r in results)
                    total = statistics.median(summary(r["tasks"])[1] for r in results)
                    count = statistics.median(summary(r["tasks"])[2] for r in results)
                    settle = statistics.median(r["settled"] - r["input"] for r in results)
                    posted = [r["posted"] - r["input"] for r in results if r["posted"] is not None]
                    send = f"{statistics.median(posted):>11.0f}" if posted else f"{'-':>11}"
                    print(
                        f"{size:>6} {what:<9} {shown:>6} {longest:>11.0f} {total:>9.0f} "
                        f"{count:>6.0f} {send} {settle:>13.0f}"
                    )
                    sys.stdout.flush()
                context.close()
        finally:
            browser.close()
            server.terminate()
            server.wait(timeout=30)
            # This context (Playwright's loop) has a connection of its own: closed before the drop.
            connections.close_all()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
