"""Preference data as a first-class flow (issue 22), end to end through the real binary: a dataset
made with the v2 SDK is switched to pairwise over the API; three simulated annotators with a known
first-shown bias answer with the order they were shown (`loam_shown`, placed by the shared FNV-1a
rule), and an LLM judge with a known position bias gives verdicts in both orders; the judge audit
recovers both biases within the stated tolerance; the v2 and legacy SDKs read the canonical values; `dpo`
rows from pairwise answers and from edits equal a hand computation and load with `datasets`."""

import json
import math
import os
import random
import subprocess
from pathlib import Path

import argilla as rg
import datasets

N = 200  # records
HUMAN_FIRST = 0.3  # an annotator picks the first-shown side with this probability, else the truth
JUDGE_FIRST = 0.4  # the judge picks the first-shown side with this probability, else the truth


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def placement(user_id: str, record_id: str, question_id: str) -> str:
    """The web UI's left/right placement (pref-contract.md): even → "ab", odd → "ba"."""
    return "ab" if fnv1a32(f"{user_id}:{record_id}:{question_id}".encode()) % 2 == 0 else "ba"


def first_side(shown: str) -> str:
    return "A" if shown == "ab" else "B"


def tolerance(p: float, n: int) -> float:
    """Three binomial standard deviations of a share p over n draws (a false failure about 3 in
    1,000 runs per figure; the seed is fixed, so a run is reproducible)."""
    return 3 * math.sqrt(p * (1 - p) / n)


def load_jsonl(reply, tmp_path, name):
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(reply.content)
    return list(datasets.load_dataset("json", data_files=str(path), split="train"))


def test_position_bias_and_judge_agreement_are_recovered_and_dpo_rows_are_the_hand_computed_ones(
    client, owner, team, unique, tmp_path, api_url, owner_key
):
    workspace, people = team
    rng = random.Random(22)
    settings = rg.Settings(
        fields=[rg.TextField(name="prompt"), rg.TextField(name="response_a"), rg.TextField(name="response_b")],
        # Argilla publishes a dataset only with a required question; the pairwise one comes later.
        questions=[rg.TextQuestion(name="note")],
    )
    dataset = rg.Dataset(name=unique("pairwise"), workspace=workspace, settings=settings, client=client).create()
    dataset.records.log(
        [{"id": f"r{i}", "prompt": f"ask {i}", "response_a": f"a{i}", "response_b": f"b{i}"} for i in range(N)]
    )
    # Switch the published dataset to pairwise over the API (no re-logging).
    pairing = owner.json(
        "POST",
        f"/api/v1/datasets/{dataset.id}/pairwise",
        201,
        json={"name": "preference", "a": "response_a", "b": "response_b", "tie": True, "both_bad": True,
              "strength": True, "required": False},
    )
    qid = pairing["question_id"]
    records = owner.json("GET", f"/api/v1/datasets/{dataset.id}/records?limit={N}")["items"]
    assert len(records) == N
    truth = {r["id"]: rng.choice("AB") for r in records}

    # Annotators answer with the order their screen would show; canonical values only.
    answers = {}  # (record, name) -> value
    human_first = 0
    for name, api in people.items():
        items = []
        for record in records:
            shown = placement(api.user_id, record["id"], qid)
            value = first_side(shown) if rng.random() < HUMAN_FIRST else truth[record["id"]]
            human_first += value == first_side(shown)
            answers[(record["id"], name)] = value
            items.append({"record_id": record["id"], "status": "submitted", "loam_shown": {"preference": shown},
                          "values": {"preference": {"value": value}, "note": {"value": "-"}}})
        for start in range(0, len(items), 100):
            reply = api.json("POST", "/api/v1/me/responses/bulk", json={"items": items[start:start + 100]})
            assert all(it["error"] is None for it in reply["items"]), reply

    # The server recorded the shown order per response.
    recorded = owner.json("GET", f"/api/v1/datasets/{dataset.id}/pairwise/answers?question=preference")["items"]
    name_of = {api.user_id: name for name, api in people.items()}
    assert len(recorded) == 3 * N
    for item in recorded:
        assert item["shown"] == placement(item["user_id"], item["record_id"], qid)
        assert item["value"] == answers[(item["record_id"], name_of[item["user_id"]])]

    # The judge, asked in both orders.
    verdicts = []
    judged = {}
    for record in records:
        for shown in ("ab", "ba"):
            value = first_side(shown) if rng.random() < JUDGE_FIRST else truth[record["id"]]
            judged[(record["id"], shown)] = value
            verdicts.append({"record_id": record["id"], "question": "preference", "agent": "judge",
                             "shown": shown, "value": value, "score": None})
    assert owner.json("POST", f"/api/v1/datasets/{dataset.id}/pairwise/judgements",
                      json={"items": verdicts}) == {"stored": 2 * N}

    audit = owner.json("GET", f"/api/v1/datasets/{dataset.id}/agreement/judges")
    (question,) = [q for q in audit["questions"] if q["question"] == "preference"]
    assert question["pairwise"] is True
    (judge,) = question["agents"]
    # Exactly what the simulated data says (the server computes the same shares)...
    majority = {
        r["id"]: max("AB", key=lambda v: sum(answers[(r["id"], n)] == v for n in people)) for r in records
    }
    agree = sum(judged[(r["id"], "ab")] == majority[r["id"]] for r in records)
    first = sum(judged[(r["id"], s)] == first_side(s) for r in records for s in ("ab", "ba"))
    flips = sum(judged[(r["id"], "ab")] != judged[(r["id"], "ba")] for r in records)
    assert judge["agreement"]["n"] == N and math.isclose(judge["agreement"]["value"], agree / N)
    assert judge["first_shown"]["n"] == 2 * N and math.isclose(judge["first_shown"]["value"], first / (2 * N))
    assert judge["flips"]["n"] == N and math.isclose(judge["flips"]["value"], flips / N)
    people_first = question["annotators_first_shown"]
    assert people_first["n"] == 3 * N and math.isclose(people_first["value"], human_first / (3 * N))
    print(f"\njudge agreement {agree / N:.3f} (n={N}), first_shown {first / (2 * N):.3f} (n={2 * N}, put in 0.7), "
          f"flips {flips / N:.3f} (n={N}, put in 0.4); annotators first_shown {human_first / (3 * N):.3f} "
          f"(n={3 * N}, put in 0.65)")
    # ...and recovers the biases put in within three binomial standard deviations:
    # judge picks first = 0.4 + 0.6 × 0.5 = 0.7; its pick flips with the order when the biased
    # draw hits the order where first ≠ truth: 0.4; annotators pick first = 0.3 + 0.7 × 0.5 = 0.65.
    for figure, expected, n in [
        (judge["first_shown"], JUDGE_FIRST + (1 - JUDGE_FIRST) / 2, 2 * N),
        (judge["flips"], JUDGE_FIRST, N),
        (people_first, HUMAN_FIRST + (1 - HUMAN_FIRST) / 2, 3 * N),
    ]:
        assert abs(figure["value"] - expected) <= tolerance(expected, n), (figure, expected)
        assert figure["low"] <= figure["value"] <= figure["high"]

    # The v2 SDK reads the canonical values (never left/right).
    # (The SDK's `record.id` is the external id.)
    external = {r["id"]: r["external_id"] for r in records}
    sdk_values = {}
    for record in dataset.records(with_responses=True):
        for response in record.responses["preference"]:
            sdk_values[(str(record.id), str(response.user_id))] = response.value
    assert len(sdk_values) == 3 * N
    for (record_id, name), value in answers.items():
        assert sdk_values[(external[record_id], people[name].user_id)] == value

    # The legacy SDK (argilla 1.29.1, its own venv) reads the same canonical values.
    legacy = os.environ.get("LOAM_LEGACY_PYTHON")
    assert legacy, "LOAM_LEGACY_PYTHON is not set; run this suite through e2e/run.sh"
    proc = subprocess.run(
        [legacy, str(Path(__file__).with_name("legacy_read.py")), dataset.name, workspace.name],
        env=dict(os.environ, LOAM_URL=api_url, LOAM_API_KEY=owner_key),
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    legacy_values = json.loads(proc.stdout.strip().splitlines()[-1])
    for (record_id, name), value in answers.items():
        assert legacy_values[external[record_id]][people[name].user_id] == value

    # dpo from the pairwise answers: the majority's side chosen, the other rejected.
    reply = owner.call("POST", f"/api/v1/datasets/{dataset.id}/exports", json={"shape": "dpo", "format": "jsonl"})
    rows = load_jsonl(reply, tmp_path, "dpo-pairwise")
    expected_rows = []
    for record in records:
        a, b = record["fields"]["response_a"], record["fields"]["response_b"]
        chosen, rejected = (a, b) if majority[record["id"]] == "A" else (b, a)
        expected_rows.append({"prompt": record["fields"]["prompt"], "chosen": chosen, "rejected": rejected})
    assert [{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows] == expected_rows


def test_edits_of_a_prefilled_answer_become_dpo_rows_with_their_size_as_margin(client, owner, team, unique, tmp_path):
    workspace, people = team
    settings = rg.Settings(
        fields=[rg.TextField(name="prompt"), rg.TextField(name="response")],
        questions=[rg.TextQuestion(name="corrected")],
    )
    dataset = rg.Dataset(name=unique("edits"), workspace=workspace, settings=settings, client=client).create()
    drafts = {"e0": "Paris is in France.", "e1": "Two plus two is five.", "e2": "Water boils at 100 C."}
    dataset.records.log(
        [{"id": key, "prompt": f"ask {key}", "response": text, "corrected": text} for key, text in drafts.items()]
    )
    edits = {"e0": "Paris.", "e1": "Two plus two is four.", "e2": drafts["e2"]}  # e2 left as suggested
    records = owner.json("GET", f"/api/v1/datasets/{dataset.id}/records?limit=10")["items"]
    ids = {r["external_id"]: r["id"] for r in records}
    for key, text in edits.items():
        body = {"status": "submitted", "values": {"corrected": {"value": text}}}
        people["ann"].json("POST", f"/api/v1/records/{ids[key]}/responses", 201, json=body)

    mapping = {"prompt": "prompt", "edits": {"question": "corrected", "original": {"suggestion": True}}}
    reply = owner.call("POST", f"/api/v1/datasets/{dataset.id}/exports",
                       json={"shape": "rm", "format": "jsonl", "mapping": mapping})
    rows = load_jsonl(reply, tmp_path, "rm-edits")
    # Levenshtein by hand: "Paris is in France." → "Paris." deletes 13 characters;
    # "five" → "four" substitutes 3 ("i"→"o", "v"→"u", "e"→"r").
    assert [{k: r[k] for k in ("prompt", "chosen", "rejected", "margin")} for r in rows] == [
        {"prompt": "ask e0", "chosen": "Paris.", "rejected": drafts["e0"], "margin": 13},
        {"prompt": "ask e1", "chosen": "Two plus two is four.", "rejected": drafts["e1"], "margin": 3},
    ]
    # The same from the field the suggestion was made from, as dpo.
    mapping = {"prompt": "prompt", "edits": {"question": "corrected", "original": {"field": "response"}}}
    reply = owner.call("POST", f"/api/v1/datasets/{dataset.id}/exports",
                       json={"shape": "dpo", "format": "jsonl", "mapping": mapping})
    rows = load_jsonl(reply, tmp_path, "dpo-edits")
    assert [(r["chosen"], r["rejected"]) for r in rows] == [("Paris.", drafts["e0"]), ("Two plus two is four.", drafts["e1"])]
    # sft keeps the edited completions only.
    mapping = {"prompt": "prompt", "completion": {"question": "corrected"}, "only_edited": True}
    reply = owner.call("POST", f"/api/v1/datasets/{dataset.id}/exports",
                       json={"shape": "sft", "format": "jsonl", "mapping": mapping})
    rows = load_jsonl(reply, tmp_path, "sft-edits")
    assert [r["completion"] for r in rows] == ["Paris.", "Two plus two is four."]
