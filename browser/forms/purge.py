"""Forms of purging a document and of the database's revision limits."""

from django import forms

from browser.couch.purge import LIMIT_MOST
from browser.visible_text import visible

PURGE_SCOPES = (("all", "The whole document: every leaf revision listed"),
                ("chosen", "Only the leaf revisions I tick"))


class PurgeForm(forms.Form):
    """What to purge of one document, confirmed by typing its id."""

    scope = forms.ChoiceField(choices=PURGE_SCOPES, widget=forms.RadioSelect, label="What to purge",
                              error_messages={"required": "Choose whether to purge the whole document or only "
                                                          "the revisions you tick."})
    revs = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                     label="Leaf revisions to purge",
                                     error_messages={"invalid_choice": "Revision %(value)s is no longer a leaf of "
                                                                       "this document (it changed meanwhile): "
                                                                       "look at the list again."})
    # The leaves the page showed: "the whole document" means those, and only while they are all there is.
    seen = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    confirm_id = forms.CharField(max_length=20_000, strip=False, label="Type the document id to confirm")

    def __init__(self, *args, docid, leaves, **kwargs):
        super().__init__(*args, **kwargs)
        self.docid = docid
        self.leaves = leaves
        choices = [(leaf.rev, f"{leaf.rev} — {leaf.kind}") for leaf in leaves]
        self.fields["revs"].choices = choices
        self.initial.setdefault("seen", [leaf.rev for leaf in leaves])
        if "\n" in docid or "\r" in docid:
            # An id with a line break can only be typed into a text area.
            self.fields["confirm_id"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["confirm_id"].widget.attrs.update(autocomplete="off", spellcheck="false")

    def clean_confirm_id(self):
        typed = self.cleaned_data["confirm_id"].replace("\r\n", "\n")
        if typed == visible(self.docid):  # copied as the page shows it, hidden characters named
            typed = self.docid
        if typed != self.docid:
            raise forms.ValidationError("What you typed is not this document's id: type it exactly, "
                                        "character for character.")
        return typed

    def clean(self):
        cleaned = super().clean()
        scope, current = cleaned.get("scope"), [leaf.rev for leaf in self.leaves]
        seen = cleaned.get("seen")
        if scope == "all" and (not isinstance(seen, list) or set(seen) != set(current)):
            raise forms.ValidationError("The document's leaf revisions changed since the page was shown: nothing "
                                        "was purged. Look at the list as it is now and confirm again.")
        if scope == "chosen" and not cleaned.get("revs") and "revs" not in self.errors:
            self.add_error("revs", "Tick at least one revision, or choose to purge the whole document.")
        return cleaned

    def chosen_revs(self):
        if self.cleaned_data["scope"] == "all":
            return [leaf.rev for leaf in self.leaves]
        return list(self.cleaned_data["revs"])


def _limit_field(label):
    return forms.IntegerField(min_value=1, max_value=LIMIT_MOST, label=label,
                              error_messages={"min_value": "CouchDB needs a whole number of at least 1.",
                                              "max_value": f"At most {LIMIT_MOST:,} here.",
                                              "invalid": "Enter a whole number, such as 1000.",
                                              "required": "Enter a whole number, such as 1000."})


class RevsLimitForm(forms.Form):
    revs_limit = _limit_field("Revisions remembered per document (_revs_limit)")


class PurgedInfosLimitForm(forms.Form):
    purged_infos_limit = _limit_field("Purge records kept (_purged_infos_limit)")
