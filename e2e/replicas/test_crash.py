"""Several loam replicas on one PostgreSQL database, end to end over HTTP (see test_replicas.py).

test_database_crash_under_load_loses_no_acknowledged_write
    On a private PostgreSQL cluster (so it can be killed), writer threads keep upserting uniquely
    tagged batches of 10 records and annotators keep submitting responses through the three
    replicas. The cluster is crashed (`pg_ctl stop -m immediate`), kept down for a few seconds and
    started again on the same port; the replicas are not touched. Asserted:
      - during the outage every request answers 503 with a {"detail"} naming the unavailable
        database, within 15 s (never a 500, a dropped connection or a hang), GET /api/v1/status
        answers 503 with "database": {"backend": "postgres", "available": false}, and a write made
        during the outage left nothing behind;
      - after the restart each replica reports "available": true within 30 s and accepts writes
        again, with the same process (no replica restart);
      - every acknowledged batch is fully present, every unacknowledged batch is fully present or
        fully absent (never partial), no record exists that no request asked for, every
        acknowledged response exists as acknowledged, every record's status agrees with its stored
        responses, progress agrees with the records, and all replicas read the same data.
    Unacknowledged writes that did commit (the crash hit during COMMIT or before the reply) are
    allowed only when no reply came or the 503 said the outcome is unknown: a 503 saying "nothing
    was changed" must be true.

Run it with `bash e2e/run.sh replicas` (needs `psql`, `initdb` / `pg_ctl` of PostgreSQL 15 and
the shared PostgreSQL server at 127.0.0.1:5432 for scratch databases; see conftest.py).
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest

from conftest import Api, Owner, fire_together, psql, strong_secret, wait_until
from replicas_common import (
    LABELS, OUTAGE_REQUEST_LIMIT, DB_UNAVAILABLE, unique, make_dataset, add_records,
    create_annotators, read_records, response_key, response_body, check_same_everywhere,
)


# Far below run.sh's 600 s: a stuck replica or writer fails the test instead of stalling the run.
pytestmark = pytest.mark.timeout(180)


@dataclass
class Outcome:
    writer: str  # "bulk-0", "ann-1", …
    kind: str  # "batch" | "response"
    key: object  # batch number | (record id, annotator index)
    via: int
    started: float
    elapsed: float
    code: int | None  # None: no HTTP reply at all
    body: object  # parsed JSON or text, or the exception text

    @property
    def acked(self) -> bool:
        return self.code in (200, 201)

    @property
    def claims_nothing_changed(self) -> bool:
        return self.code == 503 and isinstance(self.body, dict) and "nothing was changed" in str(self.body.get("detail"))

    def describe(self, origin: float | None = None) -> str:
        when = f" sent at {self.started - origin:+.3f}s" if origin is not None else ""
        return (f"{self.writer} {self.kind} {self.key} via replica-{self.via}{when}: {self.code} after "
                f"{self.elapsed:.3f}s: {str(self.body)[:300]}")


def timed(writer, kind, key, via, send) -> Outcome:
    started = time.monotonic()
    try:
        reply = send()
        try:
            body = reply.json()
        except ValueError:
            body = reply.text
        code = reply.status_code
    except httpx.HTTPError as exc:
        code, body = None, f"{type(exc).__name__}: {exc}"
    return Outcome(writer, kind, key, via, started, time.monotonic() - started, code, body)


def unavailable_reply(code, body) -> bool:
    return code == 503 and isinstance(body, dict) and isinstance(body.get("detail"), str) and bool(DB_UNAVAILABLE.search(body["detail"]))


BATCH = 10  # records per upsert batch
N_SEED = 1500  # records the annotators answer (each answers each at most once)
WARMUP_ACKS = 20  # acknowledged writes per writer before the crash, and again after the recovery


def test_database_crash_under_load_loses_no_acknowledged_write(private_cluster, start_replicas):
    psql(private_cluster.url(), "create database loam")
    owner = Owner.generate()
    replicas = start_replicas(private_cluster.url("loam"), 3, owner, strong_secret())
    pids = [r.proc.pid for r in replicas]
    owners = [r.api(owner.api_key, timeout=OUTAGE_REQUEST_LIMIT + 10) for r in replicas]
    workspace = owners[0].post("/api/v1/workspaces", {"name": unique("outage")})
    ds = make_dataset(owners, workspace["id"], 1)
    seed_ids = [f"seed-{i:04d}" for i in range(N_SEED)]
    seed_records = [rid for chunk in range(0, N_SEED, 500) for rid in add_records(owners[chunk // 500 % 3], ds, seed_ids[chunk:chunk + 500])]
    annotators = create_annotators(owners, replicas, workspace["id"], 3)
    for ann in annotators:
        for api in ann.apis:
            api.client.timeout = httpx.Timeout(OUTAGE_REQUEST_LIMIT + 10)

    outcomes: list[Outcome] = []
    stop = threading.Event()
    batch_numbers = itertools.count()
    numbers_lock = threading.Lock()

    def bulk_writer(w: int):
        rng = random.Random(w)
        while not stop.is_set():
            with numbers_lock:
                k = next(batch_numbers)
            via = rng.randrange(3)
            items = [{"external_id": f"batch-{k}-{i}", "fields": {"text": f"batch {k} item {i}"}} for i in range(BATCH)]
            outcomes.append(timed(f"bulk-{w}", "batch", k, via, lambda: owners[via].send(
                "PUT", f"/api/v1/datasets/{ds}/records/bulk", json={"items": items})))

    sent_responses: dict[tuple[str, int], dict] = {}

    def annotator_writer(a: int):
        rng = random.Random(100 + a)
        ann = annotators[a]
        order = seed_records[:]
        rng.shuffle(order)
        for rec in order:
            if stop.is_set():
                return
            via = rng.randrange(3)
            body = response_body("submitted", rng.choice(LABELS))
            sent_responses[(rec, a)] = body
            outcomes.append(timed(f"ann-{a}", "response", (rec, a), via, lambda: ann.apis[via].send(
                "POST", f"/api/v1/records/{rec}/responses", json=body)))
        outcomes.append(Outcome(f"ann-{a}", "exhausted", None, -1, time.monotonic(), 0, None, "ran out of records"))

    writers = [threading.Thread(target=bulk_writer, args=(w,), name=f"bulk-{w}", daemon=True) for w in range(3)]
    writers += [threading.Thread(target=annotator_writer, args=(a,), name=f"ann-{a}", daemon=True) for a in range(3)]
    names = [t.name for t in writers]

    def each_writer_has(what: str, condition, n: int = 1) -> None:
        def check():
            seen = Counter(o.writer for o in list(outcomes) if condition(o))
            return all(seen[name] >= n for name in names) or None

        wait_until(f"every writer to have {what}", check, 30)

    for t in writers:
        t.start()
    try:
        # Under load: every writer has had a number of writes acknowledged (and keeps writing,
        # with no pause between requests) when the database goes.
        each_writer_has("acknowledged writes", lambda o: o.acked, n=WARMUP_ACKS)

        # ---- crash ----
        crashed_at = time.monotonic()  # request times in messages are relative to this
        private_cluster.crash()
        print(f"crashed the cluster after {len(outcomes)} requests (pg_ctl stop -m immediate returned after "
              f"{time.monotonic() - crashed_at:.3f}s)")

        def status_says_unavailable(api: Api):
            def probe():
                o = timed("probe", "status", None, 0, lambda: api.send("GET", "/api/v1/status"))
                assert o.elapsed < OUTAGE_REQUEST_LIMIT, f"{api.name}: status took {o.elapsed:.1f}s"
                db = o.body.get("database", {}) if isinstance(o.body, dict) else {}
                if o.code == 503 and db.get("backend") == "postgres" and db.get("available") is False:
                    return o
                assert o.code in (200, 503), f"{api.name}: status during the outage: {o.describe()}"
                return None

            return wait_until(f"{api.name}'s status to report the database unavailable", probe, OUTAGE_REQUEST_LIMIT)

        def outage_request(api: Api, method: str, path: str, body=None):
            def go():
                o = timed("probe", path, None, 0, lambda: api.send(method, path, json=body))
                assert unavailable_reply(o.code, o.body), f"{api.name}: {method} {path} during the outage: {o.describe()}"
                assert o.elapsed < OUTAGE_REQUEST_LIMIT, f"{api.name}: {method} {path} took {o.elapsed:.1f}s"
                return o

            return go

        outage_names = [unique("during-outage") for _ in owners]
        fire_together(
            [lambda api=api: status_says_unavailable(api) for api in owners]
            + [outage_request(api, "GET", "/api/v1/me") for api in owners]
            + [outage_request(api, "POST", "/api/v1/workspaces", {"name": n}) for api, n in zip(owners, outage_names)]
        )
        each_writer_has("a 503 during the outage",
                        lambda o: o.started >= crashed_at and unavailable_reply(o.code, o.body))

        # ---- restart ----
        private_cluster.start()
        restarted_at = time.monotonic()
        print(f"restarted the cluster after {restarted_at - crashed_at:.1f}s down")

        def status_available(api: Api):
            def probe():
                reply = api.send("GET", "/api/v1/status")
                db = reply.json().get("database", {})
                if reply.status_code == 200 and db.get("backend") == "postgres" and db.get("available") is True:
                    return True
                assert reply.status_code in (200, 503), f"{api.name}: status while recovering: {reply.status_code} {reply.text}"
                return None

            return wait_until(f"{api.name} to report the database available again", probe, 30)

        for api in owners:
            status_available(api)
        recovered_at = time.monotonic()
        print(f"every replica reported the database back {recovered_at - restarted_at:.1f}s after the restart")
        each_writer_has("acknowledged writes after the recovery", lambda o: o.started >= recovered_at and o.acked, n=WARMUP_ACKS)
    finally:
        stop.set()
        for t in writers:
            t.join(OUTAGE_REQUEST_LIMIT + 15)
    assert not any(t.is_alive() for t in writers), "a writer thread is stuck"

    # ---- the replicas kept running, the same processes ----
    for replica, pid in zip(replicas, pids):
        assert replica.alive() and replica.proc.pid == pid, f"{replica.name} did not survive the outage"
    # A write through each replica works.
    for i, api in enumerate(owners):
        add_records(api, ds, [f"after-{i}"])

    # ---- what the clients saw ----
    done = list(outcomes)
    done = [o for o in done if o.kind != "exhausted"]
    tally = Counter((o.kind, o.code) for o in done)
    print(f"outcomes: {dict(tally)}")
    bad = [o for o in done if not (o.acked or unavailable_reply(o.code, o.body))]
    assert not bad, "requests answered neither with success nor with the database-unavailable 503:\n" + "\n".join(
        o.describe(crashed_at) for o in bad[:15])
    slow = [o for o in done if o.elapsed >= OUTAGE_REQUEST_LIMIT]
    assert not slow, "requests took too long:\n" + "\n".join(o.describe(crashed_at) for o in slow[:15])
    before = [o for o in done if o.started + o.elapsed < crashed_at and not o.acked]
    assert not before, "failures before the crash:\n" + "\n".join(o.describe(crashed_at) for o in before[:15])
    after = [o for o in done if o.started >= recovered_at and not o.acked]
    assert not after, "failures after every replica reported the database back:\n" + "\n".join(o.describe(crashed_at) for o in after[:15])

    # ---- what the database holds, read through every replica ----
    snapshots = [read_records(api, ds) for api in owners]
    check_same_everywhere("records after the outage", [
        {rid: (r["external_id"], r["status"], r["fields"], sorted(map(response_key, r["responses"]))) for rid, r in s.items()}
        for s in snapshots])
    records = snapshots[0]
    by_external = {r["external_id"]: r for r in records.values()}
    assert len(by_external) == len(records), "two records share an external id"

    batches = {o.key: o for o in done if o.kind == "batch"}
    present_per_batch = Counter()
    for x, r in by_external.items():
        m = re.fullmatch(r"batch-(\d+)-(\d+)", x)
        if m:
            k, i = int(m.group(1)), int(m.group(2))
            assert k in batches and i < BATCH, f"record {x} was never asked for"
            assert r["fields"] == {"text": f"batch {k} item {i}"}, f"record {x} holds {r['fields']}"
            present_per_batch[k] += 1
        else:
            assert x in seed_ids or x.startswith("after-"), f"record {x} was never asked for"
    lost = [f"{o.describe(crashed_at)} -> {present_per_batch[k]} of {BATCH} present"
            for k, o in batches.items() if o.acked and present_per_batch[k] != BATCH]
    assert not lost, "acknowledged batches not fully present:\n" + "\n".join(lost[:15])
    partial = [(k, present_per_batch[k]) for k, o in batches.items() if not o.acked and present_per_batch[k] not in (0, BATCH)]
    assert not partial, f"unacknowledged batches partially present (batch, records present): {partial}"
    ghost_batches = [o for k, o in sorted(batches.items()) if not o.acked and present_per_batch[k] == BATCH]
    assert len(records) == len(seed_ids) + len(owners) + BATCH * len(present_per_batch)

    stored = {}
    for r in records.values():
        for resp in r["responses"]:
            stored[(r["id"], resp["user_id"])] = resp
        submitted = sum(1 for resp in r["responses"] if resp["status"] == "submitted")
        assert r["status"] == ("completed" if submitted >= 1 else "pending"), (
            f"record {r['external_id']} is {r['status']} with {submitted} submitted responses")
    attempted = {o.key: o for o in done if o.kind == "response"}
    user_index = {ann.id: i for i, ann in enumerate(annotators)}
    ghost_responses = []
    for (rec, user), resp in stored.items():
        key = (rec, user_index.get(user))
        assert key in attempted, f"a response nobody asked for: {resp}"
        o = attempted[key]
        assert resp["status"] == "submitted" and resp["values"] == sent_responses[key]["values"], (
            f"stored {resp} for {o.describe()}")
        if o.acked:
            assert resp["id"] == o.body["id"], f"acknowledged response {o.body} stored as {resp}"
        else:
            ghost_responses.append(o)
    lost_responses = [o.describe(crashed_at) for key, o in attempted.items()
                      if o.acked and (key[0], annotators[key[1]].id) not in stored]
    assert not lost_responses, "acknowledged responses missing:\n" + "\n".join(lost_responses[:15])

    completed = sum(1 for r in records.values() if r["status"] == "completed")
    for api in owners:
        progress = api.get(f"/api/v1/datasets/{ds}/progress")
        assert {k: progress[k] for k in ("total", "completed", "pending")} == {
            "total": len(records), "completed": completed, "pending": len(records) - completed}, f"{api.name}: {progress}"

    # Nothing of the writes made during the outage (each answered 503) is there.
    ws_names = {w["name"] for w in owners[0].get("/api/v1/me/workspaces")["items"]}
    assert not ws_names & set(outage_names), f"workspaces created during the outage exist: {ws_names & set(outage_names)}"

    acked_batches = sum(1 for o in batches.values() if o.acked)
    print(f"batches: {acked_batches} acknowledged, {len(batches) - acked_batches} not "
          f"({len(ghost_batches)} of those committed anyway); responses: "
          f"{sum(1 for o in attempted.values() if o.acked)} acknowledged, {len(ghost_responses)} unacknowledged but stored")
    # A write that committed although its reply was not an acknowledgement is allowed only if the
    # reply never came or said the outcome is unknown (the crash hit during COMMIT); a 503 that says
    # "nothing was changed" must be true.
    false_claims = [o.describe(crashed_at) for o in ghost_batches + ghost_responses if o.claims_nothing_changed]
    assert not false_claims, "answered 'nothing was changed' but committed:\n" + "\n".join(false_claims[:10])


# ---- webhooks ------------------------------------------------------------------------------------
