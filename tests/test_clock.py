"""The suite never reads the wall clock: each test runs at the moment tests/clock.py names."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.clock import AWKWARD_MOMENTS, pinned_moment
from tests.integration.processes import clean_environment


def test_a_test_runs_at_the_pinned_moment() -> None:
    moment = pinned_moment()
    if moment is None:
        pytest.skip("OPSBOARD_TEST_NOW=wall: this run reads the real clock")
    assert moment <= timezone.now() < moment + timedelta(minutes=10)


def test_the_awkward_moments_are_what_their_names_say() -> None:
    moments = {name: datetime.fromisoformat(iso) for name, iso in AWKWARD_MOMENTS.items()}
    assert moments["first-of-month"].day == 1
    monday = moments["monday-0030-shanghai"]
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 0, 30)
    assert monday.astimezone(UTC).weekday() == 6  # still Sunday in UTC
    assert (moments["new-years-eve"].month, moments["new-years-eve"].day) == (12, 31)
    assert (moments["leap-day"].month, moments["leap-day"].day) == (2, 29)


def test_a_process_the_tests_start_reads_the_same_clock() -> None:
    """A worker or command started by a test lives at the test's moment too."""
    moment = pinned_moment()
    if moment is None:
        pytest.skip("OPSBOARD_TEST_NOW=wall: this run reads the real clock")
    child = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert abs(float(child.stdout) - time.time()) < 30
