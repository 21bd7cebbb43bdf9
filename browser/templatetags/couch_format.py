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
