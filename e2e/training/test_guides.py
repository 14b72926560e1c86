"""The Feedback guides' flows, end to end: three annotators answer in loam, the server unifies
their answers with the strategies the guides describe and exports training data that the
`datasets` library loads; every figure and row is compared with a hand computation."""

import io
import json
import tarfile

import argilla as rg
import datasets
import pytest

from conftest import submit

# Ratings of the three annotators per record (None: that annotator did not answer), and the
# finals each strategy must give, computed by hand.
RATINGS = [
    {"ann": 4, "bob": 4, "cat": 2},  # majority 4, mean 10/3, median 4, min 2, max 4
    {"ann": 5, "bob": 3, "cat": 3},  # majority 3, mean 11/3, median 3, min 3, max 5
    {"ann": 1, "bob": 2, "cat": 3},  # majority: a three-way tie (lowest: 1), mean 2, min 1, max 3
    {"ann": 3, "bob": 5, "cat": None},  # two answers: below min_submitted = 3
]
FINALS = {
    "majority": [4, 3, 1, 5],  # the last: a tie of 3 and 5, lowest → 3 (checked below separately)
    "min": [2, 3, 1, 3],
    "max": [4, 5, 3, 5],
}
MEANS = [10 / 3, 11 / 3, 2.0, 4.0]


def rating_dataset(client, workspace, name):
    settings = rg.Settings(
        guidelines="Rate the response, then correct it.",
        fields=[rg.TextField(name="prompt"), rg.TextField(name="response")],
        questions=[
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
            rg.TextQuestion(name="corrected", required=False),
        ],
        distribution=rg.TaskDistribution(min_submitted=3),
    )
    dataset = rg.Dataset(name=name, workspace=workspace, settings=settings, client=client).create()
    dataset.records.log(
        [{"prompt": f"prompt {i}", "response": f"response {i}", "id": f"r{i}"} for i in range(len(RATINGS))]
    )
    return dataset


def record_ids(owner, dataset_id):
    items = owner.json("GET", f"/api/v1/datasets/{dataset_id}/records?limit=100")["items"]
    return {item["external_id"]: item["id"] for item in items}


def export(owner, dataset_id, body, expect=200):
    """POSTs an export; the reply (its body is the file)."""
    return owner.call("POST", f"/api/v1/datasets/{dataset_id}/exports", expect, json=body)


def finals(owner, dataset_id, question):
    page = owner.json("GET", f"/api/v1/datasets/{dataset_id}/consolidation/records?limit=100")
    return {item["external_id"]: item["finals"][question] for item in page["items"]}


def set_strategy(owner, dataset_id, question, strategy):
    owner.json("PUT", f"/api/v1/datasets/{dataset_id}/consolidation", json={"questions": {question: strategy}})


def load_rows(reply, fmt, tmp_path):
    """The exported file loaded with `datasets`, as a list of dicts."""
    if fmt == "hf":
        folder = tmp_path / "hf"
        with tarfile.open(fileobj=io.BytesIO(reply.content)) as archive:
            archive.extractall(folder, filter="data")
        card = next(folder.rglob("README.md")).read_text()
        assert card.startswith("---\n") and "dataset_info:" in card and "features:" in card
        data_dir = next(folder.rglob("data")).parent
        return list(datasets.load_dataset(str(data_dir), split="train"))
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(reply.content)
    builder = {"jsonl": "json", "parquet": "parquet", "csv": "csv"}[fmt]
    return list(datasets.load_dataset(builder, data_files=str(path), split="train"))


def test_three_annotators_rate_and_correct_and_the_finals_and_sft_rows_are_the_hand_computed_ones(
    client, owner, team, unique, tmp_path
):
    workspace, people = team
    dataset = rating_dataset(client, workspace, unique("rate-correct"))
    ids = record_ids(owner, dataset.id)
    # Annotators answer in the order ann, bob, cat, so "first" among equals is ann's.
    for name in ("ann", "bob", "cat"):
        for i, ratings in enumerate(RATINGS):
            if ratings[name] is not None:
                submit(people[name], ids[f"r{i}"], {"quality": ratings[name], "corrected": f"{name} fixes {i}"})

    set_strategy(owner, dataset.id, "quality", {"kind": "majority", "tie_break": "lowest"})
    got = finals(owner, dataset.id, "quality")
    # r3: ann 3 and bob 5 tie; lowest → 3.
    assert [got[f"r{i}"]["value"] for i in range(4)] == [4, 3, 1, 3]
    for kind in ("min", "max"):
        set_strategy(owner, dataset.id, "quality", {"kind": kind})
        got = finals(owner, dataset.id, "quality")
        assert [got[f"r{i}"]["value"] for i in range(4)] == FINALS[kind], kind
    set_strategy(owner, dataset.id, "quality", {"kind": "mean", "rounding": "none"})
    got = finals(owner, dataset.id, "quality")
    for i, mean in enumerate(MEANS):
        assert got[f"r{i}"]["status"] == "score"
        assert got[f"r{i}"]["value"] == pytest.approx(mean, abs=1e-12)

    # The corrected text of the annotator who rated highest (the earliest among equals).
    set_strategy(owner, dataset.id, "corrected", {"kind": "by_rating", "question": "quality", "pick": "highest", "tie_break": "first"})
    chosen = {"r0": "ann fixes 0", "r1": "ann fixes 1", "r2": "cat fixes 2", "r3": "bob fixes 3"}
    got = finals(owner, dataset.id, "corrected")
    assert {key: value["value"] for key, value in got.items()} == chosen

    # SFT: prompt → corrected completion, kept when the mean quality is at least 3; r3 has two
    # answers of the three min_submitted asks for: left out, or flagged.
    mapping = {
        "prompt": "prompt",
        "completion": {"question": "corrected", "field": "response"},
        "filter": {"question": "quality", "min": 3},
    }
    expected = [
        {"prompt": "prompt 0", "completion": chosen["r0"]},
        {"prompt": "prompt 1", "completion": chosen["r1"]},
    ]
    for fmt in ("jsonl", "parquet", "csv", "hf"):
        reply = export(owner, dataset.id, {"shape": "sft", "format": fmt, "mapping": mapping})
        rows = load_rows(reply, fmt, tmp_path / fmt)
        assert [{"prompt": r["prompt"], "completion": r["completion"]} for r in rows] == expected, fmt
        assert [r["loam_external_id"] for r in rows] == ["r0", "r1"], fmt
        assert all(r["loam_record_id"] == ids[r["loam_external_id"]] for r in rows), fmt
        assert len({r["loam_build_id"] for r in rows}) == 1, fmt

    flagged = export(owner, dataset.id, {"shape": "sft", "format": "jsonl", "mapping": mapping, "below_min_submitted": "flag"})
    rows = [json.loads(line) for line in flagged.text.splitlines()]
    assert [r["loam_external_id"] for r in rows] == ["r0", "r1", "r3"]
    assert rows[2]["completion"] == chosen["r3"]
    assert [bool(r.get("loam_flag")) for r in rows] == [False, False, True]

    # The same data and options give the same bytes.
    again = export(owner, dataset.id, {"shape": "sft", "format": "parquet", "mapping": mapping})
    assert again.content == export(owner, dataset.id, {"shape": "sft", "format": "parquet", "mapping": mapping}).content


PAIRS = {
    # record: each annotator's ranking of (response-1, response-2); None: no answer
    "c0": {"ann": (1, 2), "bob": (1, 2), "cat": (2, 1)},  # mean ranks 4/3 and 5/3: response-1 wins
    "c1": {"ann": (2, 1), "bob": (2, 1), "cat": (2, 1)},  # response-2 wins
    "c2": {"ann": (1, 2), "bob": (2, 1), "cat": None},  # a tie: no pair
}


def test_ranking_two_responses_gives_dpo_and_rm_rows(client, owner, team, unique, tmp_path):
    workspace, people = team
    settings = rg.Settings(
        fields=[rg.TextField(name="prompt"), rg.TextField(name="response-1"), rg.TextField(name="response-2")],
        questions=[rg.RankingQuestion(name="preference", values=["response-1", "response-2"])],
    )
    dataset = rg.Dataset(name=unique("compare"), workspace=workspace, settings=settings, client=client).create()
    dataset.records.log(
        [{"id": key, "prompt": f"ask {key}", "response-1": f"first {key}", "response-2": f"second {key}"} for key in PAIRS]
    )
    ids = record_ids(owner, dataset.id)
    for key, answers in PAIRS.items():
        for name, ranks in answers.items():
            if ranks is not None:
                ranking = [{"value": "response-1", "rank": ranks[0]}, {"value": "response-2", "rank": ranks[1]}]
                submit(people[name], ids[key], {"preference": ranking})

    # The options name the response fields: the mapping is inferred.
    inferred = owner.json("GET", f"/api/v1/datasets/{dataset.id}/exports/mapping?shape=dpo")
    assert inferred["prompt"] == "prompt" and inferred["ranking"]["question"] == "preference"

    expected = [
        {"prompt": "ask c0", "chosen": "first c0", "rejected": "second c0"},
        {"prompt": "ask c1", "chosen": "second c1", "rejected": "first c1"},
    ]
    for fmt in ("jsonl", "parquet", "hf"):
        rows = load_rows(export(owner, dataset.id, {"shape": "dpo", "format": fmt}), fmt, tmp_path / f"dpo-{fmt}")
        assert [{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows] == expected, fmt

    rows = load_rows(export(owner, dataset.id, {"shape": "rm", "format": "parquet"}), "parquet", tmp_path / "rm")
    assert [{k: r[k] for k in ("prompt", "chosen", "rejected", "margin")} for r in rows] == [
        {**row, "margin": 1} for row in expected
    ]

    # TRL's conversational layout: turns instead of strings.
    conversational = export(
        owner, dataset.id, {"shape": "dpo", "format": "parquet", "mapping": {"layout": "conversational"}}
    )
    rows = load_rows(conversational, "parquet", tmp_path / "dpo-conv")
    assert rows[0]["prompt"] == [{"role": "user", "content": "ask c0"}]
    assert rows[0]["chosen"] == [{"role": "assistant", "content": "first c0"}]
    assert rows[1]["rejected"] == [{"role": "assistant", "content": "first c1"}]


def test_bad_export_requests_are_refused_with_their_reason_and_annotators_get_403(client, owner, team, unique):
    workspace, people = team
    dataset = rating_dataset(client, workspace, unique("refusals"))
    reply = export(owner, dataset.id, {"shape": "dpo", "format": "jsonl"}, expect=422)
    assert "detail" in reply.json()
    reply = export(owner, dataset.id, {"shape": "sft", "format": "jsonl", "mapping": {"prompt": "nope"}}, expect=422)
    assert "nope" in json.dumps(reply.json())
    export(owner, dataset.id, {"shape": "shapeless", "format": "jsonl"}, expect=422)
    export(owner, dataset.id, {"shape": "records", "format": "xlsx"}, expect=422)
    people["ann"].call("POST", f"/api/v1/datasets/{dataset.id}/exports", 403, json={"shape": "records", "format": "jsonl"})


def test_the_records_export_has_the_columns_and_values_of_the_sdks_to_datasets(client, owner, team, unique, tmp_path):
    workspace, people = team
    settings = rg.Settings(
        fields=[rg.TextField(name="prompt"), rg.TextField(name="response")],
        questions=[
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
            rg.LabelQuestion(name="topic", labels=["math", "code"]),
            rg.TextQuestion(name="note", required=False),
        ],
        metadata=[rg.TermsMetadataProperty(name="source"), rg.IntegerMetadataProperty(name="length")],
    )
    dataset = rg.Dataset(name=unique("records"), workspace=workspace, settings=settings, client=client).create()
    dataset.records.log(
        [
            rg.Record(
                id=f"x{i}",
                fields={"prompt": f"prompt {i}", "response": f"response {i}"},
                metadata={"source": "web" if i % 2 else "books", "length": 10 * i},
                suggestions=[rg.Suggestion("topic", "math" if i % 2 else "code", score=0.25, agent="judge")],
            )
            for i in range(5)
        ]
    )
    ids = record_ids(owner, dataset.id)
    for i in range(4):
        submit(people["ann"], ids[f"x{i}"], {"quality": 1 + i, "topic": "math", "note": f"ann {i}"})
    for i in range(2):
        submit(people["bob"], ids[f"x{i}"], {"quality": 5, "topic": "code"})

    sdk = client.datasets(name=dataset.name, workspace=workspace.name).records.to_datasets()
    ours = load_rows(export(owner, dataset.id, {"shape": "records", "format": "parquet"}), "parquet", tmp_path)
    assert len(ours) == len(sdk) == 5
    by_id = {row["id"]: row for row in ours}
    for theirs in sdk:
        row = by_id[theirs["id"]]
        for column, value in theirs.items():
            assert column in row, f"column {column} missing from loam's records export"
            feature = sdk.features[column]
            if isinstance(feature, datasets.ClassLabel) and value is not None:
                # The SDK casts label suggestions to a ClassLabel (an index); loam keeps the label.
                value = feature.int2str(value)
            assert row[column] == value, f"{theirs['id']} {column}: loam {row[column]!r}, SDK {value!r}"
