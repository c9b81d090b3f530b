"""Runtime tokens and environments like the ones a runner hands a job."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

__all__ = ["runtime_token", "runtime_env"]

_SIGNING_KEY = b"worldstate-test-signing-key"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def runtime_token(run_backend_id: str, job_backend_id: str, *, scopes: str | None = None) -> str:
    """An HS256 JWT whose ``scp`` claim carries the backend ids, as act issues them."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    scp = scopes if scopes is not None else f"Actions.Results:{run_backend_id}:{job_backend_id}"
    payload = _b64(json.dumps({"scp": scp, "exp": 4102444800}).encode())
    signature = hmac.new(_SIGNING_KEY, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def runtime_env(
    results_url: str,
    *,
    run_backend_id: str = "1",
    job_backend_id: str = "1",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables an artifact client needs, pointing at ``results_url``."""
    return {
        "ACTIONS_RUNTIME_TOKEN": runtime_token(run_backend_id, job_backend_id),
        "ACTIONS_RESULTS_URL": results_url,
        "GITHUB_ACTIONS": "true",
        **(extra or {}),
    }
