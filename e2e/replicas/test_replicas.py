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

The crash test is in test_crash.py, the webhook test in test_webhooks.py, and what they share in
replicas_common.py.

Run it with `bash e2e/run.sh replicas` (needs `psql`, `initdb` / `pg_ctl` of PostgreSQL 15 and
the shared PostgreSQL server at 127.0.0.1:5432 for scratch databases; see conftest.py).
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import Owner, Replica, fire_together, psql, strong_secret, wait_until
from replicas_common import (
    MIN_SUBMITTED, N_RECORDS, N_ANNOTATORS, LABELS, unique, make_dataset, add_records,
    Annotator, create_annotators, read_records, response_key, response_body, expected_values,
    check_same_everywhere,
)


# Far below run.sh's 600 s: a stuck replica or writer fails the test instead of stalling the run.
pytestmark = pytest.mark.timeout(180)


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
