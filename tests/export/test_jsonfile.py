"""Strict JSON loading: no NaN/Infinity, no lone surrogates, and errors that name the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.errors import InputError, SnapshotError
from worldstate.export import parse_context
from worldstate.jsonfile import JsonLimits, loads_strict, read_json_file, text_position


class TestLoadsStrict:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('{"a": NaN}', "doc.json, at $.a: NaN is not valid JSON"),
            ('{"a": [1, Infinity]}', "doc.json, at $.a[1]: Infinity is not valid JSON"),
            ('[{"x y": -Infinity}]', 'doc.json, at $[0]["x y"]: -Infinity is not valid JSON'),
            ("NaN", "doc.json, at $: NaN is not valid JSON"),
        ],
    )
    def test_constants_are_refused_with_their_path(self, text: str, message: str) -> None:
        """NaN, Infinity and -Infinity are not JSON; the first one's path is named."""
        with pytest.raises(SnapshotError) as caught:
            loads_strict(text, source="doc.json", what="summary")
        assert str(caught.value) == message

    @pytest.mark.parametrize(
        ("text", "path"),
        [
            ('{"source": "\\ud800"}', "$.source"),
            ('{"f": {"t": [{"id": "ok"}, {"id": "x\\uDFFFy"}]}}', "$.f.t[1].id"),
            ('{"ok": "\\ud83d\\ude00", "bad": "\\ude00\\ud83d"}', "$.bad"),
        ],
    )
    def test_lone_surrogates_are_refused_with_their_path(self, text: str, path: str) -> None:
        """A \\ud800-style escape that is not half of a pair is refused; a pair is fine."""
        with pytest.raises(SnapshotError) as caught:
            loads_strict(text, source="doc.json", what="summary")
        assert str(caught.value) == f"doc.json, at {path}: lone surrogate in string"

    def test_a_surrogate_in_a_key_is_named_with_an_escaped_path(self) -> None:
        """The key itself is shown escaped, so the message can always be printed."""
        with pytest.raises(SnapshotError) as caught:
            loads_strict('{"a": {"\\udc00": 1}}', source="doc.json", what="summary")
        assert str(caught.value) == 'doc.json, at $.a["\\udc00"]: lone surrogate in key'
        str(caught.value).encode("utf-8")  # printable as UTF-8

    def test_a_raw_surrogate_in_text_is_refused(self) -> None:
        """Text that did not come from UTF-8 (argv bytes via surrogateescape) is caught too."""
        with pytest.raises(SnapshotError, match=r"at \$\.a: lone surrogate"):
            loads_strict('{"a": "\udcff"}', source="--context", what="context")

    def test_the_first_problem_in_document_order_is_named(self) -> None:
        """A surrogate before a NaN is the one reported."""
        with pytest.raises(SnapshotError, match=r"at \$\.a: lone surrogate"):
            loads_strict('{"a": "\\ud800", "b": NaN}', source="s", what="summary")

    def test_valid_documents_pass_unchanged(self) -> None:
        """Ordinary JSON, astral characters included, decodes as json.loads would."""
        text = '{"a": [1, 2.5, null, true], "b": "\\u00e9\\ud83d\\ude00", "c": {"\\\\ud800": 1}}'
        assert loads_strict(text, source="s", what="summary") == {
            "a": [1, 2.5, None, True],
            "b": "é😀",
            "c": {"\\ud800": 1},
        }

    def test_syntax_errors_name_line_and_column(self) -> None:
        """Text that is not JSON at all keeps its line/column message."""
        with pytest.raises(InputError) as caught:
            loads_strict('{\n  "a": ,\n}', source="doc.json", what="summary")
        assert not isinstance(caught.value, SnapshotError)
        assert str(caught.value).startswith("doc.json, line 2 column 8: summary is not valid JSON")


class TestCallers:
    def test_read_json_file_is_strict(self, tmp_path: Path) -> None:
        """Files (--summary, --snapshot) go through the strict loader."""
        path = tmp_path / "summary.json"
        path.write_text('{"factions": {"cascadeTargets": [{"factionId": "\\ud800"}]}}')
        with pytest.raises(SnapshotError) as caught:
            read_json_file(path, what="summary")
        assert str(caught.value) == (
            f"{path}, at $.factions.cascadeTargets[0].factionId: lone surrogate in string"
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('{"a": NaN}', "--context, at $.a: NaN is not valid JSON"),
            ('{"a": "\\ud800"}', "--context, at $.a: lone surrogate in string"),
        ],
    )
    def test_parse_context_is_strict(self, text: str, message: str) -> None:
        """--context goes through the strict loader and names the option."""
        with pytest.raises(SnapshotError) as caught:
            parse_context(text)
        assert str(caught.value) == message


class TestLimits:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "[" * 1000 + "]" * 1000,
                "doc.json, line 1 column 513: summary nests arrays and objects deeper than the "
                "limit of 512",
            ),
            (
                '{"a":' + "1" * 5000 + "}",
                "doc.json, line 1 column 6: summary has an integer of 5,000 digits, over the "
                "limit of 20",
            ),
            (
                '{\n "a": [1,\n -' + "9" * 30 + "]}",
                "doc.json, line 3 column 2: summary has an integer of 30 digits, over the limit "
                "of 20",
            ),
            (
                '{"a": 1e400}',
                "doc.json, line 1 column 7: summary has a number too large for a float (1e400)",
            ),
        ],
    )
    def test_over_a_limit_is_refused_with_line_and_column(self, text: str, message: str) -> None:
        """Depth, integer size and float range: an InputError that says where, no crash."""
        with pytest.raises(InputError) as caught:
            loads_strict(text, source="doc.json", what="summary")
        assert str(caught.value) == message

    def test_within_the_limits_is_accepted(self) -> None:
        """512 levels, 20 digits, brackets and digits inside strings are all fine."""
        deep = "[" * 512 + "]" * 512
        assert loads_strict(deep, source="s", what="summary") is not None
        text = '{"id": "' + "[" * 600 + "1" * 40 + '", "n": -18446744073709551615, "f": 1e-400}'
        assert loads_strict(text, source="s", what="summary") == {
            "id": "[" * 600 + "1" * 40,
            "n": -18446744073709551615,
            "f": 0.0,
        }

    def test_string_and_document_sizes(self) -> None:
        """Limits are configurable; over them the message names the size and the limit."""
        limits = JsonLimits(max_string_chars=10, max_document_chars=100)
        with pytest.raises(InputError, match=r"line 1 column 7: .*string of 11 characters"):
            loads_strict('{"a": "' + "x" * 11 + '"}', source="s", what="summary", limits=limits)
        with pytest.raises(InputError, match="101 characters long, over the limit of 100"):
            loads_strict(" " * 99 + "[]", source="s", what="summary", limits=limits)

    def test_invalid_utf8_is_named_by_line_and_column(self, tmp_path: Path) -> None:
        """Not 'position 43': the line and the column of the bad byte."""
        path = tmp_path / "bad.json"
        path.write_bytes(b'{\n  "name": "caf\xc3\xa9 \xff"\n}')
        with pytest.raises(InputError) as caught:
            read_json_file(path, what="summary")
        assert str(caught.value) == (
            f"{path}, line 2 column 17: summary is not UTF-8: byte 0xff cannot start or "
            "continue a character"
        )

    def test_text_position(self) -> None:
        """1-based line and column of a character index."""
        assert text_position("ab\ncd", 4) == (2, 2)
        assert text_position("ab", 0) == (1, 1)
