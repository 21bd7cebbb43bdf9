"""The active tasks list's filter and order."""

from django import forms

from browser.couch.tasks import SORT_ORDERS, TASK_KINDS


class TaskListForm(forms.Form):
    type = forms.ChoiceField(required=False, label="Type", choices=[("", "All types"), *TASK_KINDS.items()])
    sort = forms.ChoiceField(required=False, label="Sort by", choices=list(SORT_ORDERS.items()))
