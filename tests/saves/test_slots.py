"""Slot-name normalisation (REFERENCE §3.2) without the reference's silent fallbacks (B11)."""

from __future__ import annotations

import pytest

from worldstate.errors import InputError, InvalidSlotNameError, UnsafeNameError
from worldstate.saves import AUTOSAVE_SLOT, SlotType, normalize_slot_name
from worldstate.saves._slots import slot_label, slot_type


class TestNormalizeSlotName:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("  My Custom Slot  ", "my-custom-slot"),
            ("My Slot #1!", "my-slot-1"),
            ("__a__", "a"),
            ("a_-_b", "a_-_b"),
            ("Ünïcode slot", "n-code-slot"),
            ("AUTOSAVE", AUTOSAVE_SLOT),
            ("tab\tand  spaces\n", "tab-and-spaces"),
        ],
    )
    def test_reference_examples(self, given: str, expected: str) -> None:
        """The verified examples of REFERENCE §3.2 hold."""
        assert normalize_slot_name(given) == expected

    def test_truncates_to_32_without_restripping(self) -> None:
        """Names are cut to 32 characters; a dash left at the cut stays (as the reference)."""
        name = "a" * 31 + " b" + "c" * 10
        assert normalize_slot_name(name) == "a" * 31 + "-"

    def test_short_limits_are_raised_to_eight(self) -> None:
        """A limit below 8 is treated as 8, like the reference's max(8, limit)."""
        assert normalize_slot_name("abcdefghijkl", max_length=3) == "abcdefgh"

    @pytest.mark.parametrize("bad", ["", "   ", "---", "***", "!!", None, 0, 3.7, True, ["a"]])
    def test_bad_names_raise_naming_the_value(self, bad: object) -> None:
        """Where the reference silently used 'autosave', a bad name is an error with its repr."""
        with pytest.raises(InvalidSlotNameError) as caught:
            normalize_slot_name(bad)
        assert repr(bad) in str(caught.value)
        assert isinstance(caught.value, InputError)  # the CLI maps it to exit code 2

    @pytest.mark.parametrize("bad", ["../x", "..", "a/b", "C:\\saves", "bell\x07", "nul\x00"])
    def test_path_like_names_raise(self, bad: str) -> None:
        """Separators, '..' and control characters are refused instead of rewritten."""
        with pytest.raises(UnsafeNameError, match="looks like a path"):
            normalize_slot_name(bad)


class TestLabelsAndTypes:
    def test_label_is_the_trimmed_original(self) -> None:
        """The display label keeps the player's spelling, trimmed."""
        assert slot_label("  My Slot #1! ", "my-slot-1") == "My Slot #1!"
        assert slot_label("QA\trun\n #2", "qa-run-2") == "QA run #2"  # no control chars kept

    def test_only_autosave_is_auto(self) -> None:
        """Only the autosave slot is of type auto; eviction applies to manual slots."""
        assert slot_type("autosave") is SlotType.AUTO
        assert slot_type("autosave-2") is SlotType.MANUAL
