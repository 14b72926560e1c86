#!/usr/bin/env python3
"""Wall time of the agreement report on a large dataset (a quick measurement, not a test).

    python3 e2e/reference/report_timing.py --url http://127.0.0.1:PORT --api-key OWNER_KEY [--records 100000]

Against a running `loam serve` (release build): creates a dataset with a text field and three
questions (label a/b/c, rating 1..5, multi-label x/y/z), three annotators, and `--records` records
each with the three annotators' submitted responses (sent with the records, attributed by the
owner), then times `GET /api/v1/datasets/{id}/agreement` (three runs) and
`GET …/agreement/records?question=label`. Standard library only.
"""

import argparse
import http.client
import json
import random
import sys
import time
import urllib.parse


class Api:
    def __init__(self, url, key):
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3600)
        self.headers = {"X-Argilla-Api-Key": key, "Content-Type": "application/json"}

    def call(self, method, path, body=None, want=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.status not in want:
            sys.exit(f"{method} {path}: {resp.status} {raw[:500]!r}")
        return json.loads(raw) if raw else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args()
    api = Api(args.url, args.api_key)
    rng = random.Random(7)

    ws = api.call("POST", "/api/v1/workspaces", {"name": "timing"})["id"]
    ds = api.call("POST", "/api/v1/datasets", {"name": "timing", "workspace_id": ws})["id"]
    api.call("POST", f"/api/v1/datasets/{ds}/fields",
             {"name": "text", "title": "text", "required": True, "settings": {"type": "text"}})
    opts = lambda values: [{"value": v, "text": v} for v in values]
    questions = [
        ("label", {"type": "label_selection", "options": opts(["a", "b", "c"])}),
        ("rating", {"type": "rating", "options": [{"value": v} for v in range(1, 6)]}),
        ("topics", {"type": "multi_label_selection", "options": opts(["x", "y", "z"])}),
    ]
    for name, settings in questions:
        api.call("POST", f"/api/v1/datasets/{ds}/questions",
                 {"name": name, "title": name, "required": True, "settings": settings})
    api.call("PUT", f"/api/v1/datasets/{ds}/publish")
    users = []
    for i in range(3):
        user = api.call("POST", "/api/v1/users", {"username": f"timer{i}", "first_name": "t", "role": "annotator",
                                                  "password": "a-long-enough-password-1"})
        api.call("POST", f"/api/v1/workspaces/{ws}/users", {"user_id": user["id"]})
        users.append(user["id"])

    start = time.monotonic()
    for first in range(0, args.records, args.batch):
        items = []
        for i in range(first, min(first + args.batch, args.records)):
            lean = rng.choice("abc")
            responses = []
            for user in users:
                label = lean if rng.random() < 0.7 else rng.choice("abc")
                values = {
                    "label": {"value": label},
                    "rating": {"value": min(5, max(1, 3 + rng.randint(-1, 1) + (label == "a")))},
                    "topics": {"value": [t for t in "xyz" if rng.random() < 0.5] or ["x"]},
                }
                responses.append({"user_id": user, "status": "submitted", "values": values})
            items.append({"fields": {"text": f"record {i}"}, "responses": responses})
        api.call("POST", f"/api/v1/datasets/{ds}/records/bulk", {"items": items})
    print(f"loaded {args.records} records x 3 responses in {time.monotonic() - start:.1f} s")

    for run in range(3):
        start = time.monotonic()
        report = api.call("GET", f"/api/v1/datasets/{ds}/agreement")
        took = time.monotonic() - start
        figures = {q["name"]: [(m["variant"] or m["name"], m["value"]) for m in q["metrics"]] for q in report["questions"]}
        print(f"agreement report run {run + 1}: {took:.2f} s  ({report['records']} records) {figures if run == 0 else ''}")
    start = time.monotonic()
    page = api.call("GET", f"/api/v1/datasets/{ds}/agreement/records?question=label&limit=20")
    print(f"most disagreed records (label, 20 of {page['total']}): {time.monotonic() - start:.2f} s")


if __name__ == "__main__":
    main()
