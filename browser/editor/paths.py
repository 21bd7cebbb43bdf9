"""How a member of a document is named to a person: its name, or its whole path, written so that no two read alike."""

import json
import re
from collections.abc import Sequence

# A member name written bare in a path: it starts with a letter or "_" and holds only letters, digits,
# "_" and "-". Any other name is written as JSON in brackets, so `a.b` (a → b) and `["a.b"]`, `[""]` and
# `["0"]` (not the item `[0]`) read apart.
_PLAIN_NAME = re.compile(r"[^\W\d][\w-]*")
WHOLE_DOCUMENT = "(the whole document)"
# A value's place in a document: member names and array indexes from the top.
Path = tuple[str | int, ...]


def name_label(name: str) -> str:
    """One member name as a path writes it: `title`, or `["a.b"]`, `[""]`."""
    return name if _PLAIN_NAME.fullmatch(name) else f"[{json.dumps(name, ensure_ascii=False)}]"


def path_label(path: Sequence[str | int]) -> str:
    """A path (member names and array indexes) written unambiguously: `a.b[0]`, `["a.b"]`, `a[""].c`."""
    if not path:
        return WHOLE_DOCUMENT
    parts = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _PLAIN_NAME.fullmatch(step):
            parts.append(f".{step}" if parts else step)
        else:
            parts.append(f"[{json.dumps(step, ensure_ascii=False)}]")
    return "".join(parts)
