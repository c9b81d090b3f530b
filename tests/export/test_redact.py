"""Redaction of secret-looking keys and credential URLs (DEVIATIONS B3)."""

from __future__ import annotations

import pytest

from worldstate.redact import REDACTED, has_credentials, is_secret_key, redact


class TestRedact:
    @pytest.mark.parametrize(
        "key",
        ["GITHUB_TOKEN", "token", "clientSecret", "DB_PASSWORD", "apiKey", "ssh_key", "Tokens"],
    )
    def test_secret_keys(self, key: str) -> None:
        """Keys containing TOKEN, SECRET, PASSWORD or KEY (any case) are secret."""
        assert is_secret_key(key)

    @pytest.mark.parametrize("key", ["runId", "branch", "prefix", "url", "artifactDir"])
    def test_ordinary_keys(self, key: str) -> None:
        """Other keys are not."""
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
