"""What the replica suites share: the dataset, records and annotators they set up over HTTP, and
reading everything back to compare replicas (see test_replicas.py for the suites)."""

from __future__ import annotations

import itertools
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from conftest import Api, strong_secret

MIN_SUBMITTED = 3
N_RECORDS = 40
N_ANNOTATORS = 50
LABELS = ["a", "b"]
OUTAGE_REQUEST_LIMIT = 15.0  # seconds a request may take while the database is gone
DB_UNAVAILABLE = re.compile(r"database.*unavailable|unavailable.*database", re.IGNORECASE | re.DOTALL)


# ---- shared steps --------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{strong_secret(4).lower().replace('_', 'x').replace('-', 'y')}"


def make_dataset(owners: list[Api], workspace_id: str, min_submitted: int) -> str:
    """A published dataset (one text field, one required label question), each step through the
    next replica, so the setup itself crosses replicas."""
    via = itertools.cycle(owners)
    dataset = next(via).post("/api/v1/datasets", {
        "name": unique("replicas"),
        "workspace_id": workspace_id,
        "distribution": {"strategy": "overlap", "min_submitted": min_submitted},
    })
    ds = dataset["id"]
    next(via).post(f"/api/v1/datasets/{ds}/fields",
                   {"name": "text", "title": "text", "required": True, "settings": {"type": "text"}})
    next(via).post(f"/api/v1/datasets/{ds}/questions", {
        "name": "label", "title": "label", "required": True,
        "settings": {"type": "label_selection", "options": [{"value": v, "text": v} for v in LABELS]},
    })
    published = next(via).put(f"/api/v1/datasets/{ds}/publish")
    assert published["status"] == "ready"
    assert published["distribution"] == {"strategy": "overlap", "min_submitted": min_submitted}
    return ds


def add_records(api: Api, dataset_id: str, external_ids: list[str]) -> list[str]:
    items = [{"external_id": x, "fields": {"text": f"text of {x}"}} for x in external_ids]
    reply = api.put(f"/api/v1/datasets/{dataset_id}/records/bulk", {"items": items})
    assert [r["external_id"] for r in reply["items"]] == external_ids
    return [r["id"] for r in reply["items"]]


@dataclass
class Annotator:
    index: int
    id: str
    username: str
    apis: list[Api] = field(default_factory=list)  # one per replica, same API key


def create_annotators(owners: list[Api], replicas, workspace_id: str, n: int) -> list[Annotator]:
    """n annotators, created round-robin through the replicas, each added to the workspace
    through another replica than the one that created it."""

    def create(i: int) -> Annotator:
        creator, adder = owners[i % len(owners)], owners[(i + 1) % len(owners)]
        user = creator.post("/api/v1/users", {
            "username": unique(f"ann{i:02d}"), "password": strong_secret(12),
            "role": "annotator", "first_name": f"Annotator {i}",
        })
        adder.post(f"/api/v1/workspaces/{workspace_id}/users", {"user_id": user["id"]})
        key = user["api_key"]
        return Annotator(i, user["id"], user["username"], [r.api(key) for r in replicas])

    # argon2 hashing is CPU bound; the machine has 2 cores.
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(create, range(n)))


def read_records(api: Api, dataset_id: str) -> dict[str, dict]:
    """Every record of the dataset with its responses, by id (offset paging)."""
    records: dict[str, dict] = {}
    offset = 0
    while True:
        page = api.get(f"/api/v1/datasets/{dataset_id}/records",
                       params={"include": "responses", "limit": 1000, "offset": offset})
        for record in page["items"]:
            assert record["id"] not in records, f"{api.name}: record {record['id']} listed twice"
            records[record["id"]] = record
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            assert len(records) == page["total"], f"{api.name}: listed {len(records)} records, total says {page['total']}"
            return records


def canon(values) -> str:
    return json.dumps(values, sort_keys=True)


def response_key(response: dict) -> tuple:
    return (response["user_id"], response["id"], response["status"], canon(response["values"]))


def response_body(status: str, label: str | None) -> dict:
    if status == "discarded":
        return {"status": "discarded"}  # no values: stored as null
    return {"status": status, "values": {"label": {"value": label}}}


def expected_values(body: dict):
    return body.get("values")


def check_same_everywhere(what: str, per_replica: list):
    for i, other in enumerate(per_replica[1:], start=1):
        if other != per_replica[0]:
            raise AssertionError(f"{what}: replica-{i} disagrees with replica-0\nreplica-0: {per_replica[0]}\nreplica-{i}: {other}")


# ---- startup -------------------------------------------------------------------------------------
