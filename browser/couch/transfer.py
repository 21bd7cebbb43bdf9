"""Reading JSON a piece at a time: the items of an array (an uploaded file, or the rows of a streamed
_all_docs answer) one by one, so that a file or a database of any size costs the memory of one item.

Items are found by a scanner that only follows strings and brackets (no recursion, any depth), then
each item's text is parsed by jsontext (exact numbers). A broken item is reported and skipped; the
items after it are still read.
"""

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from browser.couch import jsontext
from browser.couch.jsontext import Json

READ_CHARS = 256 * 1024
# One item (a document, with its attachments inline) may be at most this long.
ITEM_MOST_CHARS = 256 * 1024 * 1024
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|"', re.DOTALL)
_SCALAR_END = re.compile(r"[,\]}\s]")
_SPACE = re.compile(r"[ \t\n\r]*")
# Where a text line ends, as Python's universal newlines see it (not \u2028 and the like, which JSON strings hold).
_BINARY_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class StreamBroken(ValueError):
    """The stream is not a JSON array (or ends inside one): nothing after this point can be read."""


class NotUtf8(StreamBroken):
    """A byte that is not UTF-8 text: where it is, by line and byte offset (from 0, the byte-order mark counted)."""

    def __init__(self, line: int, offset: int, found: bytes) -> None:
        self.line, self.offset = line, offset
        super().__init__(f"Line {line:,} is not UTF-8 text: byte {offset:,} of the file is "
                         f"{' '.join(f'0x{b:02x}' for b in found)}.")


@dataclass(frozen=True)
class Item:
    """One item of the array: its number (from 1), its value, or why its text is not JSON; or, read unparsed,
    its text."""

    number: int
    value: Json = None
    problem: str = ""
    text: str = ""

    def parsed(self) -> "Item":
        """The item with its value (or its problem), when it was read unparsed."""
        return _parsed(self.number, self.text) if self.text else self


# A CSV column's field path: its names, outermost first.
Path = tuple[str, ...]
# One character of a column title, and whether a backslash escaped it.
Token = tuple[str, bool]


def text_chunks(binary_chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode UTF-8 bytes piece by piece (a byte-order mark is dropped). At a byte that is not UTF-8, the text
    before it is given first, then NotUtf8 names its line and byte offset."""
    bom = codecs.BOM_UTF8
    pending, offset, lines, first = b"", 0, 1, True
    for chunk in binary_chunks:
        data = pending + chunk
        if first:
            if len(data) < len(bom) and bom.startswith(data):
                pending = data  # too short yet to tell a byte-order mark
                continue
            first = False
            if data.startswith(bom):
                data, offset = data[len(bom):], len(bom)
        try:
            text, used = codecs.utf_8_decode(data, "strict", False)
        except UnicodeDecodeError as exc:
            yield from _up_to_bad_byte(data, exc, offset, lines)
        if text:
            yield text
        pending, offset, lines = data[used:], offset + used, lines + text.count("\n")
    try:
        text, _ = codecs.utf_8_decode(pending, "strict", True)
    except UnicodeDecodeError as exc:
        yield from _up_to_bad_byte(pending, exc, offset, lines)
    if text:
        yield text


def _up_to_bad_byte(data: bytes, exc: UnicodeDecodeError, offset: int, lines: int) -> Iterator[str]:
    """The good text before a bad byte, then NotUtf8 for it (`data` starts at byte `offset`, on line `lines`)."""
    good = data[:exc.start].decode("utf-8")
    if good:
        yield good
    raise NotUtf8(lines + good.count("\n"), offset + exc.start, data[exc.start:exc.end])


def binary_lines(readable: IO[bytes], most: int | None = None) -> Iterator[tuple[int, str | NotUtf8]]:
    """(line number, text) for each line of a binary file, read a line at a time, with universal newlines (\\n,
    \\r\\n, \\r) kept at the ends; a line that is not UTF-8 text comes as (number, NotUtf8), and the lines after it
    follow. A line longer than `most` bytes raises StreamBroken."""
    number, offset = 0, 0
    while True:
        raw = readable.readline(most + 1) if most else readable.readline()
        if not raw:
            return
        if most and len(raw) > most and not raw.endswith(b"\n"):
            raise StreamBroken(f"Line {number + 1:,} is longer than {most:,} bytes.")
        if offset == 0 and raw.startswith(codecs.BOM_UTF8):
            raw, offset = raw[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
        # CR and LF never occur inside a UTF-8 character: the bytes split into lines before decoding.
        for match in _BINARY_LINE.finditer(raw):
            number += 1
            piece, start = match.group(), offset + match.start()
            try:
                yield number, piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, NotUtf8(number, start + exc.start, piece[exc.start:exc.end])
        offset += len(raw)


def file_chunks(readable: IO[bytes], size: int = READ_CHARS) -> Iterator[bytes]:
    """The bytes of a file-like object, read `size` at a time."""
    while True:
        data = readable.read(size)
        if not data:
            return
        yield data


class _Buffer:
    """The unread text, topped up from the chunks; the part already read is dropped as items complete."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self.chunks = iter(chunks)
        self.text = ""
        self.pos = 0
        self.ended = False

    def more(self) -> bool:
        """Read one more chunk; False at the end of the stream."""
        if self.ended:
            return False
        chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return False
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def skip_space(self) -> str:
        """Skip whitespace; the next character, or "" at the end of the stream."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]  # matches ""
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.skip_space() != char:
            raise StreamBroken(f"Expected {what} at {self._where()}.")
        self.pos += 1

    def _where(self) -> str:
        found = self.text[self.pos:self.pos + 20]
        return f"“{found}”" if found else "the end of the file"

    def value_end(self) -> int:
        """Where the JSON value starting at pos ends (reading more as needed), found by brackets and strings."""
        start = self.pos
        first = self.text[start]
        if first not in '{["':
            return self._scalar_end()
        depth = 0
        at = start
        while True:
            for match in _TOKEN.finditer(self.text, at):
                token = match.group()
                if token == '"':  # a string the text read so far does not close
                    at = match.start()
                    break
                if token[0] == '"':
                    if depth == 0:
                        return match.end()
                    continue
                depth += 1 if token in "{[" else -1
                if depth <= 0:
                    return match.end()
            else:
                at = len(self.text)
            offset = self.pos
            if len(self.text) - offset > ITEM_MOST_CHARS:
                raise StreamBroken(f"An item is longer than {ITEM_MOST_CHARS:,} characters, or its brackets "
                                   "never close.")
            if not self.more():
                raise StreamBroken("The file ends inside an item (a bracket or a quote is not closed).")
            at -= offset  # more() moved the text so that pos is 0

    def _scalar_end(self) -> int:
        while True:
            match = _SCALAR_END.search(self.text, self.pos)
            if match:
                return match.start()
            if len(self.text) - self.pos > ITEM_MOST_CHARS or not self.more():
                return len(self.text)


def array_items(chunks: Iterable[str], member: str | None = None, parse: bool = True) -> Iterator[Item]:
    """The items of a JSON array, from text chunks: the whole text is the array, or (with `member`) the
    array is that member of the top-level object, as "rows" in an _all_docs answer. Without `parse`, each
    item carries its text only."""
    buffer = _Buffer(chunks)
    if member is not None:
        _move_to_member(buffer, member)
    buffer.expect("[", "“[” (a JSON array)")
    number = 0
    if buffer.skip_space() == "]":
        return
    while True:
        number += 1
        if buffer.skip_space() == "":
            raise StreamBroken("The file ends inside the array (no closing “]”).")
        end = buffer.value_end()
        text = buffer.text[buffer.pos:end]
        yield _parsed(number, text) if parse else Item(number, text=text)
        buffer.pos = end
        following = buffer.skip_space()
        if following == "]":
            return
        if following != ",":
            raise StreamBroken(f"Expected “,” or “]” after item {number:,}, found {buffer._where()}.")
        buffer.pos += 1


def _move_to_member(buffer: _Buffer, member: str) -> None:
    buffer.expect("{", "“{” (a JSON object)")
    while True:
        if buffer.skip_space() != '"':
            raise StreamBroken(f"The answer has no “{member}”.")
        end = buffer.value_end()
        name = jsontext.loads(buffer.text[buffer.pos:end])
        buffer.pos = end
        buffer.expect(":", "“:”")
        if name == member:
            return
        buffer.skip_space()
        buffer.pos = buffer.value_end()
        buffer.expect(",", "“,”")


def _parsed(number: int, text: str) -> Item:
    try:
        return Item(number, jsontext.loads_strict(text))
    except jsontext.JsonSyntaxError as exc:
        return Item(number, problem=f"not valid JSON ({exc})")


def ndjson_items(readable: IO[bytes], most: int = ITEM_MOST_CHARS) -> Iterator[Item]:
    """NDJSON from a binary file: one item per non-empty line, numbered by its line; a line that is not UTF-8
    text is an item with a problem naming its byte offset, and the lines after it are read on."""
    for number, line in binary_lines(readable, most):
        if isinstance(line, NotUtf8):
            yield Item(number, problem=str(line))
        elif line.strip():
            yield _parsed(number, line)


def text_lines(readable: IO[bytes], most: int | None = None) -> Iterator[str]:
    """The text lines of a binary file (line ends kept), for csv.reader; NotUtf8 at a line that is not UTF-8."""
    for _, line in binary_lines(readable, most):
        if isinstance(line, NotUtf8):
            raise line
        yield line


def lines_items(readable_text: IO[str], most: int = ITEM_MOST_CHARS) -> Iterator[Item]:
    """NDJSON: one item per non-empty line of a text file; its number is the line number."""
    number = 0
    while True:
        line = readable_text.readline(most + 1)
        if not line:
            return
        number += 1
        if len(line) > most and not line.endswith("\n"):
            raise StreamBroken(f"Line {number:,} is longer than {most:,} characters.")
        if line.strip():
            yield _parsed(number, line)


# --- CSV column names ---
# A CSV column names a field by its path, dotted for nesting ("address.city"), and may end with a type
# ("age:number"). A backslash keeps the character after it as it is, so that any field name can be written:
# "dot\.ted" is the field "dot.ted" (not "ted" inside "dot"), "a\:number" a text field named "a:number".

CSV_TYPES = ("string", "number", "boolean", "json", "mixed")
_ESCAPED = frozenset("\\.:,")


def _tokens(text: str) -> list[Token]:
    """(character, escaped) pairs: a backslash escapes the character after it (a last lone one is itself)."""
    out: list[Token] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, None)
            out.append(("\\" if following is None else following, True))
        else:
            out.append((char, False))
    return out


def _stripped(tokens: list[Token]) -> list[Token]:
    start, end = 0, len(tokens)
    while start < end and tokens[start][0].isspace() and not tokens[start][1]:
        start += 1
    while end > start and tokens[end - 1][0].isspace() and not tokens[end - 1][1]:
        end -= 1
    return tokens[start:end]


def _split(tokens: list[Token], separator: str) -> list[list[Token]]:
    parts: list[list[Token]] = []
    part: list[Token] = []
    for char, escaped in tokens:
        if char == separator and not escaped:
            parts.append(part)
            part = []
        else:
            part.append((char, escaped))
    parts.append(part)
    return parts


def _text(tokens: list[Token]) -> str:
    return "".join(char for char, _ in tokens)


def field_paths(text: str) -> tuple[Path, ...]:
    """The paths of a comma-separated list of fields ("_id, address.city, dot\\.ted"), as tuples of names."""
    paths = []
    for item in _split(_tokens(text), ","):
        item = _stripped(item)
        if item:
            paths.append(tuple(_text(part) for part in _split(item, ".")))
    return tuple(paths)


def column_name(title: str) -> tuple[Path, str | None]:
    """(path, type) of a CSV header cell: "address.city:string" is (("address", "city"), "string"); the type is
    None when the title names none ("name", or "time:12", which is the field "time:12")."""
    tokens = _stripped(_tokens(title))
    colons = [at for at, (char, escaped) in enumerate(tokens) if char == ":" and not escaped]
    kind = None
    if colons:
        candidate = _text(tokens[colons[-1] + 1:]).strip().lower()
        if candidate in CSV_TYPES:
            kind, tokens = candidate, _stripped(tokens[:colons[-1]])
    return tuple(_text(part) for part in _split(tokens, ".")), kind


def escaped_name(name: str) -> str:
    """A field name as a CSV title or a fields list writes it: \\ . : and , escaped, and whitespace at its ends."""
    pieces = ["\\" + char if char in _ESCAPED else char for char in name]
    for at in {0, len(pieces) - 1} if pieces else ():
        if pieces[at].isspace():
            pieces[at] = "\\" + pieces[at]
    return "".join(pieces)


def column_title(path: Path, kind: str | None) -> str:
    """The header cell column_name reads back as (path, kind); a text column's type is left unsaid."""
    name = ".".join(escaped_name(part) for part in path)
    return name if kind == "string" and name else f"{name}:{kind}"
