"""Database names in our URLs: "/" is written "~" because WSGI decodes %2F before routing."""


class DatabaseNameConverter:
    # "~" is not allowed in CouchDB database names, so it cannot clash with a real character.
    regex = r"[^/]+"

    def to_python(self, value):
        return value.replace("~", "/")

    def to_url(self, value):
        return value.replace("/", "~")


class DocumentIdConverter:
    """A document id as the rest of the path: any characters, "/" and line breaks included."""

    regex = r"[\s\S]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
