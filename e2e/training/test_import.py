"""Importing plain files (issue 21, loam extension) read back through the v2 SDK: a JSONL, a CSV
and a Parquet file, each with a bad row, go into a dataset made with the SDK through
`POST /api/v1/datasets/{id}/import`; the report lists the bad row by its line (row for
Parquet), and `dataset.records` shows the good rows with their fields, metadata, suggestions and
vectors."""

import json

import pyarrow as pa
import pyarrow.parquet as pq


def make_dataset(client, workspace, name):
    import argilla as rg

    settings = rg.Settings(
        fields=[rg.TextField(name="text")],
        questions=[rg.LabelQuestion(name="label", labels=["pos", "neg"])],
        metadata=[rg.IntegerMetadataProperty(name="n")],
        vectors=[rg.VectorField(name="emb", dimensions=2)],
    )
    return rg.Dataset(name=name, workspace=workspace, settings=settings, client=client).create()


def upload(owner, dataset, fmt, body, mapping=None):
    params = {"format": fmt}
    if mapping is not None:
        params["mapping"] = json.dumps(mapping)
    return owner.json(
        "POST", f"/api/v1/datasets/{dataset.id}/import", params=params, content=body,
        headers={"Content-Type": "application/octet-stream"},
    )


def test_jsonl_csv_and_parquet_import_and_read_back_through_the_sdk(client, owner, team, unique, tmp_path):
    workspace, _ = team
    dataset = make_dataset(client, workspace, unique("imported"))
    mapping = {"suggestions": {"label": {"value": "label", "score": "score", "agent": "model-x"}}}

    jsonl = "\n".join(
        json.dumps(row)
        for row in [
            {"id": "j1", "text": "from jsonl", "n": 1, "label": "pos", "score": 0.75, "emb": [0.5, 0.25]},
            {"id": "j2", "text": "bad label", "label": "maybe"},
        ]
    ).encode()
    report = upload(owner, dataset, "jsonl", jsonl, mapping)
    assert (report["imported"], report["failed"]) == (1, 1), report
    assert report["errors"][0]["line"] == 2

    csv = b'id,text,n,label,score,emb\nc1,"from, csv",2,neg,0.5,"[1.0, 2.0]"\nc2,,3,,,\n'
    report = upload(owner, dataset, "csv", csv, mapping)
    assert (report["imported"], report["failed"]) == (1, 1), report
    assert report["errors"][0]["line"] == 3
    assert report["errors"][0]["reason"] == "the row has no value for any field: `text` (column `text`) missing"

    table = pa.table(
        {
            "id": ["p1", "p2"],
            "text": ["from parquet", "bad vector"],
            "n": [3, 4],
            "label": ["pos", None],
            "score": [0.25, None],
            "emb": [[0.0, 1.0], [1.0, 2.0, 3.0]],
        }
    )
    path = tmp_path / "rows.parquet"
    pq.write_table(table, path)
    report = upload(owner, dataset, "parquet", path.read_bytes(), mapping)
    assert (report["imported"], report["failed"]) == (1, 1), report
    assert report["errors"][0]["row"] == 2 and "line" not in report["errors"][0]

    rows = {r["id"]: r for r in dataset.records(with_suggestions=True, with_vectors=True).to_list(flatten=True)}
    assert sorted(rows) == ["c1", "j1", "p1"]
    assert rows["j1"]["text"] == "from jsonl" and rows["j1"]["n"] == 1
    assert rows["j1"]["label.suggestion"] == "pos"
    assert rows["j1"]["label.suggestion.score"] == 0.75
    assert rows["j1"]["label.suggestion.agent"] == "model-x"
    assert rows["j1"]["emb"] == [0.5, 0.25]
    assert rows["c1"]["text"] == "from, csv" and rows["c1"]["n"] == 2 and rows["c1"]["emb"] == [1.0, 2.0]
    assert rows["p1"]["text"] == "from parquet" and rows["p1"]["label.suggestion"] == "pos"


def test_a_mapping_naming_a_missing_column_writes_nothing(client, owner, team, unique):
    workspace, _ = team
    dataset = make_dataset(client, workspace, unique("refused"))
    reply = owner.call(
        "POST", f"/api/v1/datasets/{dataset.id}/import", 422,
        params={"format": "jsonl", "mapping": json.dumps({"fields": {"text": "body"}})},
        content=b'{"text": "x"}\n',
    )
    assert "the file has no column `body`" in reply.json()["detail"]
    assert len(list(dataset.records)) == 0
