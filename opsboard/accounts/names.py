"""People's names as they wrote them, and the initials an avatar shows.

A name is never split into a "first name": 王小明 has no space to split at,
and "Wang Xiaoming" puts the family name first. Avatars follow what Feishu
and DingTalk show: the given name of a Chinese name (its last two
characters), the first letters of the first and last word of a Latin one.
"""

from __future__ import annotations

import unicodedata

# Characters written without spaces between the parts of a name.
CJK_NAMES = (
    "CJK UNIFIED IDEOGRAPH",
    "CJK COMPATIBILITY IDEOGRAPH",
    "HANGUL SYLLABLE",
    "HIRAGANA",
    "KATAKANA",
)


def is_cjk(character: str) -> bool:
    """A Chinese, Japanese or Korean letter; not the dot in 阿卜杜拉·买买提 nor a kana mark."""
    name = unicodedata.name(character, "")
    return unicodedata.category(character) == "Lo" and name.startswith(CJK_NAMES)


def initials(name: str) -> str:
    """The avatar's letters for ``name``, or "" when it holds nothing to show.

    1. A name with CJK characters: its last two such characters (王小明 → 小明,
       欧阳娜娜 → 娜娜, 李四 → 李四), whatever Latin words stand beside them.
    2. Otherwise the first letter of the first and of the last word, upper case
       ("Wang Xiaoming" → "WX", "ada" → "A"); a word without a letter or digit
       (a dash, brackets) does not count.
    """
    cjk = [character for character in name if is_cjk(character)]
    if cjk:
        return "".join(cjk[-2:])
    letters = [
        next(character for character in word if character.isalnum())
        for word in name.split()
        if any(character.isalnum() for character in word)
    ]
    if not letters:
        return ""
    return (letters[0] + letters[-1] if len(letters) > 1 else letters[0]).upper()


# A surname read more than one way (曾 zeng/ceng, 单 shan/dan) is findable by each reading;
# the given name by its usual one. Few enough to keep the key short.
_MOST_READINGS = 3


def pinyin_key(name: str) -> str:
    """What "@" suggestions match a Chinese name by, as people type it: the full pinyin
    run together and the initials, for each reading of the surname (王小明 →
    "wangxiaoming wxm"); "" for a name without Chinese characters.

    Stored on the person (``User.name_pinyin``) so the suggestion is one indexed query.
    """
    if not any(is_cjk(character) for character in name):
        return ""
    # Imported here: only names with Chinese characters need its dictionaries.
    from pypinyin import Style, lazy_pinyin, pinyin

    chinese = "".join(character for character in name if is_cjk(character))
    syllables = [part.lower() for part in lazy_pinyin(chinese, style=Style.NORMAL)]
    first = pinyin(chinese[0], heteronym=True, style=Style.NORMAL)[0][:_MOST_READINGS]
    keys: list[str] = []
    for surname in [syllables[0], *[reading for reading in first if reading != syllables[0]]]:
        reading = [surname, *syllables[1:]]
        keys += ["".join(reading), "".join(part[:1] for part in reading)]
    return " ".join(dict.fromkeys(keys))
