"""Strict JSON loading: no NaN/Infinity, no lone surrogates, and errors that name the path."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.errors import InputError, SnapshotError
from worldstate.export import parse_context
from worldstate.jsonfile import loads_strict, read_json_file


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
