"""jsontext: any depth without recursion, exact numbers, and the editor's strict reading."""

import json

import pytest

from browser.couch import jsontext
from browser.couch.jsontext import JsonNumber, JsonSyntaxError

DEPTH = 5000


def deep_text(depth=DEPTH):
    return '{"a":' * depth + "1" + "}" * depth


def test_a_document_5000_deep_is_read_and_written_back_unchanged():
    text = deep_text()
    value = jsontext.loads(text)
    assert jsontext.dumps(value) == text
    assert jsontext.dumps(jsontext.loads_strict(text)) == text
    arrays = "[" * DEPTH + "]" * DEPTH
    assert jsontext.dumps(jsontext.loads(arrays)) == arrays


def test_indented_output_stays_linear_in_size_however_deep():
    value = jsontext.loads(deep_text())
    pretty = jsontext.dumps(value, indent=2)
    assert jsontext.dumps(jsontext.loads(pretty)) == deep_text()
    assert len(pretty) < 20 * len(deep_text())
    assert pretty.startswith('{\n  "a": {\n    "a": {')


def test_numbers_keep_their_text():
    value = jsontext.loads('{"big": 9007199254740993, "fine": 0.1000000000000000055, "e": 1E5}')
    assert value == {"big": JsonNumber("9007199254740993"), "fine": JsonNumber("0.1000000000000000055"),
                     "e": JsonNumber("1E5")}
    assert jsontext.dumps(value) == '{"big":9007199254740993,"fine":0.1000000000000000055,"e":1E5}'


def test_the_output_matches_the_json_module_for_ordinary_values():
    value = {"s": "é\n\"\u2028", "n": None, "t": True, "f": False, "i": 3, "x": 1.5, "l": [[], {}, [1, {"k": []}]]}
    for indent in (None, 2):
        separators = (",", ": ") if indent else (",", ":")
        assert jsontext.dumps(value, indent=indent) == json.dumps(value, indent=indent, ensure_ascii=False,
                                                                   separators=separators)


def test_reading_keeps_the_last_of_a_repeated_name_as_couchdb_does():
    assert jsontext.loads('{"a": 1, "a": 2}') == {"a": JsonNumber("2")}
    assert jsontext.loads('[' * DEPTH + '{"a": 1, "a": 2}' + ']' * DEPTH) is not None


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ('{\n  "a": 1,\n  "a": 2\n}', 3, 3, 'name "a" appears twice'),
    ('{"x": [1,\n 1e400]}', 2, 2, "1e400 is beyond the range"),
    ('[-1E+309]', 1, 2, "-1E+309 is beyond the range"),
    ("[1" + "0" * 400 + "]", 1, 2, "beyond the range"),
    ('{"a":' * DEPTH + '{"b": 1, "b": 2}' + "}" * DEPTH, 1, 5 * DEPTH + 10, 'name "b" appears twice'),
])
def test_the_editors_reading_refuses_repeated_names_and_numbers_out_of_range(text, line, column, words):
    with pytest.raises(JsonSyntaxError) as caught:
        jsontext.loads_strict(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in caught.value.message


def test_tiny_numbers_and_the_largest_double_are_accepted_as_couchdb_does():
    text = '[1e-400, 1.7976931348623157e308, -0]'
    assert jsontext.dumps(jsontext.loads_strict(text)) == text.replace(" ", "")


@pytest.mark.parametrize("text", [
    "[1,,2]", '{"a" 1}', "[NaN]", '["\\x"]', "[1 2]", '{"a": tru}', '{"a": 1,}',
])
def test_syntax_errors_name_the_same_place_at_any_depth(text):
    with pytest.raises(JsonSyntaxError) as shallow:
        jsontext.loads(text)
    prefix = "[" * DEPTH
    with pytest.raises(JsonSyntaxError) as deep:
        jsontext.loads(prefix + text + "]" * DEPTH)
    assert deep.value.message == shallow.value.message
    assert deep.value.column == shallow.value.column + DEPTH


def test_nan_is_refused_where_it_is_written():
    with pytest.raises(JsonSyntaxError) as caught:
        jsontext.loads('{\n  "v": NaN\n}')
    assert (caught.value.line, caught.value.column) == (2, 8)


def test_a_preview_writes_only_what_it_shows():
    value = jsontext.loads(deep_text())
    shown = jsontext.preview(value, 120)
    assert 120 < len(shown) < 200 and deep_text().startswith(shown)
    assert jsontext.preview({"a": 1}, 120) == '{"a":1}'


def test_the_outline_of_a_big_document_reads_back_exactly_one_item_a_line():
    from browser.editor.state import TEXT_OUTLINE_VALUES, text_of

    items = [{"id": i, "price": jsontext.JsonNumber("9007199254740993"), "tags": ["a", {"b": None}]}
             for i in range(TEXT_OUTLINE_VALUES // 4)]
    body = {"title": "big", "items": items, "deep": [[[[1]]]]}
    text = text_of(body)
    assert jsontext.dumps(jsontext.loads(text)) == jsontext.dumps(body)
    lines = text.split("\n")
    assert lines[:3] == ["{", '  "title": "big",', '  "items": [']
    assert lines[3] == '    {"id":0,"price":9007199254740993,"tags":["a",{"b":null}]},'
    assert lines[-5:] == ["  ],", '  "deep": [', "    [[[1]]]", "  ]", "}"]
    assert len(lines) == 3 + len(items) + 5
    small = {"a": [1, {"b": 2}]}
    assert text_of(small) == jsontext.dumps(small, indent=2)
