"""Names and ids as a person can read them apart: what hides or changes how they read is shown in words.

Every invisible or direction-changing character shows as ⟦U+XXXX⟧, so that "ad\u200bmin" cannot pass for
"admin", and so does white space at either end, so that " leading-space" cannot pass for "leading-space".
What belongs to an emoji is left alone: a variation selector after a symbol or keycap base (🛋️, 1️⃣), a
zero-width joiner between two pictographs (👩‍💻), the tag characters of a flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿)."""

import re
import unicodedata

# Characters that change or hide how a name reads: controls, bidi overrides and isolates, zero-width
# and other invisible formatting characters, variation selectors, tags.
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                    "\ufff0-\ufffb\U000e0000-\U000e0fff]")
_ENDS = re.compile(r"^\s+|\s+$")
_ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_KEYCAP_BASES = frozenset("#*0123456789")


def visible(value):
    """The text with every hidden character, and white space at its ends, written as ⟦U+XXXX⟧."""
    text = "" if value is None else str(value)
    shown = HIDDEN.sub(lambda m: _shown(text, m.start()), text)
    return _ENDS.sub(lambda m: "".join(_named(c) for c in m.group()), shown)


def _named(char):
    return f"⟦U+{ord(char):04X}⟧"


def _shown(text, i):
    char = text[i]
    if _belongs_to_emoji(text, i):
        return char
    return _named(char)


def _belongs_to_emoji(text, i):
    char, before = text[i], text[i - 1] if i else ""
    if "\ufe00" <= char <= "\ufe0f":
        return _is_pictograph(before) or before in _KEYCAP_BASES
    if char == _ZWJ:
        after = text[i + 1] if i + 1 < len(text) else ""
        base = text[i - 2] if before == "\ufe0f" and i >= 2 else before
        return _is_pictograph(base) and _is_pictograph(after)
    if "\U000e0020" <= char <= "\U000e007f":
        start = i
        while start and "\U000e0020" <= text[start - 1] <= "\U000e007f":
            start -= 1
        return start > 0 and text[start - 1] == _BLACK_FLAG
    return False


def _is_pictograph(char):
    """An emoji or symbol a selector or joiner may attach to, or a skin-tone modifier."""
    return bool(char) and (unicodedata.category(char) == "So" or "\U0001f3fb" <= char <= "\U0001f3ff")
