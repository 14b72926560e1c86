"""Fixtures for the distilabel e2e suite (distilabel 1.5.3 + argilla 2.8 against a running loam).

Run through `bash e2e/run.sh`, which starts loam and passes LOAM_URL and LOAM_API_KEY (the owner's
key), and points HOME, HF_HOME and DISTILABEL_CACHE_DIR at temp dirs with HF_HUB_OFFLINE=1.
"""

import os
import secrets
import sys
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent

# The pipelines' step processes import the offline LLMs by module path.
sys.path.insert(0, str(HERE))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set; run this suite through e2e/run.sh")
    return value


def pytest_configure(config):
    # Nothing may reach the network or write outside temp dirs: refuse to run otherwise.
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        raise pytest.UsageError("HF_HUB_OFFLINE=1 is required (run through e2e/run.sh)")
    for name in ("DISTILABEL_CACHE_DIR", "HF_HOME"):
        _env(name)


@pytest.fixture(scope="session")
def api_url() -> str:
    return _env("LOAM_URL")


@pytest.fixture(scope="session")
def owner_key() -> str:
    return _env("LOAM_API_KEY")


class Api:
    def __init__(self, url: str, key: str):
        self.client = httpx.Client(base_url=url, headers={"X-Argilla-Api-Key": key}, timeout=30)

    def get(self, path: str, **params):
        reply = self.client.get(path, params=params)
        assert reply.status_code == 200, f"GET {path}: {reply.status_code} {reply.text}"
        return reply.json()

    def post(self, path: str, body: dict, expect: int = 201):
        reply = self.client.post(path, json=body)
        assert reply.status_code == expect, f"POST {path}: {reply.status_code} {reply.text}"
        return reply.json()

    def delete(self, path: str):
        reply = self.client.delete(path)
        assert reply.status_code == 200, f"DELETE {path}: {reply.status_code} {reply.text}"

    def dataset(self, name: str, workspace_id: str) -> dict:
        found = [
            d for d in self.get("/api/v1/me/datasets")["items"] if d["name"] == name and d["workspace_id"] == workspace_id
        ]
        assert len(found) == 1, f"dataset {name!r} in workspace {workspace_id}: {found}"
        return found[0]

    def records(self, dataset_id: str) -> list:
        items, offset = [], 0
        while True:
            page = self.client.get(
                f"/api/v1/datasets/{dataset_id}/records",
                params=[("offset", offset), ("limit", 100), ("include", "suggestions"), ("include", "responses")],
            )
            assert page.status_code == 200, page.text
            batch = page.json()["items"]
            items.extend(batch)
            if len(batch) < 100:
                return items
            offset += 100


@pytest.fixture
def api(api_url, owner_key):
    api = Api(api_url, owner_key)
    yield api
    api.client.close()


@pytest.fixture
def workspace(api):
    """A fresh workspace; its datasets and itself are deleted afterwards."""
    ws = api.post("/api/v1/workspaces", {"name": f"distilabel-{secrets.token_hex(4)}"})
    yield ws
    for d in api.get("/api/v1/me/datasets")["items"]:
        if d["workspace_id"] == ws["id"]:
            api.delete(f"/api/v1/datasets/{d['id']}")
    api.delete(f"/api/v1/workspaces/{ws['id']}")
