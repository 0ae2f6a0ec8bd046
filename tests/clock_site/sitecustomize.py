"""A process the tests start reads the test's clock, not the wall clock.

tests/integration/processes.py puts this folder on the child's PYTHONPATH with
OPSBOARD_TEST_CLOCK_OFFSET, the seconds between the test's moment and the real
one; Python imports this file at start-up, before the program runs, so a
Celery worker, a management command or the development server ticks in step
with the test that started it.
"""

from __future__ import annotations

import os

offset = os.environ.get("OPSBOARD_TEST_CLOCK_OFFSET")
if offset:
    import time

    import time_machine

    time_machine.travel(time.time() + float(offset), tick=True).start()
