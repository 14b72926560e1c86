"""Every setting the legacy SDK can give a FeedbackDataset survives push and load: span questions,
label dicts, visible labels and label order, rating ranges from 0, markdown text fields and
questions, extra metadata, metadata hidden from annotators, terms without fixed values, titled
vector settings; responses made by the SDK itself on push (with and without a user id) and the
v2 SDK reading all of it."""

import argilla as rg
import pytest

TEXT = "Ada Lovelace met Charles Babbage in London."
TAGS = [f"tag-{i:02d}" for i in range(25)]


def make_dataset(allow_extra_metadata=True) -> rg.FeedbackDataset:
    return rg.FeedbackDataset(
        guidelines="# Markdown guidelines\nMark the **entities**.",
        allow_extra_metadata=allow_extra_metadata,
        fields=[
            rg.TextField(name="text", title="The text", use_markdown=True),
            rg.TextField(name="notes", required=False),
        ],
        questions=[
            rg.RatingQuestion(name="score", title="Score 0-10", values=[0, 2, 4, 6, 8, 10], description="From 0"),
            rg.TextQuestion(name="summary", use_markdown=True, required=False),
            rg.LabelQuestion(name="kind", labels={"bio": "Biography", "hist": "History"}, visible_labels=None),
            rg.MultiLabelQuestion(
                name="tags", labels=TAGS, visible_labels=4, labels_order="suggestion", required=False
            ),
            rg.RankingQuestion(name="order", values={"x": "Ex", "y": "Why", "z": "Zed"}, required=False),
            rg.SpanQuestion(
                name="entities",
                field="text",
                labels={"PER": "Person", "LOC": "Location", "ORG": "Organisation"},
                allow_overlapping=True,
                required=False,
            ),
        ],
        metadata_properties=[
            rg.TermsMetadataProperty(name="source", visible_for_annotators=False),
            rg.IntegerMetadataProperty(name="pages", title="Pages", min=0),
            rg.FloatMetadataProperty(name="weight", max=10.0, visible_for_annotators=False),
        ],
        vectors_settings=[rg.VectorSettings(name="small", title="Small vectors", dimensions=2)],
    )


SPANS = [{"label": "PER", "start": 0, "end": 12}, {"label": "PER", "start": 17, "end": 32}, {"label": "LOC", "start": 36, "end": 42}]


def test_every_question_kind_round_trips(unique, v2, owner_api):
    workspace = rg.Workspace.create(unique("kinds"))
    me = rg.User.me()
    local = make_dataset()
    local.add_records(
        [
            rg.FeedbackRecord(
                fields={"text": TEXT, "notes": "first"},
                metadata={"source": "wiki", "pages": 3, "weight": 1.5, "free": "extra", "nested": {"a": [1, 2]}},
                vectors={"small": [0.25, 0.75]},
                external_id="k-0",
                suggestions=[
                    {"question_name": "entities", "value": [dict(s, score=0.9) for s in SPANS], "agent": "ner-v1"},
                    {"question_name": "tags", "value": ["tag-03", "tag-17"], "score": [0.4, 0.6]},
                    {"question_name": "score", "value": 0},
                    {"question_name": "kind", "value": "bio", "type": "human"},
                ],
                responses=[
                    {
                        "user_id": me.id,
                        "status": "submitted",
                        "values": {
                            "score": {"value": 10},
                            "kind": {"value": "hist"},
                            "tags": {"value": ["tag-24"]},
                            "order": {"value": [{"value": "z", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 3}]},
                            "entities": {"value": SPANS[:2]},
                            "summary": {"value": "Two *people* and a city."},
                        },
                    }
                ],
            ),
            # No user id: the SDK answers as the current user (it asks GET /api/me).
            rg.FeedbackRecord(
                fields={"text": "Plain text."},
                external_id="k-1",
                responses=[{"status": "draft", "values": {"score": {"value": 4}}}],
            ),
        ]
    )
    name = unique("kinds")
    remote = local.push_to_argilla(name=name, workspace=workspace.name, show_progress=False)
    try:
        loaded = rg.FeedbackDataset.from_argilla(name=name, workspace=workspace.name, with_vectors="all")
        assert loaded.guidelines == "# Markdown guidelines\nMark the **entities**."
        assert loaded.allow_extra_metadata is True
        text = loaded.field_by_name("text")
        assert text.use_markdown and text.title == "The text" and text.required
        assert not loaded.field_by_name("notes").use_markdown

        q = {question.name: question for question in loaded.questions}
        assert q["score"].values == [0, 2, 4, 6, 8, 10] and q["score"].description == "From 0"
        assert q["summary"].use_markdown and not q["summary"].required
        assert q["kind"].labels == {"bio": "Biography", "hist": "History"}
        assert q["kind"].visible_labels is None
        assert q["tags"].labels == TAGS and q["tags"].visible_labels == 4
        assert q["tags"].labels_order.value == "suggestion"
        assert q["order"].values == {"x": "Ex", "y": "Why", "z": "Zed"}
        entities = q["entities"]
        assert type(entities).__name__ == "RemoteSpanQuestion"
        assert entities.field == "text" and entities.allow_overlapping is True
        assert [(o.value, o.text) for o in entities.labels] == [
            ("PER", "Person"),
            ("LOC", "Location"),
            ("ORG", "Organisation"),
        ]

        m = {prop.name: prop for prop in loaded.metadata_properties}
        assert m["source"].values is None and m["source"].visible_for_annotators is False
        assert (m["pages"].min, m["pages"].max, m["pages"].title) == (0, None, "Pages")
        assert m["pages"].visible_for_annotators is True
        assert (m["weight"].min, m["weight"].max) == (None, 10.0)
        assert m["weight"].visible_for_annotators is False
        (small,) = loaded.vectors_settings
        # (push_to_argilla sends the vector settings' name as its title: the SDK's own choice.)
        assert (small.name, small.title, small.dimensions) == ("small", "small", 2)

        first, second = loaded.records
        assert first.metadata == {"source": "wiki", "pages": 3, "weight": 1.5, "free": "extra", "nested": {"a": [1, 2]}}
        assert first.vectors == {"small": [0.25, 0.75]}
        suggestions = {s.question_name: s for s in first.suggestions}
        spans = suggestions["entities"].value
        # Per-span scores (the legacy SpanValueSchema's `score`) are kept, never dropped.
        assert [(s.label, s.start, s.end, s.score) for s in spans] == [
            (s["label"], s["start"], s["end"], 0.9) for s in SPANS
        ]
        assert suggestions["entities"].agent == "ner-v1"
        assert suggestions["tags"].value == ["tag-03", "tag-17"] and suggestions["tags"].score == [0.4, 0.6]
        assert suggestions["score"].value == 0
        assert suggestions["kind"].type == "human"

        (response,) = first.responses
        assert response.user_id == me.id and response.status.value == "submitted"
        values = response.values
        assert values["score"].value == 10 and values["kind"].value == "hist"
        assert values["tags"].value == ["tag-24"]
        assert [(v.value, v.rank) for v in values["order"].value] == [("z", 1), ("x", 2), ("y", 3)]
        assert [(s.label, s.start, s.end) for s in values["entities"].value] == [
            (s["label"], s["start"], s["end"]) for s in SPANS[:2]
        ]
        assert values["summary"].value == "Two *people* and a city."

        (draft,) = second.responses
        assert draft.user_id == me.id and draft.status.value == "draft"
        assert draft.values["score"].value == 4
        assert second.metadata == {} and second.vectors == {}

        # The server's view: one completed record, the other pending with a draft.
        record = owner_api.get(f"/api/v1/records/{first.id}")
        assert record["status"] == "completed"
        assert record["metadata"]["nested"] == {"a": [1, 2]}

        # The v2 SDK reads the same dataset.
        seen = v2("read", name=name, workspace=workspace.name)
        assert seen["questions"] == {
            "score": "RatingQuestion",
            "summary": "TextQuestion",
            "kind": "LabelQuestion",
            "tags": "MultiLabelQuestion",
            "order": "RankingQuestion",
            "entities": "SpanQuestion",
        }
        assert seen["vectors"] == {"small": 2}
        r0 = seen["records"][0]
        assert r0["metadata"]["free"] == "extra"
        assert [(s["label"], s["start"], s["end"]) for s in r0["suggestions"]["entities"]["value"]] == [
            (s["label"], s["start"], s["end"]) for s in SPANS
        ]
        answers = {r["question"]: r["value"] for r in r0["responses"]}
        assert answers["score"] == 10 and answers["order"] == ["z", "x", "y"]
        assert [(s["label"], s["start"], s["end"]) for s in answers["entities"]] == [
            (s["label"], s["start"], s["end"]) for s in SPANS[:2]
        ]

        # An admin of the workspace answers through the v2 SDK, spans included; the legacy SDK
        # reads those answers back.
        admin = rg.User.create(unique("kinds-admin"), "admin-pass-123", role="admin", workspaces=[workspace.name])
        try:
            done = v2(
                "annotate",
                api_key=admin.api_key,
                name=name,
                workspace=workspace.name,
                values={"score": 6, "kind": "bio", "entities": [{"label": "PER", "start": 0, "end": 5}]},
            )
            assert done["annotated"] == 2 and done["user_id"] == str(admin.id)
            again = rg.FeedbackDataset.from_argilla(name=name, workspace=workspace.name)
            for record in again.records:
                (theirs,) = [r for r in record.responses if r.user_id == admin.id]
                assert theirs.status.value == "submitted"
                assert theirs.values["score"].value == 6 and theirs.values["kind"].value == "bio"
                assert [(s.label, s.start, s.end) for s in theirs.values["entities"].value] == [("PER", 0, 5)]
        finally:
            admin.delete()
    finally:
        remote.delete()
        workspace.delete()


def test_extra_metadata_refused_when_not_allowed(unique):
    workspace = rg.Workspace.create(unique("strict"))
    local = make_dataset(allow_extra_metadata=False)
    remote = local.push_to_argilla(name=unique("strict"), workspace=workspace.name, show_progress=False)
    try:
        loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
        assert loaded.allow_extra_metadata is False
        loaded.add_records(rg.FeedbackRecord(fields={"text": "ok"}, metadata={"pages": 2}), show_progress=False)
        # The SDK refuses unknown metadata locally; the server refuses it too when sent raw.
        with pytest.raises(ValueError):
            loaded.add_records(rg.FeedbackRecord(fields={"text": "no"}, metadata={"unknown": 1}), show_progress=False)
        assert len(loaded) == 1
    finally:
        remote.delete()
        workspace.delete()


def test_span_answers_are_checked_against_the_text(unique, owner_api):
    workspace = rg.Workspace.create(unique("spans"))
    remote = make_dataset().push_to_argilla(name=unique("spans"), workspace=workspace.name, show_progress=False)
    try:
        remote.add_records(rg.FeedbackRecord(fields={"text": "Short."}), show_progress=False)
        (record,) = list(remote)
        # A span past the end of the field's text is refused with a 422 that says why.
        reply = owner_api.client.post(
            f"/api/v1/records/{record.id}/responses",
            json={"status": "submitted", "values": {"score": {"value": 2}, "kind": {"value": "bio"},
                                                     "entities": {"value": [{"label": "PER", "start": 0, "end": 60}]}}},
        )
        assert reply.status_code == 422, reply.text
        # An unknown span label too.
        reply = owner_api.client.post(
            f"/api/v1/records/{record.id}/responses",
            json={"status": "submitted", "values": {"score": {"value": 2}, "kind": {"value": "bio"},
                                                     "entities": {"value": [{"label": "DATE", "start": 0, "end": 5}]}}},
        )
        assert reply.status_code == 422, reply.text
    finally:
        remote.delete()
        workspace.delete()
