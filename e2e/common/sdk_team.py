"""Fixtures shared by the suites that drive loam with the v2 SDK (argilla 2.8) as an owner and a
team of annotators answering over the HTTP API as themselves (`training`, `preference`).

A suite's conftest.py puts this folder on `sys.path` and imports the fixtures by name; it sets
`team_prefix` to name its workspaces. `e2e/run.sh` starts loam and passes LOAM_URL (the server's
base URL) and LOAM_API_KEY (the owner's key).
"""

import os
import secrets

import httpx
import pytest


def env(name: str) -> str:
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


def submit(api: Api, record_id: str, values: dict) -> None:
    """Submits `values` ({question: value}) to one record as the user of `api`."""
    body = {"values": {q: {"value": v} for q, v in values.items()}, "status": "submitted"}
    api.json("POST", f"/api/v1/records/{record_id}/responses", 201, json=body)


@pytest.fixture(scope="session")
def api_url() -> str:
    return env("LOAM_URL")


@pytest.fixture(scope="session")
def owner_key() -> str:
    return env("LOAM_API_KEY")


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
def team(client, owner, api_url, unique, team_prefix):
    """A workspace with three annotators (ann, bob, cat): (workspace, {name: Api as that user})."""
    import argilla as rg

    workspace = rg.Workspace(name=unique(team_prefix), client=client).create()
    apis = {}
    for name in ("ann", "bob", "cat"):
        user = rg.User(
            username=unique(name), first_name=name, password=f"pw-{secrets.token_hex(8)}", role="annotator",
            client=client,
        ).create()
        workspace.add_user(user)
        # The SDK's User does not show another user's key: the owner issues one (loam extension).
        key = owner.json("POST", f"/api/v1/users/{user.id}/api-key")["api_key"]
        apis[name] = Api(api_url, key)
        apis[name].user_id = str(user.id)
        apis[name].username = user.username
    return workspace, apis
