"""Every input, query strings included, goes through a form. One module per area, named as its views in
browser/views/ (forms/document.py for views/document.py); fields.py and query_string.py hold what several areas
share. Nothing is imported here: import the area's module."""
