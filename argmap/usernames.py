"""Usernames that look alike: maps invite people by username, so a newcomer must not be able to
take a name that reads the same as someone else's (a Cyrillic `о` in `tоmas`, an accent on
`tomás`, `TOMAS`).

`skeleton(name)` is what a name looks like: two names are confusable when their skeletons are
equal. It folds case, drops accents and other combining marks, and maps the Cyrillic and Greek
letters that are drawn like Latin ones to those Latin letters. A small table of our own rather
than a dependency: the full Unicode confusables list (UTS #39) mostly covers scripts a username
here never uses, and this table is the part that matters for the classes we have.

Digits are left alone (`anna-2` and `anna-z` are different people, and `0`/`o`, `1`/`l` are told
apart in the fonts we use), and so are the separators `.`, `_`, `-`.

Pure functions: no database here (the accounts code compares against existing users).
"""

import unicodedata

# Reserved for accounts an import makes for people the file names but who have no account the
# uploader may credit: nobody may sign up with it, so a placeholder never passes for a real person.
PLACEHOLDER_PREFIX = "imported-"

# Lower-case Cyrillic and Greek letters drawn like a Latin letter (in upper or lower case; the
# skeleton is case-folded first, so the capitals are covered by their lower-case forms).
LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ѐ": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "ў": "y",
        "х": "x", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
        # Latin letters that fold to a plain one but keep no combining mark to strip
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ſ": "s",
    }
)


def normalise(name: str) -> str:
    """A username as stored: NFKC (as Django's own forms do), so `ｔｏｍａｓ` is `tomas`."""
    return unicodedata.normalize("NFKC", name or "").strip()


def skeleton(name: str) -> str:
    """What the name looks like: equal skeletons read the same."""
    decomposed = unicodedata.normalize("NFKD", normalise(name).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Casefolding again after the table: a mapped letter is already lower-case, but a letter
    # decomposed above may still fold further.
    return unicodedata.normalize("NFKC", bare.translate(LOOKALIKES)).casefold()


def confusable(a: str, b: str) -> bool:
    return skeleton(a) == skeleton(b)


def is_reserved(name: str) -> bool:
    """True for a name only imports may give (it looks like one with the placeholder prefix)."""
    return skeleton(name).startswith(PLACEHOLDER_PREFIX)
