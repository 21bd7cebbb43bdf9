"""What the design editor's page posts for its view rows (browser/forms/design.py, ViewFormSet)."""


def view_rows(*rows, initial=0):
    """Each row (a dict of name, map, reduce, custom) as view-N-<field>, with the counts the formset's
    management form carries (view-TOTAL_FORMS, view-INITIAL_FORMS)."""
    posted = {"view-TOTAL_FORMS": str(len(rows)), "view-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        posted.update({f"view-{i}-{field}": value for field, value in row.items()})
    return posted

