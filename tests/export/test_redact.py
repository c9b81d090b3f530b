"""Redaction of secret-looking keys and credential URLs (DEVIATIONS B3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from worldstate.cli import cli
from worldstate.redact import (
    REDACTED,
    Redactor,
    has_credentials,
    is_secret_key,
    looks_like_token,
    redact,
)

GHP = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
TOKEN_SHAPED = [
    GHP,
    "gho_" + "x" * 30,
    "ghu_" + "Y" * 20,
    "ghs_" + "1" * 25,
    "ghr_" + "abc" * 8,
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "xoxb-1234567890-abcdefghij",
    "xoxp-0000-1111-2222-abcdef",
    "AKIAIOSFODNN7EXAMPLE",
    "Bearer abc.def-123_456",
    "authorization: bearer 0123456789abcdef",
    "Basic dXNlcjpwYXNzd29yZA==",
    JWT,
]
NOT_TOKENS = [
    "ghp_short",
    "gh_" + "x" * 30,
    "xoxz-1234567890-abcdef",
    "AKIA1234",
    "Bearer x",
    "the bearer of bad news",
    "basic settings applied",
    "eyJhbGciOiJIUzI1NiJ9",
    "main",
    "author: Ada",
]


class TestRedact:
    @pytest.mark.parametrize(
        "key",
        [
            "GITHUB_TOKEN", "token", "clientSecret", "DB_PASSWORD", "apiKey", "ssh_key", "Tokens",
            "Authorization", "proxy-authorization", "Cookie", "set_cookie", "AWS_CREDENTIALS",
            "credential", "api_key", "X-API-KEY", "APIKey", "apikey", "OAuth2Token", "cookies",
            "db.passwd", "private key",
        ],
    )  # fmt: skip
    def test_secret_keys(self, key: str) -> None:
        """Keys with a word TOKEN, SECRET, PASSWORD, KEY... (any case, any casing style)."""
        assert is_secret_key(key)

    @pytest.mark.parametrize(
        "key",
        [
            "runId",
            "branch",
            "prefix",
            "url",
            "artifactDir",
            "author",
            "auth_mode",
            "keyboard",
            "monkey",
            "hockey",
            "tokenizer",
            "secretary",
            "passwordless",
            "turkey",
            "donkeyKong",
        ],
    )
    def test_ordinary_keys(self, key: str) -> None:
        """Other keys are not: words only (there is no AUTH word: it would take ``author``)."""
        assert not is_secret_key(key)

    @pytest.mark.parametrize(
        "text",
        [
            "https://u:p@host",
            "https://abcdef0123456789abcdef@github.com/x",
            "see ftp://me:pw@files.example/a",
        ],
    )
    def test_urls_with_credentials(self, text: str) -> None:
        """A password (or a token-shaped user) before the host counts as credentials."""
        assert has_credentials(text)

    @pytest.mark.parametrize(
        "text",
        [
            "https://host/path",
            "mailto:a@b.c",
            "user@example.com",
            "https://h/x?a=b@c",
            "ssh://git@github.com/org/repo.git",
            "https://token@github.com/x",
            "https://host:8080/x@y",
        ],
    )
    def test_urls_without_credentials(self, text: str) -> None:
        """Plain URLs, bare users (``git@``), e-mail addresses and @ in a query stay."""
        assert not has_credentials(text)

    def test_redacts_recursively_without_touching_the_rest(self) -> None:
        """Secret values (even objects) and credential URLs are replaced at any depth."""
        value = {
            "GITHUB_TOKEN": "ghp_x",
            "nested": [{"password": {"deep": 1}, "ok": "https://h/x"}, "https://a:b@h"],
            "keep": 3,
            "tuple": ("x", "https://u:p@h"),
        }
        assert redact(value) == {
            "GITHUB_TOKEN": REDACTED,
            "nested": [{"password": REDACTED, "ok": "https://h/x"}, REDACTED],
            "keep": 3,
            "tuple": ["x", REDACTED],
        }
        assert value["GITHUB_TOKEN"] == "ghp_x"  # the input is not modified


class TestTokenShapes:
    @pytest.mark.parametrize("token", TOKEN_SHAPED)
    def test_token_shaped_values_are_redacted_whole(self, token: str) -> None:
        """A token anywhere in a string redacts the whole string, under any key."""
        assert looks_like_token(token)
        assert redact({"note": f"deploy with {token} please", "n": [token]}) == {
            "note": REDACTED,
            "n": [REDACTED],
        }

    @pytest.mark.parametrize("text", NOT_TOKENS)
    def test_ordinary_strings_are_kept(self, text: str) -> None:
        """Prefixes without the length, other schemes and prose stay."""
        assert not looks_like_token(text)
        assert redact({"note": text}) == {"note": text}

    def test_a_secret_key_name_is_replaced_with_its_value(self) -> None:
        """A mapping key that is itself token-shaped does not survive either."""
        assert redact({GHP: "x", "ok": 1}) == {REDACTED: REDACTED, "ok": 1}


ENV = {
    "MY_TOKEN": "supersecretvalue123",
    "DEPLOY_KEY": "  k3y-material-0001  ",
    "SHORT_SECRET": "abc1234",
    "HOME": "/home/someone-long",
    "BUILD_ID": "supersecretvalue123",
}


class TestRedactorFromEnvironment:
    def test_values_of_secret_looking_variables_are_redacted_anywhere(self) -> None:
        """Any string containing such a value goes, whatever its key; others stay."""
        redactor = Redactor(ENV)
        value = {
            "note": "supersecretvalue123",
            "runId": "run-supersecretvalue123-7",
            "deep": [{"x": "k3y-material-0001"}],
            "short": "abc1234",
            "home": "/home/someone-long",
            "supersecretvalue123": "key of a secret",
        }
        assert redactor(value) == {
            "note": REDACTED,
            "runId": REDACTED,
            "deep": [{"x": REDACTED}],
            "short": "abc1234",
            "home": "/home/someone-long",
            REDACTED: REDACTED,
        }
        assert redactor.secret_count == 2

    def test_without_an_environment_only_the_fixed_rules_apply(self) -> None:
        """redact() and Redactor() do not know environment values."""
        assert redact({"note": "supersecretvalue123"}) == {"note": "supersecretvalue123"}
        assert Redactor()({"note": "supersecretvalue123"}) == {"note": "supersecretvalue123"}
        assert Redactor()({"apiKey": 1, "u": "https://a:b@h"}) == {
            "apiKey": REDACTED,
            "u": REDACTED,
        }

    def test_repr_never_shows_a_value(self) -> None:
        """A redactor printed in a log or a traceback keeps its secrets."""
        text = repr(Redactor(ENV))
        assert "supersecretvalue123" not in text
        assert "2" in text


TABLE_ENV = {
    "CACHE_KEY": "save-inspector",
    "DEPLOY_KEY_PATH": "/home/ci/.ssh/id_ed25519",
    "KEY_COUNT": "12345678",
    "TOKEN_URL": "https://auth.example.com/token",
    "SESSION_SECRET": "correct-Horse",
    "MY_TOKEN": "s3cr3t-Value-42",
    "API_KEY": "correcthorsebatterystaple",
    "DB_PASSWORD": "hunter2hunter2",
    "X_AUTH_COOKIE": "sid=0a1b2c3d4e5f",
}

FALSE_POSITIVES = [
    # (key, value) pairs that must come out unchanged.
    ("keyboard", "qwerty layout"),
    ("monkey", "island"),
    ("hockey", "ice"),
    ("tokenizer", "wordpiece"),
    ("secretary", "Ada"),
    ("passwordless", True),
    ("turkey", "roast"),
    ("donkeyKong", 3),
    ("author", "Grace"),
    ("auth_mode", "oauth"),
    ("keynote", "opening"),
    ("remote", "ssh://git@github.com/org/repo.git"),
    ("mirror", "git@github.com:org/repo.git"),
    ("homepage", "https://example.com/docs?from=a@b"),
    ("contact", "ops@example.com"),
    ("note", "the bearer of bad news"),
    ("note", "basic settings applied"),
    ("note", "ghp_short"),
    ("prefix", "save-inspector"),  # CACHE_KEY's value is an ordinary word: not a secret
    ("folder", "/home/ci/.ssh/id_ed25519"),  # a path is not a secret value
    ("count", "12345678"),  # a number is not a secret value
    ("login", "https://auth.example.com/token"),  # a plain URL is not a secret value
    ("greeting", "correct-Horse"),  # ordinary words
    ("quest", "the key to the monkey cage"),  # prose in a value is game data
    ("server", "https://host:8080/path"),
]

FALSE_NEGATIVES = [
    # (key, value) pairs whose value must become [REDACTED].
    ("api_key", "x"),
    ("apiKey", 1),
    ("X-API-KEY", "abc"),
    ("ssh_key", {"nested": "object"}),
    ("GITHUB_TOKEN", "t"),
    ("clientSecret", "s"),
    ("db_password", "p"),
    ("PASSWD", "p"),
    ("Authorization", "Basic x"),
    ("Set-Cookie", "sid=1"),
    ("awsCredentials", ["a"]),
    ("refresh_tokens", "r"),
    ("APIKEY", "k"),
    ("accessToken", "k"),
    ("note", "push with ghp_" + "a1B2" * 6),
    ("note", "xoxb-1234567890-abcdefghij"),
    ("note", "AKIAIOSFODNN7EXAMPLE"),
    ("note", "header Bearer abc.def-123_456"),
    ("note", JWT),
    ("remote", "https://deploy:hunter2@git.example.com/repo"),
    ("remote", "https://abcdef0123456789abcdef@github.com/x"),
    ("note", "run s3cr3t-Value-42 now"),  # MY_TOKEN's value, anywhere
    ("runId", "correcthorsebatterystaple"),  # API_KEY: one long word is not an ordinary word
    ("runId", "hunter2hunter2"),
    ("cookieJar", "sid=0a1b2c3d4e5f"),
]


class TestRedactionTables:
    @pytest.mark.parametrize(("key", "value"), FALSE_POSITIVES)
    def test_false_positive_table(self, key: str, value: object) -> None:
        """Ordinary keys and values are never hidden (nothing over-redacted)."""
        assert Redactor(TABLE_ENV)({key: value}) == {key: value}

    @pytest.mark.parametrize(("key", "value"), FALSE_NEGATIVES)
    def test_false_negative_table(self, key: str, value: object) -> None:
        """Every secret key, shape and environment value is hidden (nothing leaks)."""
        assert Redactor(TABLE_ENV)({key: value}) == {key: REDACTED}

    def test_the_tables_are_big_enough(self) -> None:
        """At least 20 cases each way, as the rules promise."""
        assert len(FALSE_POSITIVES) >= 20 and len(FALSE_NEGATIVES) >= 20

    def test_which_environment_values_are_secrets(self) -> None:
        """Only long, non-ordinary values of secret-named variables are looked for."""
        redactor = Redactor(TABLE_ENV)
        assert redactor.secret_count == 4
        assert redactor.secret_variable_in("x-s3cr3t-Value-42") == "MY_TOKEN"
        assert redactor.secret_variable_in("save-inspector-20260101") is None


class TestScrub:
    def test_scrub_keeps_the_rest_of_a_message(self) -> None:
        """Messages keep their words; only the secret parts go."""
        redactor = Redactor({"MY_TOKEN": "s3cr3t-Value-42"})
        message = (
            "--formats: unknown format 'ghp_" + "a1B2" * 6 + "'; "
            "cannot write /out/s3cr3t-Value-42/x.json; clone https://me:pw@h/r"
        )
        assert redactor.scrub(message) == (
            "--formats: unknown format '[REDACTED]'; cannot write /out/[REDACTED]/x.json; "
            "clone https://[REDACTED]@h/r"
        )

    def test_scrub_leaves_bare_users_alone(self) -> None:
        """``ssh://git@github.com`` is an address, not a credential."""
        assert Redactor().scrub("ssh://git@github.com/o/r") == "ssh://git@github.com/o/r"


class TestLinearTime:
    @pytest.mark.parametrize(
        "text",
        ["a" * 4000, "eyJ" * 2000, "bearer " + "a" * 4000, "a+" * 2000, "a://" * 1000],
    )
    def test_hostile_texts_give_the_same_answers(self, text: str) -> None:
        """Long runs that used to backtrack still redact correctly (speed: worldstate bench)."""
        assert redact({"x": text}) == {"x": text}
        assert Redactor().scrub(text) == text


class TestExportCommand:
    """The rules end to end through ``worldstate export`` (in process)."""

    @staticmethod
    def export(tmp_path: Path, *args: str, env: dict[str, str]) -> Result:
        base = {"CI": "", "BUILD_ID": "", "GITHUB_RUN_ID": "", "TELEMETRY_EXPORT_DIR": ""}
        return CliRunner().invoke(
            cli, ["export", "--demo", "--out", str(tmp_path / "out"), *args], env={**base, **env}
        )

    def test_an_ordinary_environment_value_redacts_nothing(self, tmp_path: Path) -> None:
        """``CACHE_KEY=save-inspector`` leaves the prefix and every artifact name alone."""
        result = self.export(tmp_path, "--json", env={"CACHE_KEY": "save-inspector"})
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["prefix"] == "save-inspector"
        assert REDACTED not in json.dumps(document["context"])

    def test_a_secret_in_a_file_name_is_refused_without_showing_it(self, tmp_path: Path) -> None:
        """A prefix holding an environment secret: exit 2, the variable named, no file."""
        result = self.export(tmp_path, "--prefix", "run-s3cr3t-Value-42", env=SECRET_ENV)
        assert result.exit_code == 2
        assert "MY_TOKEN" in result.output and "s3cr3t-Value-42" not in result.output
        assert not (tmp_path / "out").exists()

    def test_a_secret_never_reaches_an_artifact(self, tmp_path: Path) -> None:
        """Even game data equal to an environment secret is hidden in the files."""

        def texts() -> str:
            return "".join(p.read_text("utf-8") for p in sorted((tmp_path / "out").iterdir()))

        assert self.export(tmp_path, env={}).exit_code == 0
        assert "ledger_01" in texts()  # an id of the demo's game data
        shutil.rmtree(tmp_path / "out")  # the same stamped names with other content are refused
        result = self.export(tmp_path, env={"MY_TOKEN": "ledger_01"})
        assert result.exit_code == 0, result.output
        assert "ledger_01" not in texts() and REDACTED in texts()

    def test_secret_shaped_option_values_are_not_echoed(self, tmp_path: Path) -> None:
        """``--formats ghp_...`` is refused with the token scrubbed from the message."""
        token = "ghp_" + "a1B2" * 6
        result = self.export(tmp_path, "--formats", token, env={})
        assert result.exit_code == 2
        assert token not in result.output and REDACTED in result.output

    def test_click_usage_errors_are_scrubbed_too(self, tmp_path: Path) -> None:
        """A value click itself rejects (not an integer) is not echoed either."""
        result = self.export(tmp_path, "--generated-at", "s3cr3t-Value-42", env=SECRET_ENV)
        assert result.exit_code == 2
        assert "s3cr3t-Value-42" not in result.output


SECRET_ENV = {"MY_TOKEN": "s3cr3t-Value-42"}


def test_the_redaction_benchmark_runs_every_shape() -> None:
    """``worldstate bench redact`` times each hostile shape (the figures are in the docs)."""
    result = CliRunner().invoke(
        cli, ["bench", "redact", "--size", "2000", "--repeat", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["size"] == 2000
    assert set(figures["shapes"]) >= {"letters", "jwt-starts", "url-starts", "bearer-run"}
