"""The Pico build leaves out only modules that nothing on the site needs (tools/pico)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "tools" / "pico" / "opsboard-pico.scss"
# What each module styles, as it would appear in a template, a form widget or a script.
STYLES = {
    "components/modal": [r"<dialog", r"createElement\(['\"]dialog", r"showModal"],
    "components/progress": [r"<progress", r"createElement\(['\"]progress"],
    "components/tooltip": [r"data-tooltip"],
    "components/loading": [r"aria-busy"],
    "forms/input-range": [r"type=['\"]range", r"\"type\": \"range\"", r"NumberInput.*range"],
}


def left_out() -> list[str]:
    return re.findall(r'"([\w/-]+)": false', BUILD.read_text())


def sources() -> list[Path]:
    return [
        *ROOT.glob("templates/**/*.html"),
        *(ROOT / "static" / "js").glob("*.js"),
        *(
            path
            for path in ROOT.glob("*/**/*.py")
            if not {".venv", "node_modules"} & set(path.parts)
        ),
    ]


def test_every_module_left_out_of_pico_is_unused() -> None:
    assert left_out() and set(left_out()) <= set(STYLES), left_out()
    for module in left_out():
        for path in sources():
            if path.is_relative_to(ROOT / "tests"):
                continue
            for pattern in STYLES[module]:
                assert not re.search(pattern, path.read_text(errors="ignore")), (
                    f"{path.relative_to(ROOT)} uses what Pico's {module} styles: "
                    f"turn it back on in {BUILD.relative_to(ROOT)} and npm run build"
                )


def test_the_pages_link_the_built_stylesheet() -> None:
    base = (ROOT / "templates" / "base.html").read_text()
    package = (ROOT / "tools" / "pico" / "package.json").read_text()
    built = re.search(r"static/(vendor/pico/[\w.-]+\.css)", package).group(1)
    assert f"{{% static '{built}' %}}" in base
    assert (ROOT / "static" / built).exists()
