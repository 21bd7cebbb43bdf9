import re

from django import template

register = template.Library()

UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


@register.filter
def bytes(value):  # noqa: A001 - the filter's name in templates
    """1536 -> '1.5 KiB'; None -> '—'."""
    if value is None or value == "":
        return "—"
    size = float(value)
    for unit in UNITS:
        if size < 1024 or unit == UNITS[-1]:
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(value)


@register.filter
def count_or_dash(value):
    if value is None:
        return "—"
    return f"{value:,}"


# Characters that change or hide how a name reads: controls, bidi overrides and isolates, zero-width
# and other invisible formatting characters, variation selectors, tags.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                     "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                     "\ufff0-\ufffb\U000e0000-\U000e0fff]")


@register.filter
def visible(value):
    """A name or id as plain text in which every invisible or direction-changing character shows as
    ⟦U+XXXX⟧, so that "ad\u200bmin" cannot pass for "admin" (autoescaped like any other text)."""
    return _HIDDEN.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", "" if value is None else str(value))
