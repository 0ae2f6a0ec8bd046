"""Lighthouse's mobile profile on the 500-card board and the 300 x 40 RACI matrix.

Seeds both (the seeding of board_pages.py and raci_matrix.py) in a throwaway
database, builds the static files as the Dockerfile does, serves the site with
gunicorn under the production settings on loopback, signs in by session cookie
and runs the pinned Lighthouse from bench/lighthouse/ with the machine's
Chromium (CHROME_PATH, default /usr/bin/chromium), each page RUNS times. Prints
the median performance score, first and largest contentful paint, total
blocking time, the longest main-thread task, and the bytes the page and its
stylesheets (which block the first paint) took on the wire. Lighthouse throttles
by simulation (a mid-range phone on slow 4G), so the figures depend on bytes and
main-thread work more than on this machine.

    (cd bench/lighthouse && npm ci)
    .venv/bin/python -m tests.services .venv/bin/python bench/lighthouse.py [--runs 3] [--keep DIR]
        [--page board|raci]  # one page only; --keep also keeps each run's trace
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

# The site and this process sign sessions with the same key.
SECRET = "lighthouse-bench-" + "k" * 50
os.environ["DJANGO_SECRET_KEY"] = SECRET

from board_pages import seed as seed_board  # noqa: E402
from common import Client, throwaway_database  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from raci_matrix import seed as seed_raci  # noqa: E402

from tests.production import ENCRYPTION_KEY, build_static, environment  # noqa: E402
from tests.services import free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
METRICS = {
    "first-contentful-paint": "FCP s",
    "largest-contentful-paint": "LCP s",
    "total-blocking-time": "TBT ms",
}


def database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}"
    )


def serve(port: int, static_root: Path, var_dir: Path) -> subprocess.Popen[bytes]:
    """gunicorn under the production settings, as docker-compose.yml runs it, on loopback."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "opsboard.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120"),
        ],
        cwd=ROOT,
        env=environment(
            DJANGO_SECRET_KEY=SECRET,
            FIELD_ENCRYPTION_KEYS=ENCRYPTION_KEY,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",
            SITE_URL=f"http://127.0.0.1:{port}",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            STATIC_ROOT=str(static_root),
            OPSBOARD_VAR_DIR=str(var_dir),
        ),
    )


def lighthouse(url: str, cookie: str, report: Path, *, traces: bool) -> dict[str, float]:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--only-categories=performance",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            *(["--save-assets"] if traces else []),
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ],
        env={**os.environ, "CHROME_PATH": CHROME},
        check=True,
        timeout=600,
    )
    result = json.loads(report.read_text())
    audits = result["audits"]
    figures = {"score": round(result["categories"]["performance"]["score"] * 100)}
    for audit, name in METRICS.items():
        value = audits[audit]["numericValue"]
        figures[name] = value if name.endswith("ms") else value / 1000
    # The longest main-thread task, as the simulated phone would take it (the goal: none
    # over 100 ms).
    tasks = audits["long-tasks"]["details"]["items"]
    figures["task ms"] = max((task["duration"] for task in tasks), default=0)
    requests = audits["network-requests"]["details"]["items"]
    document = next(item for item in requests if item["url"] == url)
    figures["page KB"] = document["transferSize"] / 1024
    # The stylesheets in <head> block the first paint (the scripts are deferred).
    # Lighthouse's own render-blocking audit fails on recent Chromium traces.
    stylesheets = [item for item in requests if item["resourceType"] == "Stylesheet"]
    figures["CSS KB"] = sum(item["transferSize"] for item in stylesheets) / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, help="keep the Lighthouse reports and traces in this folder"
    )
    parser.add_argument("--page", choices=["board", "raci"], help="measure this page alone")
    arguments = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: (cd bench/lighthouse && npm ci)")
    work = Path(tempfile.mkdtemp(prefix="opsboard-lighthouse-"))
    reports = arguments.keep or work / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    built = build_static(work / "static")
    if built.returncode:
        raise SystemExit(built.stderr)
    with throwaway_database():
        pages = {}
        if arguments.page in (None, "board"):
            lead, project = seed_board(500)
            board = project.boards.get()
            pages["board, 500 cards"] = (lead, f"/o/bench-500/boards/{board.pk}/")
        if arguments.page in (None, "raci"):
            raci_lead, raci_project, _ = seed_raci(300, 4)
            pages["RACI, 300 x 40"] = (
                raci_lead,
                f"/o/bench-300/raci/projects/{raci_project.pk}/",
            )
        port = free_port()
        server = serve(port, work / "static", work / "var")
        try:
            wait_for(port, what="gunicorn")
            print(
                f"{'page':<18} {'score':>5} "
                + " ".join(f"{n:>8}" for n in [*METRICS.values(), "task ms", "page KB", "CSS KB"])
            )
            for name, (user, path) in pages.items():
                client = Client()
                client.force_login(user)
                cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
                url = f"http://127.0.0.1:{port}{path}"
                request = urllib.request.Request(url, headers={"Cookie": cookie})
                with urllib.request.urlopen(request, timeout=120) as response:
                    assert response.status == 200, (url, response.status)
                runs = [
                    lighthouse(
                        url,
                        cookie,
                        reports / f"{path.strip('/').replace('/', '-')}-{n}.json",
                        traces=arguments.keep is not None,
                    )
                    for n in range(arguments.runs)
                ]
                median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
                print(
                    f"{name:<18} {median['score']:>5.0f} "
                    + " ".join(f"{median[key]:>8.1f}" for key in list(median)[1:])
                )
                sys.stdout.flush()
        finally:
            server.terminate()
            server.wait(timeout=30)
    shutil.rmtree(work)  # the static build (and the reports, unless kept elsewhere)


if __name__ == "__main__":
    main()
