"""ExportSettings.resolve validates every option before an export starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from worldstate.errors import ConfigurationError, InputError, UnsafeNameError
from worldstate.export import ExportSettings


def resolve(**overrides: object) -> ExportSettings:
    options: dict[str, object] = {
        "out": Path("out"),
        "prefix": "p",
        "formats": "json,csv",
        "metadata": None,
        "dry_run": None,
        "publish": False,
        "context": None,
        "generated_at": None,
        "env": {},
    }
    options.update(overrides)
    return ExportSettings.resolve(**options)  # type: ignore[arg-type]


class TestExportSettings:
    def test_defaults(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Paths become absolute; the manifest defaults into the artifact folder."""
        monkeypatch.chdir(tmp_path)
        settings = resolve()
        assert settings.out_dir == tmp_path / "out"
        assert settings.manifest_path == tmp_path / "out" / "ci-artifacts.json"
        assert settings.formats == ("json", "csv")
        assert settings.dry_run is True
        assert settings.run_context == {"runId": None}

    def test_formats_aliases_and_spaces(self) -> None:
        """Format lists are split on commas, trimmed and resolved through the aliases."""
        formats = resolve(formats=" md , transcript ,json").formats
        assert sorted(formats) == ["json", "transcript-csv", "transcript-md"]
        assert resolve(formats="").formats == ("json", "csv")

    def test_run_id_precedence(self) -> None:
        """BUILD_ID wins over GITHUB_RUN_ID; the user context follows runId."""
        env = {"BUILD_ID": "b", "GITHUB_RUN_ID": "g"}
        settings = resolve(env=env, context='{"runId": "mine", "job": 1}')
        assert settings.run_context == {"runId": "mine", "job": 1}
        assert resolve(env={"BUILD_ID": "", "GITHUB_RUN_ID": "g"}).run_context == {"runId": "g"}

    def test_errors(self) -> None:
        """Each bad option raises the error class the CLI maps to exit code 2."""
        with pytest.raises(UnsafeNameError):
            resolve(prefix="../x")
        with pytest.raises(ConfigurationError, match="'pdf'"):
            resolve(formats="pdf")
        with pytest.raises(InputError, match=r"--context.*JSON object"):
            resolve(context="[1]")
        with pytest.raises(InputError, match="--context, line 1 column 2: context is not valid"):
            resolve(context="{oops")
        with pytest.raises(UnsafeNameError):
            resolve(metadata=Path("/tmp/.."))

    @pytest.mark.parametrize("metadata", ["", ".", "sub"])
    def test_metadata_that_is_a_folder(
        self, metadata: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--metadata naming an existing folder ('' is the current one) is refused up front."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "sub").mkdir()
        with pytest.raises(ConfigurationError, match=r"--metadata: .* is a folder"):
            resolve(metadata=Path(metadata))
        assert resolve(metadata=Path("sub/m.json")).manifest_path == tmp_path / "sub" / "m.json"

    @pytest.mark.parametrize("value", [8_640_000_000_000_001, -99_999_999_999_999_999])
    def test_generated_at_outside_the_javascript_date_range(self, value: int) -> None:
        """--generated-at beyond ±8.64e15 ms is refused naming the option; the limits pass."""
        with pytest.raises(InputError) as caught:
            resolve(generated_at=value)
        assert str(caught.value) == (
            f"--generated-at: {value} is outside the JavaScript date range (±8.64e15 ms)"
        )
        assert resolve(generated_at=-8_640_000_000_000_000).generated_at == -8.64e15
