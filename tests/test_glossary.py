"""The Chinese catalogue speaks the glossary's words: no string uses a variant that
docs/glossary.md rejects (its "How the test reads this page" says how it is written)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

VARIANT = re.compile(r"`([^`]+)`(?:\s*\[(only|except) ([\w-]+)\])?")
SCOPE = re.compile(r"^- \*\*([\w-]+)\*\*: .*?Patterns: (.*)$")


@dataclass(frozen=True)
class Variant:
    shown: str  # as the glossary writes it
    pattern: re.Pattern[str]
    only: str | None = None  # rejected only in the entries of this scope
    unless: str | None = None  # rejected except in the entries of this scope


@dataclass(frozen=True)
class Term:
    english: str
    chinese: str
    rejected: tuple[Variant, ...]


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    scopes: dict[str, tuple[re.Pattern[str], ...]]


def _cells(row: str) -> list[str]:
    """A Markdown table row's cells; a pipe escaped as \\| stays in its cell."""
    cells = re.split(r"(?<!\\)\|", row.strip().strip("|"))
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _variant(shown: str, scope_kind: str | None, scope: str | None) -> Variant:
    if len(shown) > 2 and shown.startswith("/") and shown.endswith("/"):
        pattern = re.compile(shown[1:-1])
    else:
        pattern = re.compile(re.escape(shown))
    if scope_kind == "only":
        return Variant(shown, pattern, only=scope)
    return Variant(shown, pattern, unless=scope)


def read_glossary(text: str) -> Glossary:
    terms: list[Term] = []
    scopes: dict[str, tuple[re.Pattern[str], ...]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif section == "Terms" and line.startswith("|"):
            english, chinese, rejected, _note = _cells(line)
            if english == "English" or set(english) <= {"-", " "}:
                continue  # the header and its rule
            variants = tuple(_variant(*found) for found in VARIANT.findall(rejected))
            terms.append(Term(english, chinese, variants))
        elif section == "Scopes" and (found := SCOPE.match(line)):
            name, patterns = found.groups()
            scopes[name] = tuple(
                re.compile(pattern, re.IGNORECASE) for pattern in re.findall(r"`([^`]+)`", patterns)
            )
    return Glossary(tuple(terms), scopes)


def entry_key(entry: polib.POEntry) -> str:
    """What a scope is searched in: the msgid, after its context when it has one."""
    return f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid


def _in_scope(glossary: Glossary, scope: str, entry: polib.POEntry) -> bool:
    key = entry_key(entry)
    return any(pattern.search(key) for pattern in glossary.scopes[scope])


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [text for _, text in sorted(entry.msgstr_plural.items())]
    return [entry.msgstr]


def violations(glossary: Glossary, entries: Iterable[polib.POEntry]) -> list[str]:
    found = []
    for entry in entries:
        for term in glossary.terms:
            for variant in term.rejected:
                if variant.only and not _in_scope(glossary, variant.only, entry):
                    continue
                if variant.unless and _in_scope(glossary, variant.unless, entry):
                    continue
                for text in _translations(entry):
                    if variant.pattern.search(text):
                        context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
                        found.append(
                            f"{entry.msgid!r}{context} is translated {text!r}, which uses "
                            f"{variant.shown}: the glossary says {term.chinese} for "
                            f"“{term.english}”"
                        )
                        break
    return found


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return read_glossary(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_names_its_terms_and_scopes(glossary: Glossary) -> None:
    chinese = {term.chinese for term in glossary.terms}
    for required in ("执行人（R）", "最终负责人（A）", "咨询人（C）", "知会人（I）", "经办人"):
        assert required in chinese
    assert len(glossary.terms) > 50
    used = {
        variant.only or variant.unless
        for term in glossary.terms
        for variant in term.rejected
        if variant.only or variant.unless
    }
    assert used <= set(glossary.scopes), (
        f"scopes used but not defined: {used - set(glossary.scopes)}"
    )
    assert all(glossary.scopes[name] for name in glossary.scopes)


def test_every_chinese_string_uses_the_glossary_words(glossary: Glossary) -> None:
    catalogue = polib.pofile(str(PO))
    found = violations(glossary, (entry for entry in catalogue if not entry.obsolete))
    assert not found, "\n".join(found)


def entry(msgid: str, msgstr: str, msgctxt: str | None = None) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=msgctxt)


@pytest.mark.parametrize(
    ("bad", "variant"),
    [
        (entry("Accountable", "批准者"), "批准者"),
        (entry("No Accountable", "没有负责人（A）"), "负责人（A）"),
        (
            entry("These cards you are Accountable for are overdue:", "由你负责（A）的卡片"),
            "负责（A）",
        ),
        (entry("Responsible: does the work", "负责执行（R）：做这项工作"), "负责执行"),
        (entry("Record check-in", "打卡"), "打卡"),
        (entry("My weekly digest", "我的周报"), "我的周报"),
        (entry("Assignee", "负责人"), "负责人"),
        (entry("Every action needs an owner.", "每项措施都需要一位所有者。"), "所有者"),
        (entry("Owner", "所有者", "owner of a project, goal or action"), "所有者"),
        (entry("Led by %(lead)s", "负责人：%(lead)s"), "(?<!团队)负责人"),
        (entry("The month in figures", "本月数据"), "本月"),
        (entry("%(actor)s created the card", "%(actor)s 创建时间", "card history"), "创建时间"),
        (entry("You get this email.", "您收到这封邮件。"), "您"),
        (entry("Move “%(column)s”", "移动“%(column)s”"), "“"),
        (entry("Language:", "语言:"), "[,:;?!()]"),
    ],
)
def test_a_rejected_variant_fails(glossary: Glossary, bad: polib.POEntry, variant: str) -> None:
    found = violations(glossary, [bad])
    assert len(found) >= 1
    assert repr(bad.msgid) in found[0] and variant in "\n".join(found)
    assert "the glossary says" in found[0]


@pytest.mark.parametrize(
    "good",
    [
        entry("Owner", "所有者"),  # the organisation's role
        entry("Only an owner can invite an owner.", "只有所有者可以邀请所有者。"),
        entry("Owner", "负责人", "owner of a project, goal or action"),
        entry("Team lead", "团队负责人"),
        entry(
            "These cards you are Accountable for are overdue:",
            "你担任最终负责人（A）的这些卡片已逾期：",
        ),
        entry("Empty: this week or month.", "留空表示本周或本月。"),  # the month now
        entry("Weekly KPI digest", "KPI 周报"),
        entry("%(actor)s created the card", "%(actor)s 创建了卡片", "card history"),
    ],
)
def test_the_words_the_glossary_chose_pass(glossary: Glossary, good: polib.POEntry) -> None:
    assert violations(glossary, [good]) == []


def test_a_plural_form_is_read_too(glossary: Glossary) -> None:
    plural = polib.POEntry(
        msgid="%(answers)s pulse answer",
        msgid_plural="%(answers)s pulse answers",
        msgstr_plural={0: "%(answers)s 份脉搏调查答案"},
    )
    found = violations(glossary, [plural])
    assert any("脉搏调查" in line for line in found) and any("答案" in line for line in found)
