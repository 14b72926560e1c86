"""Fixtures for the legacy-SDK end-to-end suite (argilla 1.29.1 against a running loam).

Run through `bash e2e/run.sh`, which starts loam and passes:
  LOAM_URL         the server's base URL (http://127.0.0.1:PORT)
  LOAM_API_KEY     the owner's API key
  LOAM_V2_PYTHON   the interpreter of the v2 SDK venv (argilla 2.8), for the cross-generation tests
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Never skip: a missing server is a failure of the harness, not a reason to pass.
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


@pytest.fixture(scope="session")
def api_url() -> str:
    return _env("LOAM_URL")


@pytest.fixture(scope="session")
def owner_key() -> str:
    return _env("LOAM_API_KEY")


@pytest.fixture(autouse=True)
def legacy_client(api_url, owner_key):
    """Every test starts with the legacy SDK initialised as the owner."""
    import argilla as rg

    rg.init(api_url=api_url, api_key=owner_key)
    yield rg


@pytest.fixture
def unique():
    """A name-maker: lowercase, legal for every legacy name pattern, unique per call."""

    def make(prefix: str) -> str:
        return f"{prefix}-{secrets.token_hex(4)}"

    return make


class Api:
    """Raw HTTP access to loam, as any user (the annotators' side of the scenarios)."""

    def __init__(self, url: str, key: str):
        self.client = httpx.Client(base_url=url, headers={"X-Argilla-Api-Key": key}, timeout=30)

    def request(self, method: str, path: str, expect: int, **kwargs):
        reply = self.client.request(method, path, **kwargs)
        assert reply.status_code == expect, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply.json() if reply.content else None

    def get(self, path: str, expect: int = 200, **kwargs):
        return self.request("GET", path, expect, **kwargs)

    def post(self, path: str, body=None, expect: int = 201, **kwargs):
        return self.request("POST", path, expect, json=body, **kwargs)


@pytest.fixture
def api_as(api_url):
    clients = []

    def make(key: str) -> Api:
        api = Api(api_url, key)
        clients.append(api)
        return api

    yield make
    for api in clients:
        api.client.close()


@pytest.fixture
def owner_api(api_as, owner_key) -> Api:
    return api_as(owner_key)


@pytest.fixture
def v2(api_url, owner_key):
    """Runs e2e/legacy/v2_client.py in the argilla 2.8 venv: v2(action, **args) -> JSON result."""
    python = _env("LOAM_V2_PYTHON")

    def run(action: str, **args):
        env = dict(os.environ, LOAM_URL=api_url, LOAM_API_KEY=args.pop("api_key", owner_key))
        proc = subprocess.run(
            [python, str(HERE / "v2_client.py"), action, json.dumps(args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise AssertionError(f"v2 script {action} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    return run
