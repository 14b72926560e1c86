"""Exact distribution with leases (issue 20), end to end over HTTP, driven as loam's web UI drives it.

50 annotators work the Pending queue of a dataset of 1,000 records with min_submitted = 2, (a)
through three replicas on one PostgreSQL database (each request through a replica picked at
random) and (b) through one SQLite server. Each annotator does what ui/js/views/annotate.js does:
read a page of the Pending queue (the /me search), lease the record shown
(PUT /api/v1/me/records/{id}/lease); when it is held by as many others as it needs, ask for the
next free one (POST /api/v1/me/datasets/{id}/records/next, after it); when nothing is free, wait
and ask again; submit with the web UI's X-Loam-Lease header. Five "crashed" annotators take a
lease each before the others start and never come back; leases last LEASE_SECS seconds.

Checked afterwards:
- no record has more than 2 submitted responses, and every record has exactly 2 (read back
  through every replica);
- nobody was idle while records were free: every "nothing free" answer is checked against the log
  of grants, releases and submits (each with the client's send and receive times); it is a
  failure when some record was free for that annotator for the whole time the request was in
  flight (possibly-live leases and possibly-landed submits counted generously, so only a certain
  violation fails);
- the crashed annotators' records were taken over only after their leases expired: the second
  lease of another annotator on such a record was granted no earlier than the crashed lease's
  expiry.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from conftest import Owner, strong_secret
from replicas_common import add_records, create_annotators, make_dataset, read_records, unique

pytestmark = pytest.mark.timeout(420)

MIN = 2
N_RECORDS = 1000
N_ANNOTATORS = 50
N_CRASHED = 5
LEASE_SECS = 3
PAGE = 50
LEASED = {"X-Loam-Lease": "1"}
SKEW = 0.25  # seconds of slack on the client's clock for "certainly live / certainly over"
PENDING = {"filters": {"type": "and", "and": [
    {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["pending"]},
    {"type": "terms", "scope": {"entity": "record", "property": "status"}, "values": ["pending"]},
]}}


@dataclass
class Log:
    """Every lease-relevant answer, with the client's monotonic send and receive times."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    grants: list = field(default_factory=list)      # (ann, record, t_send, t_recv)
    releases: list = field(default_factory=list)    # (ann, t_recv): every other lease of ann ends
    submits: list = field(default_factory=list)     # (ann, record, t_send, t_recv, status)
    nothing: list = field(default_factory=list)     # (ann, t_send, t_recv, held_by_others)
    problems: list = field(default_factory=list)

    def add(self, kind: str, item):
        with self.lock:
            getattr(self, kind).append(item)


def annotate(ann, ds: str, log: Log, deadline: float):
    """One annotator's session in the web UI's Pending queue, until the server says nothing is left."""
    pick = lambda: random.choice(ann.apis)  # noqa: E731 - any replica, per request
    window: list[str] = []
    while time.monotonic() < deadline:
        if not window:
            page = pick().send("POST", f"/api/v1/me/datasets/{ds}/records/search",
                               params={"include": ["responses", "suggestions"], "offset": 0, "limit": PAGE}, json=PENDING)
            assert page.status_code == 200, page.text
            window = [item["record"]["id"] for item in page.json()["items"]]
        record = window[0] if window else None
        if record is not None:
            t0 = time.monotonic()
            reply = pick().send("PUT", f"/api/v1/me/records/{record}/lease")
            t1 = time.monotonic()
            if reply.status_code == 200:
                log.add("grants", (ann.index, record, t0, t1))
                log.add("releases", (ann.index, t1, record))
            elif reply.status_code != 409:
                log.add("problems", f"{ann.username} PUT lease {record}: {reply.status_code} {reply.text}")
                return
            else:
                record = None
        if record is None:
            body = {"after": window[0]} if window else None
            t0 = time.monotonic()
            reply = pick().send("POST", f"/api/v1/me/datasets/{ds}/records/next", json=body)
            t1 = time.monotonic()
            if reply.status_code != 200:
                log.add("problems", f"{ann.username} next: {reply.status_code} {reply.text}")
                return
            got = reply.json()
            if got["record"] is None:
                log.add("releases", (ann.index, t1, None))
                log.add("nothing", (ann.index, t0, t1, got["held_by_others"]))
                if got["held_by_others"] == 0:
                    return  # the queue is done for this annotator
                window = []
                time.sleep(0.25)
                continue
            record = got["record"]["id"]
            log.add("grants", (ann.index, record, t0, t1))
            log.add("releases", (ann.index, t1, record))
            if window:
                window[0] = record
            else:
                window = [record]
        t0 = time.monotonic()
        reply = pick().send("POST", f"/api/v1/records/{record}/responses", headers=LEASED,
                            json={"status": "submitted", "values": {"label": {"value": "a"}}})
        t1 = time.monotonic()
        if reply.status_code not in (201, 409):
            log.add("problems", f"{ann.username} submit {record}: {reply.status_code} {reply.text}")
            return
        log.add("submits", (ann.index, record, t0, t1, reply.status_code))
        window = [r for r in window if r != record]
    log.add("problems", f"{ann.username} did not finish before the deadline")


def check_never_idle(log: Log, crashed: dict[int, tuple[str, float]]):
    """Every "nothing free" answer: no record was certainly free for the whole request."""
    records_by_ann_submits = defaultdict(set)
    submits_of = defaultdict(list)  # record -> [(ann, t_send)] of acknowledged submits
    for ann, record, t0, t1, status in log.submits:
        if status == 201:
            records_by_ann_submits[ann].add(record)
            submits_of[record].append((ann, t0))
    # When each grant certainly ended: the annotator's next release point after it (a submit of
    # that record, another grant, a "nothing" answer), or its expiry.
    ends_of_ann = defaultdict(list)
    for ann, t1, keep in log.releases:
        ends_of_ann[ann].append((t1, keep))
    for ann, record, t0, t1, status in log.submits:
        if status == 201:  # a refused submit is rolled back: the lease stays
            ends_of_ann[ann].append((t1, ("submitted", record)))
    for ends in ends_of_ann.values():
        ends.sort(key=lambda it: it[0])
    leases_of = defaultdict(list)  # record -> [(ann, possibly live from, certainly over at)]
    for ann, record, t0, t1 in log.grants:
        over = t1 + LEASE_SECS + SKEW
        for at, what in ends_of_ann[ann]:
            if at <= t1:
                continue
            if what == ("submitted", record) or (not isinstance(what, tuple) and what != record):
                over = min(over, at + SKEW)
                break
        leases_of[record].append((ann, t0, over))
    for ann, (record, t0) in crashed.items():
        leases_of[record].append((ann, t0, t0 + 60))  # generous: their renewals never come
    all_records = set(leases_of) | set(submits_of)
    violations = []
    for ann, t0, t1, held in log.nothing:
        for record in all_records:
            if record in records_by_ann_submits[ann]:
                continue
            submitted = sum(1 for other, sent in submits_of[record] if sent <= t1)
            holding = sum(1 for other, start, over in leases_of[record] if other != ann and start <= t1 and over > t0)
            if submitted + holding < MIN:
                violations.append(f"annotator {ann} told nothing is free during [{t0:.3f}, {t1:.3f}] "
                                  f"while record {record} had {submitted} submits and {holding} leases")
                break
    return violations


def run_leased_flow(owners, replicas, name: str):
    owner = owners[0]
    workspace = owner.post("/api/v1/workspaces", {"name": unique("leases")})["id"]
    ds = make_dataset(owners, workspace, MIN)
    ids = []
    for start in range(0, N_RECORDS, 500):
        ids += add_records(owner, ds, [f"r{i:04d}" for i in range(start, min(start + 500, N_RECORDS))])
    people = create_annotators(owners, replicas, workspace, N_ANNOTATORS + N_CRASHED)
    crashed_people, annotators = people[:N_CRASHED], people[N_CRASHED:]
    log = Log()
    crashed: dict[int, tuple[str, float]] = {}
    for person in crashed_people:
        t0 = time.monotonic()
        got = person.apis[0].post(f"/api/v1/me/datasets/{ds}/records/next", status=200)
        assert got["record"] is not None and got["lease"]["duration_seconds"] == LEASE_SECS, got
        crashed[person.index] = (got["record"]["id"], t0)
    started = time.monotonic()
    deadline = started + 300
    with ThreadPoolExecutor(N_ANNOTATORS) as pool:
        list(pool.map(lambda a: annotate(a, ds, log, deadline), annotators))
    elapsed = time.monotonic() - started
    assert not log.problems, "\n".join(log.problems[:20])

    for api in owners:
        records = read_records(api, ds)
        assert len(records) == N_RECORDS
        counts = {rid: sum(1 for r in rec["responses"] if r["status"] == "submitted") for rid, rec in records.items()}
        over = {rid: n for rid, n in counts.items() if n > MIN}
        under = {rid: n for rid, n in counts.items() if n < MIN}
        assert not over, f"{name}: records with more than {MIN} submitted answers: {list(over.items())[:10]}"
        assert not under, f"{name}: records short of {MIN} submitted answers: {list(under.items())[:10]}"
        assert all(rec["status"] == "completed" for rec in records.values())

    violations = check_never_idle(log, crashed)
    assert not violations, f"{name}: {len(violations)} idle answers while records were free:\n" + "\n".join(violations[:10])

    # The crashed annotators' records: a second lease by someone else came only after expiry.
    for ann, (record, t0) in crashed.items():
        grants = sorted(t for other, rec, t, _ in log.grants if rec == record and other != ann)
        submits = [t for other, rec, t, _, status in log.submits if rec == record and status == 201]
        assert len(submits) == MIN, f"{name}: crashed annotator's record {record} got {len(submits)} submits"
        # While the crashed lease lived, only MIN - 1 others could hold the record at once; the
        # record got MIN submits, so its last place was granted after the crashed lease expired.
        last_grant_recv = max(t1 for other, rec, _, t1 in log.grants if rec == record and other != ann)
        assert last_grant_recv >= t0 + LEASE_SECS - SKEW, \
            f"{name}: record {record} of a crashed annotator was taken over {last_grant_recv - t0:.2f}s after its lease"
        assert grants, record
    refused = sum(1 for *_, status in log.submits if status == 409)
    print(f"{name}: {N_ANNOTATORS} annotators, {N_RECORDS} records x {MIN}: {elapsed:.1f}s, "
          f"{len(log.grants)} grants, {len(log.nothing)} 'nothing free' answers, {refused} submits refused (409)")


@pytest.fixture
def short_leases(monkeypatch):
    monkeypatch.setenv("LOAM_LEASE_SECS", str(LEASE_SECS))


def test_fifty_annotators_through_three_replicas_never_exceed_min_submitted(short_leases, scratch_database, start_replicas):
    owner = Owner.generate()
    replicas = start_replicas(scratch_database(), 3, owner, strong_secret())
    owners = [r.api(owner.api_key, timeout=60) for r in replicas]
    run_leased_flow(owners, replicas, "3 replicas on PostgreSQL")


def test_fifty_annotators_through_one_sqlite_server_never_exceed_min_submitted(short_leases, tmp_path, start_replicas):
    owner = Owner.generate()
    replicas = start_replicas(f"sqlite://{tmp_path}/leases.db", 1, owner, None)
    owners = [r.api(owner.api_key, timeout=60) for r in replicas]
    run_leased_flow(owners, replicas, "one SQLite server")


def test_the_idle_check_finds_a_record_left_free():
    """The check above can fail: a "nothing free" answer while a record was certainly free (no
    submit, the only lease released before the request) is reported; one while two leases
    certainly held it is not."""
    log = Log()
    log.add("grants", (1, "r1", 0.0, 0.1))
    log.add("releases", (1, 0.1, "r1"))
    log.add("submits", (1, "r1", 0.2, 0.3, 201))   # 1's lease ends here (t 0.3)
    log.add("nothing", (2, 5.0, 5.1, 1))           # long after: r1 has 1 submit, no lease -> free
    assert len(check_never_idle(log, {})) == 1
    held = Log()
    held.add("grants", (1, "r1", 0.0, 0.1))
    held.add("grants", (3, "r1", 0.0, 0.1))
    held.add("nothing", (2, 0.5, 0.6, 1))          # two live leases: nothing free, rightly
    assert check_never_idle(held, {}) == []
    # A crashed annotator's lease counts as held.
    crashed = Log()
    crashed.add("grants", (1, "r1", 0.0, 0.1))
    crashed.add("nothing", (2, 0.5, 0.6, 1))
    assert check_never_idle(crashed, {9: ("r1", 0.0)}) == []
    assert len(check_never_idle(crashed, {})) == 1
