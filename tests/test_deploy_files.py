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


def test_attachments_live_in_a_volume_and_are_never_served_as_a_folder() -> None:
    """Files go to the media volume, which web and worker share; no setting, URL or image
    step serves that folder: every download goes through the app, to members only."""
    compose = (ROOT / "docker-compose.yml").read_text()
    anchor = compose.split("x-opsboard: &opsboard", 1)[1].split("\nservices:", 1)[0]
    assert "MEDIA_ROOT: /app/var/media" in anchor
    assert "- media:/app/var/media" in anchor
    assert re.search(r"^volumes:\n(?:  .*\n)*  media:$", compose, re.MULTILINE)
    for service in ("web", "worker"):
        block = compose.split(f"\n  {service}:\n", 1)[1].split("\n\n", 1)[0]
        assert "<<: *opsboard" in block, service
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "mkdir -p /app/var/media && chown -R opsboard /app/var" in dockerfile
    settings_text = "".join(
        (ROOT / "opsboard" / "settings" / name).read_text() for name in ("base.py", "production.py")
    )
    assert "MEDIA_URL" not in settings_text.replace("There is no MEDIA_URL", "")
    urls = (ROOT / "opsboard" / "urls.py").read_text()
    assert "media" not in urls.lower() and "static(" not in urls


def test_the_image_and_ci_can_draw_the_process_map_as_a_png() -> None:
    """cairosvg needs Debian's cairo, and Chinese names a Chinese font, in the image and on
    a fresh CI machine alike."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"apt-get install .*\blibcairo2\b.*\bfonts-noto-cjk\b", dockerfile)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "missing+=(libcairo2)" in ci and "missing+=(fonts-noto-cjk)" in ci
