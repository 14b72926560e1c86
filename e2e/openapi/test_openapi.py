"""Schemathesis over the live loam binary, from loam's own OpenAPI document.

e2e/run.sh starts a throwaway server and passes LOAM_URL and LOAM_API_KEY (the owner's key).
Two bounded runs, each a `schemathesis run` of its own (a few hundred requests, at most
LOAM_FUZZ_SECONDS each):

1. every operation with generated path ids: random UUIDs name nothing, so this exercises input
   validation, the 404s, and the creation endpoints (whose real 201 replies are validated);
2. every operation but the DELETEs with the path ids pinned to entities seeded below (a
   published dataset with a field, a question, a metadata property, vector settings, records with
   responses, suggestions and vectors; an annotator; a webhook), so real replies of records,
   searches, progress and settings are validated too. DELETEs are left out of this run because
   the first one would remove the seeds every other operation reads.

The owner is never a target. Schemathesis fills path parameters with ids seen in earlier replies
too, which would include the owner's own (from /api/v1/me): for the operations on one user
(`/api/v1/users/{user_id}…`, `/api/users/{user_id}`) that is turned off (CONFIG below), so their
ids are random in run 1, and run 2 pins `user_id` to the seeded annotator. Hence no fuzzed
DELETE, PATCH or key rotation deletes or renames the owner, rotates its key or changes its
password mid-run (its key authenticates every request). The stateful phase is not run either: it
follows ids from replies the same way.

Webhooks are not created or changed by the fuzzer (POST /api/v1/webhooks and PATCH
/api/v1/webhooks/{id} are left out; tests/api covers them): the server would send events and
pings to whatever host a generated URL names. The seeded webhook points at 127.0.0.1:9, where
nothing listens, so a ping of it answers the declared 502, which the server-error check is told
to expect for that operation only.

Checks, and why:
- not_a_server_error: no 5xx but the ones declared (503 of an unavailable database, 502 of a
  webhook receiver) -- any 500 is a bug;
- status_code_conformance: every status answered is declared for its operation;
- content_type_conformance: replies are the declared media type (JSON);
- response_schema_conformance: every JSON reply matches its declared schema (success and error);
- response_headers_conformance: declared headers are sent (Retry-After on a 429);
- ignored_auth: an operation that declares credentials refuses a request without them.
Left out: negative_data_rejection and positive_data_acceptance (they test how exactly the request
schemas draw the line the parsers draw, such as a referenced id that does not exist, which is not
a property of the traffic's validity), and the stateful checks (use_after_free,
ensure_resource_availability, object_level_authorization), which need the stateful phase.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

URL = os.environ["LOAM_URL"].rstrip("/")
KEY = os.environ["LOAM_API_KEY"]
HEADERS = {"X-Argilla-Api-Key": KEY}
# Bounds: examples per operation, and seconds per run (of about 80 operations, on 2 cores).
MAX_EXAMPLES = int(os.environ.get("LOAM_FUZZ_EXAMPLES", "25"))
MAX_SECONDS = int(os.environ.get("LOAM_FUZZ_SECONDS", "75"))
SEED = os.environ.get("LOAM_FUZZ_SEED", "16")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "ignored_auth",
    ]
)
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# The owner's key for the apiKey scheme (from the environment), and no account of schemathesis'
# own: it would sign one up through POST /api/users. Then per-operation settings (see the module's
# docstring).
CONFIG = """
[auth]
auto-signup = false

[auth.openapi.apiKey]
api_key = "${LOAM_API_KEY}"

[[operations]]
include-path-regex = "^/api(/v1)?/users/[{]user_id[}]"
phases.examples.extra-data-sources.responses = false
phases.coverage.extra-data-sources.responses = false
phases.fuzzing.extra-data-sources.responses = false

[[operations]]
include-path = "/api/v1/webhooks/{webhook_id}/ping"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "502"]

# Generated webhook URLs would make the server call hosts on the internet.
[[operations]]
include-operation-id = ["post_api_v1_webhooks", "patch_api_v1_webhooks__webhook_id_"]
enabled = false
"""
# Run 2 reads seeded entities, which a DELETE would remove.
NO_DELETES = """
[[operations]]
include-method = "DELETE"
enabled = false
"""


def api(method, path, body=None, expect=(200, 201, 204)):
    res = requests.request(method, URL + path, json=body, headers=HEADERS, timeout=60)
    assert res.status_code in expect, f"{method} {path}: {res.status_code} {res.text}"
    return res.json() if res.content else None


@pytest.fixture(scope="module")
def seeds():
    """Entities for run 2's pinned path ids."""
    ws = api("POST", "/api/v1/workspaces", {"name": "fuzz-seeds"})
    annotator = api(
        "POST",
        "/api/v1/users",
        {"username": "fuzz-annotator", "first_name": "Fuzz", "role": "annotator", "password": "a-long-fuzzing-pass-1"},
    )
    api("POST", f"/api/v1/workspaces/{ws['id']}/users", {"user_id": annotator["id"]})
    ds = api("POST", "/api/v1/datasets", {"name": "fuzz-seeds", "workspace_id": ws["id"]})
    base = f"/api/v1/datasets/{ds['id']}"
    field = api("POST", f"{base}/fields", {"name": "text", "title": "Text", "required": True, "settings": {"type": "text"}})
    question = api(
        "POST",
        f"{base}/questions",
        {
            "name": "label",
            "title": "Label",
            "required": True,
            "settings": {"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]},
        },
    )
    prop = api("POST", f"{base}/metadata-properties", {"name": "source", "title": "Source", "settings": {"type": "terms"}})
    vectors = api("POST", f"{base}/vectors-settings", {"name": "emb", "title": "Emb", "dimensions": 2})
    api("PUT", f"{base}/publish")
    items = [
        {
            "fields": {"text": f"record {i}"},
            "metadata": {"source": "web" if i % 2 else "mail"},
            "external_id": f"r{i}",
            "suggestions": [{"question_id": question["id"], "value": "a", "score": 0.5, "agent": "model"}],
            "vectors": {"emb": [1.0, float(i)]},
            "responses": [{"user_id": annotator["id"], "status": "submitted", "values": {"label": {"value": "b"}}}]
            if i % 2
            else [],
        }
        for i in range(6)
    ]
    records = api("POST", f"{base}/records/bulk", {"items": items})["items"]
    response = api("POST", f"/api/v1/records/{records[0]['id']}/responses", {"status": "draft", "values": {"label": {"value": "a"}}})
    webhook = api("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/fuzz", "events": ["dataset.created"]})
    return {
        "workspace_id": ws["id"],
        "user_id": annotator["id"],
        "dataset_id": ds["id"],
        "field_id": field["id"],
        "question_id": question["id"],
        "metadata_property_id": prop["id"],
        "vector_settings_id": vectors["id"],
        "record_id": records[1]["id"],
        "response_id": response["id"],
        "webhook_id": webhook["id"],
    }


def run_schemathesis(tmp_path, name, parameters=None, extra_config=""):
    config = tmp_path / f"{name}.toml"
    lines = []
    if parameters:
        # Top-level keys go before the [[operations]] tables.
        lines.append("[parameters]")
        lines += [f'"path.{key}" = "{value}"' for key, value in parameters.items()]
    config.write_text("\n".join(lines) + "\n" + CONFIG + extra_config)
    args = [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{URL}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--seed",
        SEED,
        # One worker: hypothesis describes strategies with ast.parse, which CPython 3.11 does not
        # do safely from two threads at once (SystemError: AST constructor recursion depth).
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--output-sanitize",
        "true",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / f"{name}-report"),
    ]
    print("$", " ".join(args), flush=True)
    # Run in the test's temp dir: schemathesis and hypothesis keep caches in the working directory.
    proc = subprocess.run(args, capture_output=True, text=True, timeout=MAX_SECONDS * 4 + 120, cwd=tmp_path)
    output = proc.stdout + proc.stderr
    print(output)
    return proc.returncode, output


def test_every_operation_with_generated_ids(tmp_path):
    code, output = run_schemathesis(tmp_path, "generated")
    assert code == 0, "schemathesis found failures (above)"
    assert "No issues found" in output or "passed" in output


def test_every_operation_but_deletes_on_seeded_entities(tmp_path, seeds):
    code, output = run_schemathesis(tmp_path, "seeded", parameters=seeds, extra_config=NO_DELETES)
    assert code == 0, "schemathesis found failures (above)"
    # The seeds are still there: the run read real entities, not 404s.
    api("GET", f"/api/v1/records/{seeds['record_id']}")
    api("GET", f"/api/v1/datasets/{seeds['dataset_id']}")


def test_the_owner_is_untouched():
    """The key every request used still authenticates the owner (module order: runs last)."""
    me = api("GET", "/api/v1/me")
    assert me["role"] == "owner"

