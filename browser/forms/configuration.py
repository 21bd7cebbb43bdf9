"""Forms of the configuration pages: the node chosen, the filter (a GET form), what a change page is asked about,
and the typed-confirmation change and delete forms."""

import re

from django import forms

from browser.couch.configuration import ALL_NODES

# CouchDB refuses section and key names with "[", "]" or a line break (400 "Invalid configuration section/key")
# and values with a line break (the .ini file it writes could not hold them); checked here first, in words.
_BAD_NAME = re.compile(r"[\[\]\x00-\x1f\x7f]")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
NAME_MOST = 255
VALUE_MOST = 65536
ADMINS_REFUSED = ("Server admins ([admins]) are not changed from this page: one slip here locks everyone out. "
                  "Manage server admins in CouchDB's local.ini or with its _node/{node}/_config/admins API.")


class ConfigNodeForm(forms.Form):
    """Which node a configuration page is about (?node=): one of `nodes`, all of them, or else `default` (none
    named, or one that is not a node of this server)."""

    node = forms.CharField(required=False, max_length=NAME_MOST, label="Node")

    def __init__(self, *args, nodes, default, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes, self.default = list(nodes), default

    def clean_node(self):
        node = self.cleaned_data["node"]
        return node if node in (*self.nodes, ALL_NODES) else self.default

    def chosen_node(self):
        return self.cleaned_data["node"] if self.is_valid() else self.default


class ConfigFilterForm(ConfigNodeForm):
    q = forms.CharField(required=False, max_length=200, strip=False, label="Section or key contains")
    section = forms.CharField(required=False, max_length=NAME_MOST, strip=False, label="Section")
    differing = forms.BooleanField(required=False, label="Only keys that differ between nodes")

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else ""


class ConfigChangeAskedForm(ConfigNodeForm):
    """What a change page's address (or post) asks about, read before its form is made: the key, whose being a
    secret decides how its value is shown, and the node the page starts on."""

    # Any text, as it came: ConfigSetForm and ConfigDeleteForm check the names.
    section = forms.Field(required=False)
    key = forms.Field(required=False)

    def asked_key(self):
        """(section, key), each "" when not given."""
        self.is_valid()
        return self.cleaned_data.get("section") or "", self.cleaned_data.get("key") or ""


class ConfigNameField(forms.CharField):
    def __init__(self, what, **kwargs):
        self.what = what
        super().__init__(max_length=NAME_MOST, strip=False, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if _BAD_NAME.search(value):
            raise forms.ValidationError(f"A {self.what} name cannot hold “[”, “]”, a line break or another control "
                                        "character (CouchDB refuses them).")
        return value


def node_choices(nodes):
    """Every node, and "all nodes" first when there is more than one."""
    choices = [(n, n) for n in nodes]
    return [(ALL_NODES, f"All {len(nodes)} nodes"), *choices] if len(nodes) > 1 else choices


class ConfigTargetForm(forms.Form):
    """Which key, on which node(s), confirmed by typing the key name."""

    section = ConfigNameField("section", label="Section")
    key = ConfigNameField("key", label="Key")
    node = forms.ChoiceField(label="Apply to", widget=forms.RadioSelect)
    confirm = forms.CharField(max_length=NAME_MOST, strip=False, required=False,
                              label="Type the key name to confirm")

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = list(nodes)
        self.fields["node"].choices = node_choices(self.nodes)
        if len(self.nodes) == 1:
            self.fields["node"].initial = self.nodes[0]

    def clean_section(self):
        section = self.cleaned_data["section"]
        if section.lower() == "admins":
            raise forms.ValidationError(ADMINS_REFUSED)
        return section

    def clean(self):
        data = super().clean()
        key = data.get("key")
        if key is not None and data.get("confirm") != key:
            self.add_error("confirm", "What you typed does not match the key name: type it exactly, "
                                      "spaces and case included.")
        return data

    def target_nodes(self):
        node = self.cleaned_data["node"]
        return self.nodes if node == ALL_NODES else [node]


class ConfigSetForm(ConfigTargetForm):
    # CouchDB drops a value's surrounding spaces itself; dropped here too, so the audit says what it keeps.
    value = forms.CharField(max_length=VALUE_MOST, required=False, label="New value",
                            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    field_order = ["section", "key", "value", "node", "confirm"]

    def __init__(self, *args, secret=False, **kwargs):
        super().__init__(*args, **kwargs)
        if secret:
            # A secret's value is never sent to the browser, not even back into its own field.
            self.fields["value"].widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})

    def clean_value(self):
        value = self.cleaned_data["value"]
        if _BAD_VALUE.search(value):
            raise forms.ValidationError("A value cannot hold a line break (CouchDB refuses it).")
        return value


class ConfigDeleteForm(ConfigTargetForm):
    pass
