"""The form that opens a partition of a partitioned database."""

from django import forms

from browser.forms.fields import PartitionNameField


class PartitionOpenForm(forms.Form):
    partition = PartitionNameField(label="Partition name",
                                   help_text="The part of the document ids before the “:”, e.g. “sensor-1”.")
