"""Names the product gives things, shown in each reader's language.

What Opsboard itself creates (a board's To do / In progress / Done columns, a
computed KPI, the demo's labels) keeps its name empty and says which built-in
it is; its ``display_name`` translates the built-in name when it is read, so an
English reader of a Chinese organisation sees "To do" where a Chinese reader
sees 待办. A name someone types is kept as typed and shown to everyone.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


def in_each_language(text: Promise | str) -> set[str]:
    """A (lazily translated) text in every language Opsboard ships."""
    names = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(str(text))
    return names


def shown_name(name: str, builtin: Promise | str | None) -> str:
    """The name a reader sees: as typed, else the built-in name in the reader's language."""
    return name or ("" if builtin is None else str(builtin))


def names_of(name: str, builtin: Promise | str | None) -> set[str]:
    """Every name a row answers to (an import file, an API request): as typed, else its
    built-in name in each language."""
    return {name} if name or builtin is None else in_each_language(builtin)


def is_one_of(typed: str, names: set[str]) -> bool:
    """Whether ``typed`` is one of ``names``, case and the spaces around it aside."""
    typed = typed.strip().casefold()
    return any(typed == name.casefold() for name in names)


def typed_name(name: str, builtin: Promise | str | None) -> str:
    """What to store for a name typed over a built-in: "" when it is the built-in name
    in any language (an unchanged form, or an API client sending back the name it
    read), so the row keeps following the reader; else the name as typed."""
    name = name.strip()
    if builtin is not None and is_one_of(name, in_each_language(builtin)):
        return ""
    return name
