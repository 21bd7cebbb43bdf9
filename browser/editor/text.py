"""JSON text as CouchDB 3 writes it back: the text it stores for a number ("1.10" as "1.1"), and the notes
the text editor shows on the numbers of a body that CouchDB will write differently."""

from collections import deque

from browser.couch import jsontext
from browser.couch.jsontext import Json, JsonNumber
from browser.editor.paths import Path, path_label


def stored_number_text(text: str) -> str | None:
    """The text CouchDB 3 stores for the JSON number `text`, or None when it is not a number it takes.
    An integer keeps every digit ("-0" aside); anything with a fraction or an exponent becomes a double,
    written with the fewest digits that read back the same (at most 17), in fixed notation from 1e-6 up to
    1e21 with at least one decimal ("1.10" → "1.1", "1E2" → "100.0"), else as "1e+21", "1.5e-7"."""
    text = text.strip()
    if not jsontext.is_number_text(text) or not jsontext.is_in_double_range(text):
        return None
    if not any(c in text for c in ".eE"):
        return str(int(text))
    number = float(text)
    if number == 0:
        return "0.0"  # CouchDB drops the sign of -0.0
    sign = "-" if number < 0 else ""
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction.rstrip("0")).lstrip("0") or "0"
    # the decimal point's place counted from the first significant digit (ECMAScript's n)
    point = len(whole.lstrip("0")) + int(exponent or 0) if whole.strip("0") else \
        int(exponent or 0) - (len(fraction) - len(fraction.lstrip("0")))
    return sign + _written(digits, point)


def _written(digits: str, point: int) -> str:
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count) + ".0"
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    power = point - 1
    return f"{digits[0]}{'.' + digits[1:] if count > 1 else ''}e{'+' if power > 0 else '-'}{abs(power)}"


def number_rewrite(text: str) -> str:
    """What CouchDB will store instead of `text`, or "" when it stores the number as written."""
    stored = stored_number_text(text)
    return stored if stored is not None and stored != text.strip() else ""



def number_notes(body: Json) -> list[tuple[str, str, str]]:
    """(path, as written, as stored) for every number in `body` CouchDB stores with other text ("1.10" as
    "1.1"), outer members first. An integer without a sign is stored as written: it is not looked at."""
    notes: list[tuple[str, str, str]] = []
    pending: deque[tuple[Path, Json]] = deque([((), body)])
    while pending:
        path, container = pending.popleft()
        for key, value in (container.items() if isinstance(container, dict) else enumerate(container)):
            if isinstance(value, JsonNumber):
                stored = ("." in value or "e" in value or "E" in value or value.startswith("-")) and \
                    number_rewrite(value)
                if stored:
                    notes.append((path_label((*path, key)), str(value), stored))
            elif isinstance(value, (dict, list)) and value:
                pending.append(((*path, key), value))
    return notes
