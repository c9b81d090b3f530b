"""Redaction of secret-looking keys and credential URLs (DEVIATIONS B3)."""

from __future__ import annotations

import pytest

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
            "credential", "monkey",
        ],
    )  # fmt: skip
    def test_secret_keys(self, key: str) -> None:
        """Keys containing TOKEN, SECRET, PASSWORD or KEY (any case) are secret."""
        assert is_secret_key(key)

    @pytest.mark.parametrize(
        "key", ["runId", "branch", "prefix", "url", "artifactDir", "author", "auth_mode"]
    )
    def test_ordinary_keys(self, key: str) -> None:
        """Other keys are not (there is no bare AUTH marker: it would take ``author``)."""
        assert not is_secret_key(key)

    @pytest.mark.parametrize(
        "text",
        ["https://u:p@host", "https://token@github.com/x", "see ftp://me:pw@files.example/a"],
    )
    def test_urls_with_credentials(self, text: str) -> None:
        """A user or password before the host counts as credentials."""
        assert has_credentials(text)

    @pytest.mark.parametrize(
        "text", ["https://host/path", "mailto:a@b.c", "user@example.com", "https://h/x?a=b@c"]
    )
    def test_urls_without_credentials(self, text: str) -> None:
        """Plain URLs, e-mail addresses and @ in a query are left alone."""
        assert not has_credentials(text)

    def test_redacts_recursively_without_touching_the_rest(self) -> None:
        """Secret values (even objects) and credential URLs are replaced at any depth."""
        value = {
            "GITHUB_TOKEN": "ghp_x",
            "nested": [{"password": {"deep": 1}, "ok": "https://h/x"}, "https://a:b@h"],
            "keep": 3,
            "tuple": ("x", "https://u@h"),
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
