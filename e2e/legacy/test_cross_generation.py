"""A dataset created by one SDK generation is read and annotated through the other.

The v2 side (argilla 2.8) runs in its own venv through v2_client.py (the `v2` fixture)."""

import argilla as rg
import pytest


def test_legacy_dataset_read_and_annotated_by_v2(unique, v2, owner_api):
    workspace = rg.Workspace.create(unique("cross-a"))
    local = rg.FeedbackDataset(
        guidelines="Legacy-made guidelines.",
        fields=[rg.TextField(name="prompt"), rg.TextField(name="answer", required=False)],
        questions=[
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
            rg.LabelQuestion(name="sentiment", labels=["positive", "negative", "neutral"]),
            rg.MultiLabelQuestion(name="topics", labels=["science", "art", "sport"], required=False),
            rg.RankingQuestion(name="preference", values=["a", "b", "c"], required=False),
            rg.TextQuestion(name="comment", required=False),
        ],
        metadata_properties=[
            rg.TermsMetadataProperty(name="source", values=["web", "book"]),
            rg.IntegerMetadataProperty(name="length", min=0, max=1000),
            rg.FloatMetadataProperty(name="confidence"),
        ],
        vectors_settings=[rg.VectorSettings(name="embedding", dimensions=3)],
    )
    local.add_records(
        [
            rg.FeedbackRecord(
                fields={"prompt": "What is water?", "answer": "H2O"},
                metadata={"source": "web", "length": 3, "confidence": 0.9},
                vectors={"embedding": [1.0, 0.0, 0.0]},
                suggestions=[
                    {"question_name": "sentiment", "value": "neutral", "score": 0.7, "agent": "legacy-model"},
                    {"question_name": "topics", "value": ["science"]},
                ],
            ),
            rg.FeedbackRecord(
                fields={"prompt": "Paint a sunset"},
                metadata={"source": "book", "length": 14, "confidence": 0.2},
                vectors={"embedding": [0.0, 1.0, 0.0]},
            ),
        ]
    )
    name = unique("legacy-made")
    remote = local.push_to_argilla(name=name, workspace=workspace.name, show_progress=False)
    try:
        seen = v2("read", name=name, workspace=workspace.name)
        assert seen["id"] == str(remote.id)
        assert seen["guidelines"] == "Legacy-made guidelines."
        assert seen["fields"] == ["prompt", "answer"]
        assert seen["questions"] == {
            "quality": "RatingQuestion",
            "sentiment": "LabelQuestion",
            "topics": "MultiLabelQuestion",
            "preference": "RankingQuestion",
            "comment": "TextQuestion",
        }
        assert seen["metadata"] == {
            "source": "TermsMetadataProperty",
            "length": "IntegerMetadataProperty",
            "confidence": "FloatMetadataProperty",
        }
        assert seen["vectors"] == {"embedding": 3}
        first, second = seen["records"]
        assert first["fields"] == {"prompt": "What is water?", "answer": "H2O"}
        assert first["metadata"] == {"source": "web", "length": 3, "confidence": 0.9}
        assert first["vectors"] == {"embedding": [1.0, 0.0, 0.0]}
        assert first["suggestions"]["sentiment"] == {"value": "neutral", "score": 0.7, "agent": "legacy-model"}
        assert first["suggestions"]["topics"]["value"] == ["science"]
        assert second["fields"] == {"prompt": "Paint a sunset"}
        assert second["suggestions"] == {} and second["responses"] == []

        # v2 annotates every record as the owner.
        done = v2(
            "annotate",
            name=name,
            workspace=workspace.name,
            # No ranking answer: v2 sends ranking values without ranks, which a submitted response
            # may not have (the reference server refuses them too, model.md 8.4).
            values={"quality": 4, "sentiment": "positive", "topics": ["art"], "comment": "from v2"},
        )
        assert done["annotated"] == 2

        # The legacy SDK reads those responses back.
        loaded = rg.FeedbackDataset.from_argilla(name=name, workspace=workspace.name)
        for record in loaded.records:
            assert len(record.responses) == 1
            response = record.responses[0]
            assert str(response.user_id) == done["user_id"]
            assert response.status.value == "submitted"
            assert response.values["quality"].value == 4
            assert response.values["sentiment"].value == "positive"
            assert response.values["topics"].value == ["art"]
            assert response.values["comment"].value == "from v2"
            assert "preference" not in response.values
        assert len(loaded.filter_by(response_status="submitted")) == 2
        progress = owner_api.get(f"/api/v1/datasets/{remote.id}/progress")
        assert progress["completed"] == 2
    finally:
        remote.delete()
        workspace.delete()


def test_v2_dataset_read_and_annotated_by_legacy(unique, v2):
    workspace = rg.Workspace.create(unique("cross-b"))
    name = unique("v2-made")
    made = v2("create", name=name, workspace=workspace.name)
    try:
        loaded = rg.FeedbackDataset.from_argilla(name=name, workspace=workspace.name, with_vectors="all")
        assert str(loaded.id) == made["id"]
        assert loaded.guidelines == "Rate the answer; label its sentiment."
        assert [f.name for f in loaded.fields] == ["prompt", "answer"]
        assert not loaded.field_by_name("answer").required
        questions = {q.name: type(q).__name__ for q in loaded.questions}
        assert questions == {
            "quality": "RemoteRatingQuestion",
            "sentiment": "RemoteLabelQuestion",
            "topics": "RemoteMultiLabelQuestion",
            "preference": "RemoteRankingQuestion",
            "comment": "RemoteTextQuestion",
        }
        assert {m.name for m in loaded.metadata_properties} == {"source", "length", "confidence"}
        assert [v.name for v in loaded.vectors_settings] == ["embedding"]

        records = list(loaded.records)
        assert len(records) == 3
        first, second, third = records
        assert first.fields == {"prompt": "What is water?", "answer": "H2O"}
        assert first.metadata == {"source": "web", "length": 3, "confidence": 0.9}
        assert first.vectors == {"embedding": [1.0, 0.0, 0.0]}
        suggestions = {s.question_name: s for s in first.suggestions}
        assert suggestions["sentiment"].value == "neutral"
        assert suggestions["sentiment"].score == pytest.approx(0.7)
        assert suggestions["sentiment"].agent == "model-v2"
        assert suggestions["quality"].value == 4
        assert [s.value for s in second.suggestions] == [["art"]]
        # The v2 owner's response, seen by the legacy SDK.
        (response,) = first.responses
        assert str(response.user_id) == made["owner_id"]
        assert response.status.value == "submitted"
        assert response.values["quality"].value == 5
        assert response.values["sentiment"].value == "positive"
        assert response.values["topics"].value == ["science"]
        assert "preference" not in response.values
        assert second.responses == [] and third.responses == []

        # The legacy SDK annotates: model suggestions on the records that have none, new metadata,
        # and a new record carrying an annotator's submitted response.
        second.update(suggestions=[{"question_name": "sentiment", "value": "positive", "agent": "legacy-model"}])
        third.metadata["length"] = 99
        third.suggestions = [{"question_name": "quality", "value": 2, "agent": "legacy-model"}]
        loaded.update_records(third, show_progress=False)
        annotator = rg.User.create(unique("legacy-ann"), "annotator-pass-1", workspaces=[workspace.name])
        try:
            loaded.add_records(
                rg.FeedbackRecord(
                    fields={"prompt": "Added by legacy"},
                    metadata={"source": "book", "length": 1, "confidence": 1.0},
                    vectors={"embedding": [0.5, 0.5, 0.0]},
                    responses=[
                        {
                            "user_id": annotator.id,
                            "status": "submitted",
                            "values": {
                                "quality": {"value": 3},
                                "sentiment": {"value": "negative"},
                                "preference": {
                                    "value": [
                                        {"value": "a", "rank": 1},
                                        {"value": "c", "rank": 2},
                                        {"value": "b", "rank": 2},
                                    ]
                                },
                            },
                        }
                    ],
                ),
                show_progress=False,
            )

            # v2 sees all of it.
            seen = v2("read", name=name, workspace=workspace.name)
            assert len(seen["records"]) == 4
            r1, r2, r3, r4 = seen["records"]
            assert r2["suggestions"]["sentiment"]["value"] == "positive"
            assert r2["suggestions"]["sentiment"]["agent"] == "legacy-model"
            assert r3["metadata"]["length"] == 99
            assert r3["suggestions"]["quality"]["value"] == 2
            assert r4["fields"] == {"prompt": "Added by legacy"}
            answers = {r["question"]: r for r in r4["responses"]}
            assert {r["user_id"] for r in r4["responses"]} == {str(annotator.id)}
            assert answers["quality"]["value"] == 3
            assert answers["sentiment"]["value"] == "negative"
            assert answers["preference"]["value"] == ["a", "c", "b"]
            assert r4["status"] == "completed"
            # And the legacy similarity search finds the v2 vectors.
            hits = loaded.find_similar_records("embedding", value=[1.0, 0.0, 0.0], max_results=1)
            assert hits[0][0].fields["prompt"] == "What is water?"
        finally:
            annotator.delete()
    finally:
        rg.FeedbackDataset.from_argilla(name=name, workspace=workspace.name).delete()
        workspace.delete()
