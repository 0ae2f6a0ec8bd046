"""The files that deploy Opsboard stay valid."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_is_valid() -> None:
    if not shutil.which("docker-compose"):
        if os.environ.get("CI"):
            pytest.fail(
                "docker-compose is missing: .ci/run installs Debian's docker-compose package"
            )
        pytest.skip("needs Debian's docker-compose package to validate docker-compose.yml")
    result = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
