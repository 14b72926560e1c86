"""Several loam replicas on one PostgreSQL database, end to end over HTTP (see test_replicas.py).

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
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Owner, psql, strong_secret, wait_until
from replicas_common import unique, make_dataset, add_records, create_annotators, response_body


# Far below run.sh's 600 s: a stuck replica or writer fails the test instead of stalling the run.
pytestmark = pytest.mark.timeout(180)


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
