"""A real S3-compatible server for the storage tests: moto's ``ThreadedMotoServer`` on
127.0.0.1 at an ephemeral port, started here (``pip install -e '.[test]'`` brings moto)."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

try:
    import boto3
    from moto.server import ThreadedMotoServer
except ImportError as exc:  # a missing peer fails loudly, never skips
    raise RuntimeError(
        "the storage tests need moto's S3 server and boto3: pip install -e '.[test]' "
        "(which installs moto[server])"
    ) from exc

BUCKET = "bucket"
KEY_ID = "testing-key-id"
SECRET = "testing-secret-Zq8v"  # long enough for the redactor to treat it as a secret
REGION = "us-east-1"


@dataclass(frozen=True)
class S3:
    """The running server, a bucket named ``bucket`` in it, and how to reach it."""

    endpoint: str
    client: Any

    def options(self, endpoint: str | None = None) -> dict[str, Any]:
        """Storage options for this server (or for a proxy in front of it): fast failures."""
        return {
            "endpoint_url": endpoint or self.endpoint,
            "key": KEY_ID,
            "secret": SECRET,
            "client_kwargs": {"region_name": REGION},
            "config_kwargs": {
                "retries": {"max_attempts": 1},
                "connect_timeout": 2,
                "read_timeout": 5,
            },
        }

    def env(self, endpoint: str | None = None) -> dict[str, str]:
        """An environment for a ``worldstate`` subprocess that talks to this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FSSPEC_"))}
        env.update(
            AWS_ACCESS_KEY_ID=KEY_ID,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_DEFAULT_REGION=REGION,
            AWS_ENDPOINT_URL=endpoint or self.endpoint,
            AWS_MAX_ATTEMPTS="1",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        return env

    def keys(self, prefix: str = "", bucket: str = BUCKET) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def get(self, key: str, bucket: str = BUCKET) -> bytes:
        body: bytes = self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def set_auth(self, enforced: bool) -> None:
        """Make the server check credentials (moto accepts any by default)."""
        body = b"0" if enforced else b"inf"
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth",
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            json.load(response)


def start_moto() -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


def endpoint_of(server: ThreadedMotoServer) -> str:
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


@pytest.fixture(scope="session", name="moto_endpoint")
def _moto_endpoint() -> Iterator[str]:
    server = start_moto()
    try:
        yield endpoint_of(server)
    finally:
        server.stop()


@pytest.fixture(name="s3")
def _s3(moto_endpoint: str) -> Iterator[S3]:
    import s3fs

    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=5):
        pass
    s3fs.S3FileSystem.clear_instance_cache()
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )
    client.create_bucket(Bucket=BUCKET)
    yield S3(moto_endpoint, client)
    client.close()
