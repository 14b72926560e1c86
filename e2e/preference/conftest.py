"""Fixtures for the preference suite (issue 22): the v2 SDK (argilla 2.8) against a running loam,
with annotators and an LLM judge answering over the HTTP API.

Run through `bash e2e/run.sh preference`, which starts loam and passes LOAM_URL (the server's base
URL) and LOAM_API_KEY (the owner's key).
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
def team(client, owner, api_url, unique):
    """A workspace with three annotators (ann, bob, cat): (workspace, {name: Api as that user})."""
    import argilla as rg

    workspace = rg.Workspace(name=unique("pref"), client=client).create()
    apis = {}
    for name in ("ann", "bob", "cat"):
        user = rg.User(
            username=unique(name), first_name=name, password=f"pw-{secrets.token_hex(8)}", role="annotator",
            client=client,
        ).create()
        workspace.add_user(user)
        key = owner.json("POST", f"/api/v1/users/{user.id}/api-key")["api_key"]
        apis[name] = Api(api_url, key)
        apis[name].user_id = str(user.id)
        apis[name].username = user.username
    return workspace, apis
