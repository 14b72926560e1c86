"""The v2 side (argilla 2.8) of the cross-generation tests; runs in the v2 SDK venv, not in pytest's.

    python v2_client.py ACTION 'JSON ARGS'      (env: LOAM_URL, LOAM_API_KEY)

Prints one JSON document (the result) as its last line of stdout. Actions:

  create   {"name", "workspace"}: a dataset with text fields, rating / label / multi-label / ranking /
           text questions, metadata (terms, integer, float) and a vector setting; three records with
           suggestions, and the caller's submitted response on the first one. (No ranking answer:
           the v2 SDK sends ranking values without ranks, which a submitted response may not have;
           the reference server refuses them too, model.md 8.4.)
  read     {"name", "workspace"}: settings and every record (fields, metadata, suggestions,
           responses, vectors) as the v2 SDK sees them.
  annotate {"name", "workspace", "values": {question: value}}: the caller submits a response with
           those values on every record that has none of theirs yet (records.log upsert).
"""

import json
import os
import sys
import warnings

import argilla as rg

warnings.simplefilter("ignore")


def client() -> rg.Argilla:
    return rg.Argilla(api_url=os.environ["LOAM_URL"], api_key=os.environ["LOAM_API_KEY"])


def find(c: rg.Argilla, name: str, workspace: str) -> rg.Dataset:
    dataset = c.datasets(name, workspace=workspace)
    if dataset is None:
        raise SystemExit(f"dataset {name!r} not found in workspace {workspace!r}")
    return dataset


def create(name: str, workspace: str) -> dict:
    c = client()
    settings = rg.Settings(
        guidelines="Rate the answer; label its sentiment.",
        fields=[rg.TextField(name="prompt"), rg.TextField(name="answer", required=False)],
        questions=[
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
            rg.LabelQuestion(name="sentiment", labels=["positive", "negative", "neutral"]),
            rg.MultiLabelQuestion(name="topics", labels=["science", "art", "sport"], required=False),
            rg.RankingQuestion(name="preference", values=["a", "b", "c"], required=False),
            rg.TextQuestion(name="comment", required=False),
        ],
        metadata=[
            rg.TermsMetadataProperty(name="source", options=["web", "book"]),
            rg.IntegerMetadataProperty(name="length", min=0, max=1000),
            rg.FloatMetadataProperty(name="confidence"),
        ],
        vectors=[rg.VectorField(name="embedding", dimensions=3)],
        allow_extra_metadata=False,
    )
    dataset = rg.Dataset(name=name, workspace=workspace, settings=settings, client=c)
    dataset.create()
    me = c.me
    records = [
        rg.Record(
            fields={"prompt": "What is water?", "answer": "H2O"},
            metadata={"source": "web", "length": 3, "confidence": 0.9},
            vectors={"embedding": [1.0, 0.0, 0.0]},
            suggestions=[
                rg.Suggestion("sentiment", "neutral", score=0.7, agent="model-v2"),
                rg.Suggestion("quality", 4),
            ],
            responses=[
                rg.Response("quality", 5, user_id=me.id, status="submitted"),
                rg.Response("sentiment", "positive", user_id=me.id, status="submitted"),
                rg.Response("topics", ["science"], user_id=me.id, status="submitted"),
            ],
        ),
        rg.Record(
            fields={"prompt": "Paint a sunset"},
            metadata={"source": "book", "length": 14, "confidence": 0.2},
            vectors={"embedding": [0.0, 1.0, 0.0]},
            suggestions=[rg.Suggestion("topics", ["art"], score=[0.8])],
        ),
        rg.Record(
            fields={"prompt": "Who won the cup?", "answer": "Nobody knows"},
            metadata={"source": "web", "length": 12, "confidence": 0.5},
            vectors={"embedding": [0.0, 0.0, 1.0]},
        ),
    ]
    dataset.records.log(records)
    return {"id": str(dataset.id), "owner_id": str(me.id)}


def read(name: str, workspace: str) -> dict:
    c = client()
    dataset = find(c, name, workspace)
    records = []
    for record in dataset.records(with_vectors=True):
        records.append(
            {
                "id": str(record._server_id),
                "fields": dict(record.fields.to_dict()),
                "metadata": dict(record.metadata.to_dict()),
                "vectors": {k: list(v) for k, v in record.vectors.to_dict().items()},
                "suggestions": {
                    s.question_name: {"value": s.value, "score": s.score, "agent": s.agent}
                    for s in record.suggestions
                },
                "responses": [
                    {"question": r.question_name, "value": r.value, "user_id": str(r.user_id), "status": r.status}
                    for r in record.responses
                ],
                "status": record.status,
            }
        )
    return {
        "id": str(dataset.id),
        "guidelines": dataset.settings.guidelines,
        "fields": [f.name for f in dataset.settings.fields],
        "questions": {q.name: type(q).__name__ for q in dataset.settings.questions},
        "metadata": {m.name: type(m).__name__ for m in dataset.settings.metadata},
        "vectors": {v.name: v.dimensions for v in dataset.settings.vectors},
        "records": records,
    }


def annotate(name: str, workspace: str, values: dict) -> dict:
    c = client()
    me = c.me
    dataset = find(c, name, workspace)
    changed = []
    for record in dataset.records:
        if any(r.user_id == me.id for r in record.responses):
            continue
        for question, value in values.items():
            record.responses.add(rg.Response(question, value, user_id=me.id, status="submitted"))
        changed.append(record)
    dataset.records.log(changed)
    return {"annotated": len(changed), "user_id": str(me.id)}


def main() -> None:
    action, args = sys.argv[1], json.loads(sys.argv[2])
    result = {"create": create, "read": read, "annotate": annotate}[action](**args)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
