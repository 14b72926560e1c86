"""Several loam replicas on one PostgreSQL database, end to end over HTTP.

The issue "PostgreSQL backend and many replicas" promises that replicas sharing a database behave
like one server, and that losing the database is survivable. These tests run the real binary
(LOAM_BIN) as three `loam serve` processes on one database and check exactly that:

test_replicas_started_together_share_one_owner_and_tokens
    Three replicas started at the same instant on an empty database (they race to migrate it and to
    create the owner) all come up, report PostgreSQL as available in GET /api/v1/status, see the
    same single owner, accept a sign-in token issued by any one of them (shared --token-secret),
    and stop cleanly on SIGTERM. Ten rounds, each on a fresh database, since the race is timing-
    dependent.

test_postgres_requires_a_token_secret
    `loam serve` on PostgreSQL without --token-secret refuses to start and says why.

test_fifty_annotators_through_three_replicas_agree_with_a_single_server
    50 annotators submit responses through the three replicas at random, with deliberate contention:
    bursts where several annotators hit the same record at the same instant through different
    replicas (exactly min_submitted submissions racing to complete a record, submissions racing
    with discards and drafts, one user posting the same response twice at once through two
    replicas, updates that lower the submitted count racing with creates that raise it), then all
    50 annotators at once on random records, including "changes of mind" (POST again -> 409, then
    PUT). The expected end state is computed in Python from the acknowledged requests only (201 /
    200 bodies): for every (record, user) the last acknowledged response. Then, through EACH
    replica, the suite reads everything back and asserts it equals that expectation exactly: every
    record's status (completed iff >= min_submitted submitted responses), the exact set of
    (record, user, response id, status, values), dataset progress (total / completed / pending and
    the set of users), per-user progress, and every annotator's own metrics.

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

test_webhook_events_are_sent_once_by_the_replicas
    A webhook subscribed to record.created and response.created; records logged and responses
    submitted through all three replicas. A receiver in the test gets every event exactly once (one
    replica claims each through the database), with a valid Standard Webhooks signature, and the
    outbox table is empty afterwards.

Run it with `bash e2e/run.sh replicas` (needs `psql`, `initdb` / `pg_ctl` of PostgreSQL 15 and
the shared PostgreSQL server at 127.0.0.1:5432 for scratch databases; see conftest.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

from conftest import Api, Owner, Replica, fire_together, psql, strong_secret, wait_until

MIN_SUBMITTED = 3
N_RECORDS = 40
N_ANNOTATORS = 50
LABELS = ["a", "b"]
OUTAGE_REQUEST_LIMIT = 15.0  # seconds a request may take while the database is gone
DB_UNAVAILABLE = re.compile(r"database.*unavailable|unavailable.*database", re.IGNORECASE | re.DOTALL)


# Far below run.sh's 600 s: a stuck replica or writer fails the test instead of stalling the run.
pytestmark = pytest.mark.timeout(180)


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


ROUNDS_TOGETHER = 10  # the start-up race is timing-dependent; several rounds make it show


def test_replicas_started_together_share_one_owner_and_tokens(scratch_database, start_replicas):
    for round_ in range(ROUNDS_TOGETHER):
        owner = Owner.generate()
        replicas = start_replicas(scratch_database(), 3, owner, strong_secret(), together=True)
        owners = [r.api(owner.api_key) for r in replicas]
        owner_ids = set()
        for api in owners:
            status = api.get("/api/v1/status")
            assert status["database"]["backend"] == "postgres", status
            assert status["database"]["available"] is True, status
            me = api.get("/api/v1/me")
            assert me["username"] == "owner" and me["role"] == "owner"
            owner_ids.add(me["id"])
            users = api.get("/api/v1/users")["items"]
            assert [u["username"] for u in users] == ["owner"], f"round {round_}, {api.name}: {users}"
        assert len(owner_ids) == 1, f"round {round_}: the replicas disagree on the owner: {owner_ids}"

        # A sign-in token from one replica is accepted by every replica (one shared token secret).
        token = httpx.post(f"{replicas[round_ % 3].url}/api/v1/token",
                           data={"username": owner.username, "password": owner.password}, timeout=30)
        assert token.status_code == 201, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for replica in replicas:
            me = httpx.get(f"{replica.url}/api/v1/me", headers=bearer, timeout=30)
            assert me.status_code == 200, f"round {round_}, {replica.name}: {me.status_code} {me.text}"
            assert me.json()["id"] in owner_ids
        for api in owners:
            api.close()
        for replica in replicas:
            assert replica.stop() == 0, f"{replica.name} did not stop cleanly on SIGTERM:\n{replica.log()}"


def test_postgres_requires_a_token_secret(scratch_database, loam_bin, tmp_path):
    replica = Replica(loam_bin, tmp_path, "no-secret", scratch_database(), Owner.generate(), token_secret=None)
    try:
        wait_until("loam without --token-secret to exit", lambda: replica.proc.poll() is not None, 30)
        log = replica.log()
        assert replica.proc.returncode != 0, log
        assert "listening on" not in log, log
        assert "--token-secret" in log, f"the refusal should name --token-secret:\n{log}"
    finally:
        replica.stop()


# ---- fifty annotators ----------------------------------------------------------------------------


class Ledger:
    """What the annotators were told: the last acknowledged response per (record, user)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.responses: dict[tuple[str, str], dict] = {}
        self.problems: list[str] = []
        self.counts = Counter()

    def problem(self, text: str):
        with self.lock:
            self.problems.append(text)

    def created(self, ann: Annotator, record_id: str, body: dict, reply: httpx.Response):
        if reply.status_code != 201:
            return self.problem(f"{ann.username} POST record {record_id}: {reply.status_code} {reply.text}")
        got = reply.json()
        wanted = {"record_id": record_id, "user_id": ann.id, "status": body["status"], "values": expected_values(body)}
        seen = {k: got.get(k) for k in wanted}
        if seen != wanted:
            return self.problem(f"{ann.username} POST record {record_id}: acknowledged {seen}, sent {wanted}")
        with self.lock:
            if (record_id, ann.id) in self.responses:
                self.problems.append(f"{ann.username}: a second 201 for record {record_id}: {got}")
            self.responses[(record_id, ann.id)] = got
            self.counts["created"] += 1

    def updated(self, ann: Annotator, record_id: str, response_id: str, body: dict, reply: httpx.Response):
        if reply.status_code != 200:
            return self.problem(f"{ann.username} PUT response {response_id}: {reply.status_code} {reply.text}")
        got = reply.json()
        wanted = {"id": response_id, "record_id": record_id, "user_id": ann.id, "status": body["status"],
                  "values": expected_values(body)}
        seen = {k: got.get(k) for k in wanted}
        if seen != wanted:
            return self.problem(f"{ann.username} PUT response {response_id}: acknowledged {seen}, sent {wanted}")
        with self.lock:
            self.responses[(record_id, ann.id)] = got
            self.counts["updated"] += 1

    def conflict(self, ann: Annotator, record_id: str, reply: httpx.Response):
        detail = reply.json().get("detail") if reply.status_code == 409 else None
        wanted = f"Response already exists for record with id `{record_id}` and by user with id `{ann.id}`"
        if reply.status_code != 409 or detail != wanted:
            return self.problem(f"{ann.username} second POST on record {record_id}: wanted 409 {wanted!r}, got {reply.status_code} {reply.text}")
        with self.lock:
            self.counts["conflicts"] += 1


def post_response(ann: Annotator, record_id: str, status: str, label: str | None, via: int):
    body = response_body(status, label)
    return body, ann.apis[via].send("POST", f"/api/v1/records/{record_id}/responses", json=body)


def put_response(ann: Annotator, response_id: str, status: str, label: str | None, via: int):
    body = response_body(status, label)
    return body, ann.apis[via].send("PUT", f"/api/v1/responses/{response_id}", json=body)


def contention_bursts(rng: random.Random, annotators: list[Annotator], hot: list[str], ledger: Ledger):
    """Phase 1: bursts of simultaneous requests on 8 'hot' records (no other traffic touches them
    later, so a status left wrong by a race stays visible). Returns the designed status per record,
    a sanity check that the scenarios happened as meant."""
    designed = {}
    calls = []  # (kind, annotator, record, thunk)

    def post(ann, rec, status, via):
        calls.append(("post", ann, rec, lambda: post_response(ann, rec, status, rng_label(), via)))

    labels = random.Random(rng.random())
    lock = threading.Lock()

    def rng_label():
        with lock:
            return labels.choice(LABELS)

    # hot[0..2]: exactly min_submitted annotators race to complete each record, one per replica.
    for rec in hot[0:3]:
        for via, ann in enumerate(rng.sample(annotators, MIN_SUBMITTED)):
            post(ann, rec, "submitted", via % 3)
        designed[rec] = "completed"
    # hot[3]: 12 submissions at once.
    for via, ann in enumerate(rng.sample(annotators, 12)):
        post(ann, hot[3], "submitted", via % 3)
    designed[hot[3]] = "completed"
    # hot[4]: one short of completion, racing with discards and a draft.
    for via, (ann, status) in enumerate(zip(rng.sample(annotators, 6),
                                            ["submitted", "discarded", "submitted", "discarded", "draft", "discarded"])):
        post(ann, hot[4], status, via % 3)
    designed[hot[4]] = "pending"
    # hot[5]: five annotators each POST the same response twice at once through two replicas.
    doubles = rng.sample(annotators, 5)
    for i, ann in enumerate(doubles):
        post(ann, hot[5], "submitted", i % 3)
        post(ann, hot[5], "submitted", (i + 1) % 3)
    designed[hot[5]] = "completed"

    results = fire_together([thunk for _, _, _, thunk in calls])
    per_double = defaultdict(list)
    for (kind, ann, rec, _), (body, reply) in zip(calls, results):
        if rec == hot[5]:
            per_double[ann.id].append((ann, body, reply))
        else:
            ledger.created(ann, rec, body, reply)
    for attempts in per_double.values():
        codes = sorted(reply.status_code for _, _, reply in attempts)
        ann = attempts[0][0]
        if codes != [201, 409]:
            ledger.problem(f"{ann.username} posted twice at once on record {hot[5]}: got {codes}, wanted one 201 and one 409: "
                           + " | ".join(reply.text for _, _, reply in attempts))
            continue
        for ann, body, reply in attempts:
            if reply.status_code == 201:
                ledger.created(ann, hot[5], body, reply)
            else:
                ledger.conflict(ann, hot[5], reply)

    # hot[6], hot[7]: updates that lower the submitted count race with creates that raise it.
    a, b, c, d, e = rng.sample(annotators, 5)
    prefix = [(a, hot[6]), (b, hot[6]), (c, hot[6]), (a, hot[7]), (b, hot[7])]
    for via, (ann, rec) in enumerate(prefix):
        body, reply = post_response(ann, rec, "submitted", rng_label(), via % 3)
        ledger.created(ann, rec, body, reply)
    ids = {(rec, ann.id): ledger.responses.get((rec, ann.id), {}).get("id") for ann, rec in prefix}
    if None in ids.values():
        return designed  # already recorded as a problem
    changes = [
        ("put", a, hot[6], lambda: put_response(a, ids[(hot[6], a.id)], "discarded", None, 0)),
        ("put", b, hot[6], lambda: put_response(b, ids[(hot[6], b.id)], "draft", "a", 1)),
        ("post", d, hot[6], lambda: post_response(d, hot[6], "submitted", "b", 2)),
        ("post", e, hot[6], lambda: post_response(e, hot[6], "submitted", "a", 0)),
        ("post", c, hot[7], lambda: post_response(c, hot[7], "submitted", "b", 1)),
        ("put", a, hot[7], lambda: put_response(a, ids[(hot[7], a.id)], "discarded", None, 2)),
    ]
    designed[hot[6]] = "completed"  # c, d, e submitted
    designed[hot[7]] = "pending"  # b, c submitted
    for (kind, ann, rec, _), (body, reply) in zip(changes, fire_together([t for *_, t in changes])):
        if kind == "post":
            ledger.created(ann, rec, body, reply)
        else:
            ledger.updated(ann, rec, ids[(rec, ann.id)], body, reply)
    return designed


def annotate_at_random(seed: int, ann: Annotator, records: list[str], ledger: Ledger, start: threading.Barrier):
    """Phase 2, one annotator: 5 random records, random status and label, each request through a
    random replica; sometimes a change of mind on one of them (POST again -> 409, then PUT)."""
    rng = random.Random(seed * 1000 + ann.index)
    start.wait(timeout=60)
    picks = rng.sample(records, 5)
    statuses = ["submitted", "draft", "discarded"]
    weights = [45, 25, 30]
    for rec in picks:
        status = rng.choices(statuses, weights)[0]
        body, reply = post_response(ann, rec, status, rng.choice(LABELS), rng.randrange(3))
        ledger.created(ann, rec, body, reply)
    if rng.random() < 0.5:
        rec = rng.choice(picks)
        body, reply = post_response(ann, rec, "submitted", rng.choice(LABELS), rng.randrange(3))
        ledger.conflict(ann, rec, reply)
        response_id = ledger.responses.get((rec, ann.id), {}).get("id")
        if response_id:
            status = rng.choices(statuses, weights)[0]
            body, reply = put_response(ann, response_id, status, rng.choice(LABELS), rng.randrange(3))
            ledger.updated(ann, rec, response_id, body, reply)


def test_fifty_annotators_through_three_replicas_agree_with_a_single_server(scratch_database, start_replicas):
    seed = random.randrange(1 << 30)
    print(f"seed {seed} (plans only; the interleaving is the machine's)")
    rng = random.Random(seed)
    owner = Owner.generate()
    replicas = start_replicas(scratch_database(), 3, owner, strong_secret())
    owners = [r.api(owner.api_key) for r in replicas]

    workspace = owners[0].post("/api/v1/workspaces", {"name": unique("crowd")})
    ds = make_dataset(owners, workspace["id"], MIN_SUBMITTED)
    record_ids = add_records(owners[1], ds, [f"r{i:02d}" for i in range(N_RECORDS)])
    annotators = create_annotators(owners, replicas, workspace["id"], N_ANNOTATORS)
    # Users created through any replica are seen by every replica.
    for api in owners:
        listed = {u["username"] for u in api.get("/api/v1/users")["items"]}
        assert listed == {"owner"} | {a.username for a in annotators}, api.name

    ledger = Ledger()
    hot, rest = record_ids[:8], record_ids[8:]
    designed = contention_bursts(rng, annotators, hot, ledger)
    start = threading.Barrier(len(annotators))
    with ThreadPoolExecutor(len(annotators)) as pool:
        for done in [pool.submit(annotate_at_random, seed, ann, rest, ledger, start) for ann in annotators]:
            done.result()
    assert not ledger.problems, "unexpected replies:\n" + "\n".join(ledger.problems[:20])
    print(f"acknowledged: {dict(ledger.counts)}")

    # ---- the expectation, from the acknowledged replies only ----
    expected_responses = defaultdict(set)
    submitted = Counter()
    for (rec, _user), resp in ledger.responses.items():
        expected_responses[rec].add(response_key(resp))
        if resp["status"] == "submitted":
            submitted[rec] += 1
    expected_status = {rec: "completed" if submitted[rec] >= MIN_SUBMITTED else "pending" for rec in record_ids}
    for rec, status in designed.items():
        assert expected_status[rec] == status, f"scenario on record {rec} did not happen as designed"
    completed = sum(1 for s in expected_status.values() if s == "completed")
    print(f"expected: {completed} completed, {N_RECORDS - completed} pending, {len(ledger.responses)} responses")
    usernames = {a.id: a.username for a in annotators}
    responders = {usernames[user] for (_rec, user) in ledger.responses}
    user_progress = defaultdict(lambda: {"completed": Counter(), "pending": Counter()})
    for (rec, user), resp in ledger.responses.items():
        user_progress[usernames[user]][expected_status[rec]][resp["status"]] += 1

    # ---- read back through every replica ----
    snapshots = []
    for api in owners:
        records = read_records(api, ds)
        assert set(records) == set(record_ids), f"{api.name}: records differ"
        observed = {rid: (r["status"], {response_key(x) for x in r["responses"]}) for rid, r in records.items()}
        snapshots.append(observed)
        wrong = []
        for rec in record_ids:
            want = (expected_status[rec], expected_responses[rec])
            if observed[rec] != want:
                got_status, got_resp = observed[rec]
                wrong.append(f"record {records[rec]['external_id']}: status {got_status} (want {want[0]}, "
                             f"{submitted[rec]} submitted acknowledged); missing {want[1] - got_resp}; unexpected {got_resp - want[1]}")
        assert not wrong, f"{api.name} disagrees with the acknowledged requests:\n" + "\n".join(wrong[:15])

        progress = api.get(f"/api/v1/datasets/{ds}/progress")
        assert {k: progress[k] for k in ("total", "completed", "pending")} == {
            "total": N_RECORDS, "completed": completed, "pending": N_RECORDS - completed}, f"{api.name}: {progress}"
        listed = [u["username"] for u in progress["users"]]
        assert len(listed) == len(set(listed)) and set(listed) == responders, f"{api.name}: progress users {listed}"

        per_user = api.get(f"/api/v1/datasets/{ds}/users/progress")["users"]
        got = {u["username"]: {"completed": u["completed"], "pending": u["pending"]} for u in per_user}
        want = {name: {bucket: {s: counts[bucket][s] for s in ("submitted", "discarded", "draft")}
                       for bucket in ("completed", "pending")} for name, counts in user_progress.items()}
        assert got == want, f"{api.name}: users/progress differs: " + str(
            {n: (got.get(n), want.get(n)) for n in set(got) | set(want) if got.get(n) != want.get(n)})
    check_same_everywhere("records, statuses and responses", snapshots)

    # Every annotator's own metrics, through every replica.
    def metrics(ann: Annotator):
        mine = Counter(resp["status"] for (_rec, user), resp in ledger.responses.items() if user == ann.id)
        count = sum(mine.values())
        want = {"total": N_RECORDS, "count": count, "submitted": mine["submitted"], "discarded": mine["discarded"],
                "draft": mine["draft"], "pending": N_RECORDS - count}
        for api in ann.apis:
            got = api.get(f"/api/v1/me/datasets/{ds}/metrics")
            assert got["records"]["count"] == N_RECORDS, f"{api.name} {ann.username}: {got}"
            assert {k: got["responses"].get(k) for k in want} == want, f"{api.name} {ann.username}: {got} want {want}"

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(metrics, annotators))


# ---- the database goes away under load -----------------------------------------------------------


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


class WebhookReceiver:
    """An HTTP server in a thread that keeps every POST it gets: (headers, raw body)."""

    def __init__(self):
        self.got: list[tuple[dict, bytes]] = []
        lock = threading.Lock()
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with lock:
                    got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def standard_webhooks_signature(secret: str, headers: dict, body: bytes) -> str:
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    digest = hmac.new(base64.b64decode(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def test_webhook_events_are_sent_once_by_the_replicas(scratch_database, start_replicas):
    database = scratch_database()
    owner = Owner.generate()
    replicas = start_replicas(database, 3, owner, strong_secret())
    owners = [r.api(owner.api_key) for r in replicas]
    receiver = WebhookReceiver()
    try:
        hook = owners[2].post("/api/v1/webhooks",
                              {"url": receiver.url, "events": ["record.created", "response.created"]})
        workspace = owners[0].post("/api/v1/workspaces", {"name": unique("hooks")})
        ds = make_dataset(owners, workspace["id"], 1)
        record_ids = []
        for i, api in enumerate(owners * 4):  # 12 batches of 5, round-robin over the replicas
            record_ids += add_records(api, ds, [f"h{i:02d}-{j}" for j in range(5)])
        annotators = create_annotators(owners, replicas, workspace["id"], 3)
        answers = [(ann, rid) for ann in annotators for rid in record_ids[:20]]

        def answer(i_pair):
            i, (ann, record_id) = i_pair
            ann.apis[i % 3].post(f"/api/v1/records/{record_id}/responses", response_body("submitted", "a"))

        with ThreadPoolExecutor(6) as pool:
            list(pool.map(answer, enumerate(answers)))
        expected = len(record_ids) + len(answers)
        wait_until(f"{expected} webhook deliveries", lambda: len(receiver.got) >= expected, 60)
        wait_until("an empty webhook outbox",
                   lambda: psql(database, "select count(*) from webhook_deliveries").strip() == "0", 30)
        got = list(receiver.got)
        assert len(got) == expected, f"{len(got)} deliveries for {expected} events"
        message_ids = [headers["webhook-id"] for headers, _ in got]
        assert len(set(message_ids)) == expected, "a message was delivered twice"
        seen = Counter()
        for headers, body in got:
            assert headers["webhook-signature"] == standard_webhooks_signature(hook["secret"], headers, body)
            event = json.loads(body)
            data = event["data"]
            key = data["id"] if event["type"] == "record.created" else (data["record"]["id"], data["user"]["id"])
            seen[(event["type"], json.dumps(key))] += 1
        assert sum(1 for (kind, _) in seen if kind == "record.created") == len(record_ids)
        assert sum(1 for (kind, _) in seen if kind == "response.created") == len(answers)
        assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]
    finally:
        receiver.close()
        for api in owners:
            api.close()
