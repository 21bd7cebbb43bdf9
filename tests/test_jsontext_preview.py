"""preview() writes the start of a value's JSON, at least as much as asked when there is that much, and
never the whole of a huge value: checked on the shapes table cells meet."""

import pytest

from browser.couch import jsontext
from tests.support.data import HOSTILE

VALUES = [
    None, True, 0, -1.5, "text", "", jsontext.loads("1E400"), jsontext.loads("[1.10, 2E5, -0.0]"),
    ["a", "b"], {"k": 1, "l": [1, 2]}, [], {}, list(range(32)), list(range(33)), ["x" * 119, "y" * 121],
    {"x" * 200: 1}, [[1], [2]], [{"a": 1}], {"a": None, "b": False, "c": "é\u2028<>&\""},
    ["z" * 10_000] * 3, [list(range(1000))], {str(i): i for i in range(500)},
    *[[value, value] for value in HOSTILE["field_values"] if not isinstance(value, (dict, list))],
    *[{name: name} for name in HOSTILE["field_names"]],
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
@pytest.mark.parametrize("chars", [1, 20, 120])
def test_preview_is_the_start_of_the_whole_and_long_enough(value, chars):
    whole = jsontext.dumps(value)
    shown = jsontext.preview(value, chars)
    assert whole.startswith(shown)
    assert len(shown) >= min(chars, len(whole))


def test_a_huge_value_is_not_written_whole():
    huge = [{"n": i, "text": "x" * 100} for i in range(100_000)]
    assert len(jsontext.preview(huge, 120)) < 1_000
