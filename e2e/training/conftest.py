"""Fixtures for the training-data suite: the v2 SDK (argilla 2.8) against a running loam, with
annotators answering over the HTTP API as themselves.

Run through `bash e2e/run.sh training`, which starts loam and passes:
  LOAM_URL       the server's base URL (http://127.0.0.1:PORT)
  LOAM_API_KEY   the owner's API key
  LOAM_BIN       the loam binary (for `loam export`, which these tests do not run against the
                 server's data dir: they use the HTTP export)
"""

import os
import secrets

import httpx
import pytest


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        # Never skip: a missing server is a failure of the harness, not a reason to pass.
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


class Api:
    """Raw HTTP access to loam as one user."""

    def __init__(self, url: str, key: str):
        self.client = httpx.Client(base_url=url, headers={"X-Argilla-Api-Key": key}, timeout=120)

    def call(self, method: str, path: str, expect: int = 200, **kwargs):
        reply = self.client.request(method, path, **kwargs)
        assert reply.status_code == expect, f"{method} {path}: {reply.status_code} {reply.text}"
        return reply

    def json(self, method: str, path: str, expect: int = 200, **kwargs):
        reply = self.call(method, path, expect, **kwargs)
        return reply.json() if reply.content else None


@pytest.fixture(scope="session")
def api_url() -> str:
    return _env("LOAM_URL")


@pytest.fixture(scope="session")
def owner_key() -> str:
    return _env("LOAM_API_KEY")


@pytest.fixture(scope="session")
def client(api_url, owner_key):
    import argilla as rg

    return rg.Argilla(api_url=api_url, api_key=owner_key)


@pytest.fixture(scope="session")
def owner(api_url, owner_key) -> Api:
    return Api(api_url, owner_key)


@pytest.fixture
def unique():
    def make(prefix: str) -> str:
        return f"{prefix}-{secrets.token_hex(4)}"

    return make


@pytest.fixture
def team(client, api_url, unique):
    """A workspace with three annotators (ann, bob, cat): (workspace, {name: Api as that user})."""
    import argilla as rg

    workspace = rg.Workspace(name=unique("guides"), client=client).create()
    apis = {}
    for name in ("ann", "bob", "cat"):
        user = rg.User(
            username=unique(name), first_name=name, password=f"pw-{secrets.token_hex(8)}", role="annotator",
            client=client,
        ).create()
        workspace.add_user(user)
        apis[name] = Api(api_url, user.api_key)
        apis[name].user_id = str(user.id)
        apis[name].username = user.username
    return workspace, apis


def submit(api: Api, record_id: str, values: dict) -> None:
    """Submits `values` ({question: value}) to one record as the user of `api`."""
    body = {"values": {q: {"value": v} for q, v in values.items()}, "status": "submitted"}
    api.json("POST", f"/api/v1/records/{record_id}/responses", 201, json=body)
