"""What the Jinja2 templates need from Python: the environment, its filters and its link helpers.

Python writes no markup: every HTML byte comes from a template under templates/, autoescaped."""
