"""The files that deploy Opsboard stay valid."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
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


def requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\s=<>!~\[;]", requirement, maxsplit=1)[0].lower()
        for requirement in requirements
    }


def test_honcho_is_a_development_tool() -> None:
    """`make run` starts Procfile.dev with honcho, which the dev extras bring; the image
    installs the project without them and starts web, worker and beat one by one."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "honcho" not in requirement_names(project["dependencies"])
    assert "honcho" in requirement_names(project["optional-dependencies"]["dev"])
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: .*\binstall\b", makefile, re.MULTILINE)
    assert re.search(r"pip install .*-e \"\.\[dev\]\"", makefile)
    assert "$(BIN)/honcho --procfile Procfile.dev" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN pip install \.$", dockerfile, re.MULTILINE)
    assert "honcho" not in dockerfile + (ROOT / "docker-compose.yml").read_text()
