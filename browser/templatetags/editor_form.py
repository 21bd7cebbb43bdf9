"""The form editor's rows. Written here rather than as a template that includes itself: a row costs
microseconds instead of a template's ~200 µs, and no nesting depth can recurse. Every value goes
through format_html, which escapes it as autoescaping would; mark_safe wraps only literal markup."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from browser.field_editor import TYPES, expandable

register = template.Library()

_CLOSE_ROW = mark_safe("</div>")
_OPEN_ROOT = mark_safe('<fieldset class="fields" data-path="r"><legend>Fields</legend>'
                         '<input type="hidden" name="f:r:t" value="object">\n')
_VALUE_CONTROLS = {
    "number": '<input name="f:{0}:v" value="{1}" aria-label="Value of {2}" inputmode="decimal" class="field-value">',
    "string": '<textarea name="f:{0}:v" aria-label="Value of {2}" rows="{3}" class="field-value" '
              'spellcheck="false">{1}</textarea>',
    "json": '<textarea name="f:{0}:v" aria-label="Value of {2}" rows="{3}" class="field-value json-text" '
            'spellcheck="false">{1}</textarea>',
    "boolean": '<select name="f:{0}:v" aria-label="Value of {2}"><option{4}>true</option>'
               '<option{5}>false</option></select>',
    "null": '<span class="muted">null</span>',
}
_TYPE_OPTIONS = {kind: format_html_join("", "<option value={}{}>{}",
                                        ((value, " selected" if value == kind else "", label)
                                         for value, label in TYPES))
                 for kind, _ in TYPES}


@register.simple_tag
def field_rows(lines):
    """The whole form: the rows of form_lines() in order, containers closed where their rows end."""
    return format_html_join("", "{}", ((_line_html(line),) for line in lines))


def _line_html(line):
    node = line.node
    if line.ends:
        add = "Add field" if node.type == "object" else "Add item"
        return format_html('<button name="op" value="add:{}">{}</button></fieldset>{}\n', node.path, add,
                           "" if node.path == "r" else _CLOSE_ROW)
    if node.path == "r":
        return _OPEN_ROOT
    return format_html('<div class="field-row{}" role="group" aria-label="{}"><div class="field-head">{}'
                       '<select name="f:{}:t" aria-label="Type of {}" data-retype>{}</select>{}{}</div>{}{}\n',
                       " has-error" if node.error else "", node.label[:1].upper() + node.label[1:],
                       _name_control(line), node.path, node.label, _TYPE_OPTIONS.get(node.type, ""),
                       _value_control(node), _row_tools(node), _error(node), _children_start(node))


def _name_control(line):
    node = line.node
    if line.parent_type == "object":
        return format_html('<input name="f:{}:k" value="{}" class="field-name" placeholder="name" '
                           'aria-label="Name of {}">', node.path, node.key, node.label)
    return format_html('<span class="item-index">[{}]</span>', node.index)


def _value_control(node):
    control = _VALUE_CONTROLS.get(node.type)
    if control is None:
        return ""
    is_true = node.value == "true"
    return format_html(control, node.path, node.value, node.label, node.line_count,
                       " selected" if is_true else "", "" if is_true else " selected")


def _row_tools(node):
    return format_html('<span class="row-tools">{2}<button name="op" value="up:{0}" aria-label="Move {1} up">↑</button>'
                       '<button name="op" value="down:{0}" aria-label="Move {1} down">↓</button>'
                       '<button name="op" value="remove:{0}" aria-label="Remove {1}">✕</button></span>',
                       node.path, node.label, _expand_button(node))


def _expand_button(node):
    if not expandable(node):
        return ""
    return format_html('<button name="op" value="expand:{}" aria-label="Show {} as rows">Expand</button>',
                       node.path, node.label)


def _error(node):
    return format_html('<p class="field-error" role="alert">{}</p>', node.error) if node.error else ""


def _children_start(node):
    if not node.is_container:
        return _CLOSE_ROW
    what = "Fields of" if node.type == "object" else "Items of"
    return format_html('<fieldset class="fields nested"><legend class="visually-hidden">{} {}</legend>', what,
                       node.key or ("this object" if node.type == "object" else "this array"))
