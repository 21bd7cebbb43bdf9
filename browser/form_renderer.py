"""Django's form renderer, with the plainest widgets written in Python.

Every form field on a page went through two or three small widget templates (input.html includes
attrs.html; a <select> includes a template per option): ~0.3 ms a field, half of the document list page's
rendering. For <input>, <select> and <textarea> this writes the very HTML Django's templates write
(tests/test_form_renderer.py compares the two on every form of the project), escaping every value as
the templates do; anything else, or any value it is not sure to write the same way, goes to the templates.
"""

from html import escape

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeData

from browser.markup import markup

_WIDGETS = "django/forms/widgets/"
_INPUTS = {f"{_WIDGETS}{name}.html" for name in ("input", "text", "number", "email", "url", "password", "hidden",
                                                  "checkbox", "search", "tel")}
_OPTION = f"{_WIDGETS}select_option.html"


class _Unusual(Exception):
    """A value these writers do not promise to write as the templates would: let the templates do it."""


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        write = _input if template_name in _INPUTS else _WRITERS.get(template_name)
        if write is not None:
            try:
                return markup(write(context["widget"]))
            except _Unusual:
                pass
        return super().render(template_name, context, request)


def _input(widget):
    value = widget["value"]
    shown = "" if value is None else f' value="{_format_s(value)}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                raise _Unusual
            parts.append(f'\n  <option value="{_format_s(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = widget["value"]
    return (f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f'{_text(value) if value else ""}</textarea>')


_WRITERS = {f"{_WIDGETS}select.html": _select, f"{_WIDGETS}textarea.html": _textarea}


def _attrs(attrs):
    # attrs.html: a True attribute is written bare, a False one not at all.
    return "".join("" if value is False else f" {_text(name)}" if value is True else
                   f' {_text(name)}="{_format_s(value)}"' for name, value in attrs.items())


def _text(value):
    """{{ value }}: as the template engine writes a str, int or lazy text, escaped unless marked safe."""
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, (str, Promise)) or (isinstance(value, int) and not isinstance(value, bool)):
        return escape(str(value))
    raise _Unusual


def _format_s(value):
    """{{ value|stringformat:'s' }}"""
    if isinstance(value, (str, int, Promise)) and not isinstance(value, SafeData):
        return escape(str(value))
    raise _Unusual
