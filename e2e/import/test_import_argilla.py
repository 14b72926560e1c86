"""`loam import argilla` against the reference argilla-server 2.8, filled through the v2 SDK
(`fill.py`): everything compares equal through the v2 SDK reading each side; a second run changes
nothing; a run killed half-way and run again ends equal; bad input gets its own exit status and
writes nothing."""

import http.server
import signal
import sqlite3
import subprocess
import threading
import time

import argilla as rg
import httpx
import pytest

from conftest import KEY, Loam, free_port

# Tables of what an import writes, and the columns that differ between two imports of the same
# data by construction: the new passwords' hashes, a user's random first token version, and the
# insertion sequence numbers.
TABLES = {
    "users": {"password_hash", "token_version"},
    "workspaces": set(),
    "workspace_users": {"inserted_at"},
    "datasets": {"settings_version"},
    "dataset_users": {"inserted_at"},
    "fields": set(),
    "questions": set(),
    "metadata_properties": set(),
    "vector_settings": {"version"},
    "records": {"seq"},
    "responses": set(),
    "suggestions": set(),
    "vectors": {"version"},
}


def run_import(loam_bin, data_dir, url, *extra, key=KEY, check=None):
    cmd = [loam_bin, "--data-dir", str(data_dir), "import", "argilla", "--url", url, "--api-key", key, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if check is not None:
        assert done.returncode == check, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def dump(data_dir, skip_runs=True):
    """Every row of the tables an import writes, minus the columns that differ by construction."""
    db = sqlite3.connect(data_dir / "loam.db")
    out = {}
    for table, skipped in TABLES.items():
        cursor = db.execute(f"select * from {table}")
        names = [it[0] for it in cursor.description]
        keep = [i for i, name in enumerate(names) if not (skip_runs and name in skipped)]
        rows = [tuple(row[i].hex() if isinstance(row[i], bytes) else row[i] for i in keep) for row in cursor]
        out[table] = sorted(rows, key=repr)
    db.close()
    return out


def count_records(data_dir):
    try:
        db = sqlite3.connect(data_dir / "loam.db", timeout=5)
        try:
            return db.execute("select count(*) from records").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def snapshot(url):
    """What the v2 SDK reads of a server: users, workspaces with members, every dataset's
    settings and records with suggestions, responses (users, statuses) and vectors."""
    client = rg.Argilla(api_url=url, api_key=KEY, timeout=300)
    out = {
        "users": sorted((str(u.id), u.username, u.role, u.first_name, u.last_name) for u in client.users),
        "workspaces": sorted(
            (str(w.id), w.name, sorted(u.username for u in w.users if u.role != "owner")) for w in client.workspaces
        ),
        "datasets": {},
    }
    for ds in client.datasets:
        settings = ds.settings.serialize()
        records = []
        for record in ds.records(with_suggestions=True, with_responses=True, with_vectors=True):
            it = record.to_dict()
            # to_dict() leaves the responses' statuses out: each (question, user, status, value).
            it["response_statuses"] = sorted(
                (r.question_name, str(r.user_id), str(r.status), repr(r.value)) for r in record.responses
            )
            it["responses"] = {
                q: sorted(rs, key=lambda r: (str(r["user_id"]), repr(r["value"]))) for q, rs in it["responses"].items()
            }
            records.append(it)
        records.sort(key=lambda it: it["_server_id"])
        out["datasets"][f"{ds.workspace.name}/{ds.name}"] = {
            "id": str(ds.id),
            "settings": settings,
            "status": ds.status if hasattr(ds, "status") else None,
            "records": records,
        }
    return out


def kept(url):
    """What the SDK objects leave out, read from the API: the datasets as stored (timestamps,
    last activity, distribution) and, per record, its timestamps and the ids and timestamps of its
    responses and suggestions."""
    api = httpx.Client(base_url=url, headers={"X-Argilla-Api-Key": KEY}, timeout=300)
    out = {}
    for ds in api.get("/api/v1/me/datasets").json()["items"]:
        records = {}
        offset = 0
        while True:
            page = api.get(
                f"/api/v1/datasets/{ds['id']}/records",
                params=[("offset", offset), ("limit", 1000), ("include", "responses"), ("include", "suggestions")],
            ).json()["items"]
            if not page:
                break
            offset += len(page)
            for r in page:
                records[r["id"]] = (
                    r["inserted_at"],
                    r["updated_at"],
                    r["status"],
                    sorted((x["id"], x["user_id"], x["status"], x["inserted_at"], x["updated_at"]) for x in r["responses"]),
                    sorted((x["id"], x["question_id"], x["inserted_at"], x["updated_at"]) for x in r["suggestions"]),
                )
        out[ds["id"]] = (ds, records)
    return out


@pytest.fixture(scope="module")
def imported(reference, loam_bin, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("imported")
    started = time.monotonic()
    done = run_import(loam_bin, data_dir, reference, "--no-passwords", check=0)
    print(f"imported in {time.monotonic() - started:.1f}s\n{done.stdout}")
    return data_dir, done


def test_everything_compares_equal_through_the_sdk(reference, imported, loam_bin, n_records):
    data_dir, done = imported
    assert "counts DIFFER" not in done.stdout
    assert done.stdout.count("counts equal") == 2, done.stdout
    assert "no usable password until an owner sets one" in done.stdout
    want = snapshot(reference)
    assert len(want["datasets"]["research/feedback"]["records"]) == n_records
    with Loam(loam_bin, data_dir) as loam:
        got = snapshot(loam.url)
    assert got["users"] == want["users"]
    assert got["workspaces"] == want["workspaces"]
    assert sorted(got["datasets"]) == sorted(want["datasets"])
    for name, dataset in want["datasets"].items():
        mine = got["datasets"][name]
        assert mine["id"] == dataset["id"], name
        assert mine["settings"] == dataset["settings"], name
        assert len(mine["records"]) == len(dataset["records"]), name
        for theirs, ours in zip(dataset["records"], mine["records"]):
            assert ours == theirs, name
    theirs_kept = kept(reference)
    with Loam(loam_bin, data_dir) as loam:
        ours_kept = kept(loam.url)
    assert sorted(ours_kept) == sorted(theirs_kept)
    for dataset_id, (dataset, records) in theirs_kept.items():
        # Every key the reference shows (loam adds its own extensions beside them).
        assert {key: ours_kept[dataset_id][0].get(key) for key in dataset} == dataset
        assert ours_kept[dataset_id][1] == records
    statuses = {
        status.rsplit(".", 1)[-1].lower()
        for record in want["datasets"]["research/feedback"]["records"]
        for (_, _, status, _) in record["response_statuses"]
    }
    assert statuses == {"submitted", "draft", "discarded"}


def test_a_second_run_changes_nothing(reference, imported, loam_bin):
    data_dir, _ = imported
    before = dump(data_dir, skip_runs=False)
    done = run_import(loam_bin, data_dir, reference, "--no-passwords", check=0)
    assert "imported 0 records" in done.stdout and "counts equal" in done.stdout, done.stdout
    assert dump(data_dir, skip_runs=False) == before
    dry = run_import(loam_bin, data_dir, reference, "--dry-run", check=0)
    assert "would import 0 records" in dry.stdout, dry.stdout
    assert dump(data_dir, skip_runs=False) == before


def test_a_killed_run_resumes_and_ends_equal(reference, imported, loam_bin, n_records, tmp_path):
    data_dir, _ = imported
    cmd = [loam_bin, "--data-dir", str(tmp_path), "import", "argilla", "--url", reference, "--api-key", KEY,
           "--no-passwords", "--batch-size", "100"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while count_records(tmp_path) < min(300, n_records // 3) and proc.poll() is None:
        assert time.monotonic() < deadline, "no records arrived"
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed; raise LOAM_IMPORT_N"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = count_records(tmp_path)
    assert 0 < partial < n_records
    assert partial % 100 == 0, f"{partial} records: batches are written whole"
    dry = run_import(loam_bin, tmp_path, reference, "--dry-run", check=0)
    assert f"would import {n_records - partial} records" in dry.stdout, dry.stdout
    run_import(loam_bin, tmp_path, reference, "--no-passwords", check=0)
    assert dump(tmp_path) == dump(data_dir)


class NotArgilla(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = b"<html>hello</html>"
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_bad_input_gets_its_own_exit_status_and_writes_nothing(reference, loam_bin, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    done = run_import(loam_bin, tmp_path, closed, check=3)
    assert "cannot reach" in done.stderr
    done = run_import(loam_bin, tmp_path, reference, key="wrong.key", check=4)
    assert "refused the API key" in done.stderr
    bob = next(u for u in httpx.get(f"{reference}/api/v1/users", headers={"X-Argilla-Api-Key": KEY}).json()["items"]
               if u["username"] == "bob")
    done = run_import(loam_bin, tmp_path, reference, key=bob["api_key"], check=5)
    assert "owner" in done.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotArgilla)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run_import(loam_bin, tmp_path, f"http://127.0.0.1:{server.server_address[1]}", check=6)
        assert "does not answer like an Argilla" in done.stderr
    finally:
        server.shutdown()
    assert all(rows == [] for rows in dump(tmp_path).values())
    done = run_import(loam_bin, tmp_path, reference, "--dataset", "research/nope", check=1)
    assert "no dataset `research/nope`" in done.stderr


def test_refused_items_are_listed_and_the_rest_is_imported(reference, loam_bin, tmp_path):
    # loam already has a workspace named `support` under another id: that workspace, and the
    # dataset in it, are refused with the reason; everything else is imported.
    made = subprocess.run([loam_bin, "--data-dir", str(tmp_path), "workspace", "create", "support"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    done = run_import(loam_bin, tmp_path, reference, "--no-passwords", check=2)
    assert "error: workspace support: loam has a workspace named `support` with another id" in done.stderr
    assert "error: dataset support/triage: Workspace with id" in done.stderr
    assert "completed with errors: 2 items refused" in done.stderr
    assert "dataset research/feedback: imported" in done.stdout and "counts equal" in done.stdout
