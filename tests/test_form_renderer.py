"""The fast widget renderer writes exactly what Django's widget templates write, for every field of every
form in the project, empty and filled with hostile values."""

import inspect
import pkgutil
import re
from collections import namedtuple
from importlib import import_module

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

import browser.forms
from browser.form_renderer import FastWidgetRenderer
from tests.support.data import HOSTILE

MODULES = [f"browser.forms.{module.name}" for module in pkgutil.iter_modules(browser.forms.__path__)]
VALUES = ["", "plain", *HOSTILE["field_values"][:6], "12", "on", "true"]


def project_forms():
    found = []
    for name in MODULES:
        for _, cls in inspect.getmembers(import_module(name), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name and cls not in found:
                found.append(cls)
    return found


Leaf = namedtuple("Leaf", "rev kind")
# What the forms whose constructors take more than data are given; a plain "x" for anything else required.
ARGUMENTS = {"nodes": ["couchdb@node1", "couchdb@<node2>"], "leaves": [Leaf("1-a", "leaf"), Leaf("2-<b>", "deleted")]}


def made(cls, data):
    """The form, bound to data (or not), given each further argument its constructor says it misses."""
    extra = {}
    while True:
        try:
            return cls(data=data, **extra) if data is not None else cls(**extra)
        except TypeError as exc:
            missing = re.findall(r"'(\w+)'", str(exc).partition("missing")[2])
            if not missing or set(missing) & set(extra):
                raise
            extra.update({name: ARGUMENTS.get(name, "x") for name in missing})


def widget_html(field, renderer):
    return field.field.widget.render(field.html_name, field.value(), field.build_widget_attrs({}), renderer)


@pytest.mark.parametrize("cls", project_forms(), ids=lambda cls: cls.__name__)
def test_every_field_of_every_form_renders_as_the_templates_do(cls):
    fast, templates = FastWidgetRenderer(), DjangoTemplates()
    datasets = [None, *[{name: value for name in cls.base_fields} for value in VALUES]]
    checked = 0
    for data in datasets:
        form = made(cls, data)
        if form is None:
            continue
        for field in form:
            assert widget_html(field, fast) == widget_html(field, templates), (cls.__name__, field.name, data)
            checked += 1
    assert checked or not cls.base_fields


def test_plain_widgets_with_odd_attributes_and_choices():
    fast, templates = FastWidgetRenderer(), DjangoTemplates()
    attrs = {"required": True, "disabled": False, "data-x": '"<&>', "maxlength": 12, "aria-label": mark_safe("a&amp;b")}
    widgets = [forms.TextInput(attrs), forms.NumberInput(attrs), forms.PasswordInput(attrs, render_value=True),
               forms.HiddenInput(attrs), forms.CheckboxInput(attrs), forms.Textarea(attrs), forms.EmailInput(),
               forms.Select(attrs, choices=[("", "—"), ("a", "<A>"), (1, 2), ("Group", [("x", "X"), ("y", "Y")])]),
               forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), forms.RadioSelect(choices=[("a", "A")])]
    for widget in widgets:
        for value in (None, "", "a", "<x>", 1, True, ["a", "b"], mark_safe("<b>")):
            assert widget.render("n", value, renderer=fast) == widget.render("n", value, renderer=templates), \
                (widget, value)
