"""The legacy FeedbackDataset flow end to end: create locally, push, load, iterate, add, update,
delete, filter, sort and similarity search, all through argilla 1.29.1 against loam."""

import argilla as rg
import pytest

LABELS = ["positive", "negative", "neutral"]
TOPICS = ["science", "art", "sport"]
RANKED = ["reply-a", "reply-b", "reply-c"]

ROWS = [
    # text, genre, year, score, vector
    ("The mitochondria is the powerhouse of the cell.", "science", 1998, 0.91, [1.0, 0.0, 0.0]),
    ("A watercolour of a quiet harbour at dawn.", "art", 2005, 0.42, [0.0, 1.0, 0.0]),
    ("The match went to extra time and penalties.", "sport", 2012, 0.66, [0.0, 0.0, 1.0]),
    ("Photosynthesis turns light into sugar.", "science", 2020, 0.77, [0.9, 0.1, 0.0]),
    ("Sculpture in the park, carved from oak.", "art", 1987, 0.15, [0.1, 0.9, 0.0]),
    ("Marathon runners crossed the bridge at noon.", "sport", 2001, 0.58, [0.0, 0.2, 0.9]),
]


def make_local_dataset() -> rg.FeedbackDataset:
    return rg.FeedbackDataset(
        guidelines="Read the text, rate its clarity and label it.",
        fields=[
            rg.TextField(name="text", title="Text"),
            rg.TextField(name="context", title="Context", required=False, use_markdown=True),
        ],
        questions=[
            rg.RatingQuestion(name="clarity", title="How clear is it?", values=[1, 2, 3, 4, 5]),
            rg.TextQuestion(name="correction", title="Correct it", required=False),
            rg.LabelQuestion(name="sentiment", title="Sentiment", labels=LABELS),
            rg.MultiLabelQuestion(name="topics", title="Topics", labels=TOPICS, required=False),
            rg.RankingQuestion(name="ranking", title="Rank the replies", values=RANKED, required=False),
        ],
        metadata_properties=[
            rg.TermsMetadataProperty(name="genre", values=["science", "art", "sport"]),
            rg.IntegerMetadataProperty(name="year", min=1900, max=2100),
            rg.FloatMetadataProperty(name="score", min=0.0, max=1.0),
        ],
        vectors_settings=[rg.VectorSettings(name="embedding", dimensions=3)],
    )


def make_records(rows=ROWS, prefix="r"):
    records = []
    for i, (text, genre, year, score, vector) in enumerate(rows):
        records.append(
            rg.FeedbackRecord(
                fields={"text": text, "context": f"**row {i}**"},
                metadata={"genre": genre, "year": year, "score": score},
                vectors={"embedding": vector},
                external_id=f"{prefix}-{i}",
                suggestions=[
                    {"question_name": "sentiment", "value": LABELS[i % 3], "score": 0.5 + i / 20, "agent": "clf-v1"},
                    {"question_name": "clarity", "value": 1 + i % 5, "agent": "rater"},
                    {"question_name": "topics", "value": [genre], "agent": "topics-v1"},
                    {"question_name": "ranking", "value": [{"value": v, "rank": r + 1} for r, v in enumerate(RANKED)]},
                ],
            )
        )
    return records


@pytest.fixture
def pushed(unique, owner_api):
    """A dataset with every question type, pushed with its records to a fresh workspace."""
    workspace = rg.Workspace.create(unique("ws"))
    local = make_local_dataset()
    local.add_records(make_records())
    name = unique("feedback")
    remote = local.push_to_argilla(name=name, workspace=workspace.name, show_progress=False)
    yield remote, workspace
    remote.delete()
    workspace.delete()


def by_external_id(dataset):
    return {record.external_id: record for record in dataset}


def test_push_and_load_keep_settings(pushed):
    remote, workspace = pushed
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    assert loaded.id == remote.id
    assert loaded.workspace.name == workspace.name
    assert loaded.guidelines == "Read the text, rate its clarity and label it."

    fields = {f.name: f for f in loaded.fields}
    assert list(fields) == ["text", "context"]
    assert fields["text"].required and not fields["context"].required
    assert fields["context"].use_markdown and fields["text"].title == "Text"

    questions = {q.name: q for q in loaded.questions}
    assert list(questions) == ["clarity", "correction", "sentiment", "topics", "ranking"]
    assert isinstance(questions["clarity"], rg.RatingQuestion)
    assert questions["clarity"].values == [1, 2, 3, 4, 5]
    assert isinstance(questions["correction"], rg.TextQuestion) and not questions["correction"].required
    assert isinstance(questions["sentiment"], rg.LabelQuestion)
    assert questions["sentiment"].labels == LABELS
    assert isinstance(questions["topics"], rg.MultiLabelQuestion)
    assert questions["topics"].labels == TOPICS
    assert isinstance(questions["ranking"], rg.RankingQuestion)
    assert questions["ranking"].values == RANKED
    assert questions["sentiment"].title == "Sentiment"

    metadata = {m.name: m for m in loaded.metadata_properties}
    assert isinstance(metadata["genre"], rg.TermsMetadataProperty)
    assert sorted(metadata["genre"].values) == ["art", "science", "sport"]
    assert isinstance(metadata["year"], rg.IntegerMetadataProperty)
    assert (metadata["year"].min, metadata["year"].max) == (1900, 2100)
    assert isinstance(metadata["score"], rg.FloatMetadataProperty)
    assert (metadata["score"].min, metadata["score"].max) == (0.0, 1.0)

    vectors = {v.name: v for v in loaded.vectors_settings}
    assert vectors["embedding"].dimensions == 3

    # The dataset shows up in the listings of its workspace.
    names = [d.name for d in rg.FeedbackDataset.list(workspace=workspace.name)]
    assert remote.name in names


def test_iterate_records_with_fields_metadata_suggestions_vectors(pushed):
    remote, workspace = pushed
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name, with_vectors="all")
    assert len(loaded) == len(ROWS)
    records = list(loaded.records)
    assert [r.external_id for r in records] == [f"r-{i}" for i in range(len(ROWS))], "insertion order"
    for i, record in enumerate(records):
        text, genre, year, score, vector = ROWS[i]
        assert record.fields == {"text": text, "context": f"**row {i}**"}
        assert record.metadata == {"genre": genre, "year": year, "score": score}
        assert record.vectors == {"embedding": vector}
        assert record.responses == []
        suggestions = {s.question_name: s for s in record.suggestions}
        assert set(suggestions) == {"sentiment", "clarity", "topics", "ranking"}
        assert suggestions["sentiment"].value == LABELS[i % 3]
        assert suggestions["sentiment"].score == pytest.approx(0.5 + i / 20)
        assert suggestions["sentiment"].agent == "clf-v1"
        assert suggestions["clarity"].value == 1 + i % 5
        assert suggestions["topics"].value == [genre]
        assert [v.value for v in suggestions["ranking"].value] == RANKED
        assert [v.rank for v in suggestions["ranking"].value] == [1, 2, 3]

    # Indexing and slicing go through the same listing.
    assert loaded[2].external_id == "r-2"
    assert [r.external_id for r in loaded[1:4]] == ["r-1", "r-2", "r-3"]
    # A local copy carries everything.
    local = loaded.pull()
    assert len(local.records) == len(ROWS)
    assert local.records[0].fields["text"] == ROWS[0][0]


def test_add_records_to_a_pushed_dataset(pushed, owner_api):
    remote, workspace = pushed
    me = rg.User.me()
    more = make_records(ROWS[:2], prefix="more")
    more[0].responses = [
        rg.ResponseSchema(
            user_id=me.id,
            status="submitted",
            values={"clarity": {"value": 4}, "sentiment": {"value": "negative"}},
        )
    ]
    remote.add_records(more, show_progress=False)
    assert len(remote) == len(ROWS) + 2

    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    records = by_external_id(loaded)
    assert set(records) == {f"r-{i}" for i in range(len(ROWS))} | {"more-0", "more-1"}
    answered = records["more-0"]
    assert len(answered.responses) == 1
    response = answered.responses[0]
    assert response.user_id == me.id
    assert response.status.value == "submitted"
    assert response.values["clarity"].value == 4
    assert response.values["sentiment"].value == "negative"
    assert records["more-1"].responses == []

    # The server agrees: the answered record is completed (the default distribution needs one
    # submitted response), and the dataset counts it.
    record = owner_api.get(f"/api/v1/records/{answered.id}", params={"include": "responses"})
    assert record["status"] == "completed"
    assert record["responses"][0]["values"]["clarity"] == {"value": 4}
    progress = owner_api.get(f"/api/v1/datasets/{remote.id}/progress")
    assert progress["total"] == len(ROWS) + 2 and progress["completed"] == 1


def test_update_metadata_and_suggestions(pushed, owner_api):
    remote, workspace = pushed
    records = list(remote.records)

    # Bulk update: new metadata on two records.
    records[0].metadata["year"] = 1950
    records[1].metadata.update({"genre": "science", "score": 0.99})
    remote.update_records(records[:2], show_progress=False)

    # One record at a time: replace its suggestions.
    target = records[2]
    target.update(
        suggestions=[
            {"question_name": "sentiment", "value": "positive", "score": 0.99, "agent": "clf-v2"},
            {"question_name": "correction", "value": "Extra time, then penalties.", "agent": "editor"},
        ]
    )
    suggestions = {s.question_name: s for s in target.suggestions}
    assert suggestions["sentiment"].agent == "clf-v2"

    fresh = by_external_id(rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name))
    assert fresh["r-0"].metadata["year"] == 1950
    assert fresh["r-1"].metadata == {"genre": "science", "year": 2005, "score": 0.99}
    got = {s.question_name: (s.value, s.agent) for s in fresh["r-2"].suggestions}
    assert got["sentiment"] == ("positive", "clf-v2")
    assert got["correction"] == ("Extra time, then penalties.", "editor")
    # Untouched records keep their data.
    assert fresh["r-3"].metadata == {"genre": "science", "year": 2020, "score": 0.77}

    # Deleting one suggestion of a record.
    victim = next(s for s in fresh["r-3"].suggestions if s.question_name == "clarity")
    fresh["r-3"].delete_suggestions(victim)
    api_record = owner_api.get(f"/api/v1/records/{fresh['r-3'].id}", params={"include": "suggestions"})
    assert len(api_record["suggestions"]) == 3

    # Out-of-range metadata is refused by the SDK's local validation before any call.
    fresh["r-4"].metadata["year"] = 1800
    with pytest.raises(ValueError):
        remote.update_records(fresh["r-4"], show_progress=False)


def test_delete_records(pushed):
    remote, workspace = pushed
    records = by_external_id(remote)
    remote.delete_records([records["r-0"], records["r-1"]])
    records["r-2"].delete()
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    assert len(loaded) == len(ROWS) - 3
    assert [r.external_id for r in loaded] == ["r-3", "r-4", "r-5"]


def test_filter_by_metadata_and_sort(pushed):
    remote, _ = pushed

    science = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="genre", values=["science"]))
    assert sorted(r.external_id for r in science) == ["r-0", "r-3"]
    assert len(science) == 2

    either = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="genre", values=["art", "sport"]))
    assert len(either) == 4

    recent = remote.filter_by(metadata_filters=rg.IntegerMetadataFilter(name="year", ge=2001, le=2012))
    assert sorted(r.external_id for r in recent) == ["r-1", "r-2", "r-5"]

    combined = remote.filter_by(
        metadata_filters=[
            rg.FloatMetadataFilter(name="score", ge=0.5),
            rg.TermsMetadataFilter(name="genre", values=["science", "sport"]),
        ]
    )
    assert sorted(r.external_id for r in combined) == ["r-0", "r-2", "r-3", "r-5"]

    by_year = remote.sort_by([rg.SortBy(field="metadata.year", order="desc")])
    assert [r.metadata["year"] for r in by_year] == sorted((row[2] for row in ROWS), reverse=True)
    by_score = remote.sort_by([rg.SortBy(field="metadata.score", order="asc")])
    assert [r.metadata["score"] for r in by_score] == sorted(row[3] for row in ROWS)
    newest_first = remote.sort_by([rg.SortBy(field="inserted_at", order="desc")])
    assert [r.external_id for r in newest_first] == [f"r-{i}" for i in reversed(range(len(ROWS)))]

    sorted_science = science.sort_by([rg.SortBy(field="metadata.year", order="desc")])
    assert [r.external_id for r in sorted_science] == ["r-3", "r-0"]

    with pytest.raises(ValueError):
        remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="nope", values=["x"]))


def test_filter_by_response_status(pushed, api_as):
    remote, workspace = pushed
    annotator = rg.User.create(
        f"ann-{workspace.name}", "annotator-pass-1", role="annotator", workspaces=[workspace.name]
    )
    try:
        api = api_as(annotator.api_key)
        records = by_external_id(remote)
        answers = {"r-0": "submitted", "r-1": "submitted", "r-2": "discarded", "r-3": "draft"}
        for external_id, status in answers.items():
            body = {"status": status}
            if status != "discarded":
                body["values"] = {"clarity": {"value": 3}, "sentiment": {"value": "neutral"}}
            api.post(f"/api/v1/records/{records[external_id].id}/responses", body)

        def ids(status):
            return sorted(r.external_id for r in remote.filter_by(response_status=status))

        assert ids("submitted") == ["r-0", "r-1"]
        assert ids("discarded") == ["r-2"]
        assert ids("draft") == ["r-3"]
        assert ids("pending") == ["r-4", "r-5"]
        assert ids(["submitted", "discarded"]) == ["r-0", "r-1", "r-2"]
        assert len(remote.filter_by(response_status="submitted")) == 2

        both = remote.filter_by(
            response_status="submitted",
            metadata_filters=rg.TermsMetadataFilter(name="genre", values=["art"]),
        )
        assert [r.external_id for r in both] == ["r-1"]
    finally:
        annotator.delete()


def test_find_similar_records(pushed):
    remote, _ = pushed
    similar = remote.find_similar_records(vector_name="embedding", value=[1.0, 0.0, 0.0], max_results=3)
    assert len(similar) == 3
    records = [record for record, _ in similar]
    scores = [score for _, score in similar]
    assert records[0].external_id == "r-0"
    assert records[1].external_id == "r-3"
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(1.0)

    anchor = by_external_id(remote)["r-1"]
    like_anchor = remote.find_similar_records(vector_name="embedding", record=anchor, max_results=2)
    got = [record.external_id for record, _ in like_anchor]
    assert "r-4" in got, got
    assert "r-1" not in got, "the anchor record itself is not among its neighbours"

    # Similarity within a filtered view.
    sport = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="genre", values=["sport"]))
    hits = sport.find_similar_records(vector_name="embedding", value=[0.0, 0.0, 1.0], max_results=5)
    assert [record.external_id for record, _ in hits] == ["r-2", "r-5"]


def test_settings_changes_on_a_pushed_dataset(pushed):
    remote, workspace = pushed
    remote.add_metadata_property(rg.IntegerMetadataProperty(name="pages", min=1))
    score = remote.metadata_property_by_name("score")
    score.title = "Model score"
    score.visible_for_annotators = False
    remote.update_metadata_properties(score)
    remote.add_vector_settings(rg.VectorSettings(name="small", dimensions=2))
    small = remote.vector_settings_by_name("small")
    small.title = "Small vectors"
    remote.update_vectors_settings(small)
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    metadata = {m.name: m for m in loaded.metadata_properties}
    assert set(metadata) == {"genre", "year", "score", "pages"}
    assert metadata["score"].title == "Model score"
    assert metadata["score"].visible_for_annotators is False
    assert {v.name: v.title for v in loaded.vectors_settings} == {"embedding": "embedding", "small": "Small vectors"}

    loaded.delete_metadata_properties("pages")
    loaded.delete_vectors_settings("small")
    again = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    assert {m.name for m in again.metadata_properties} == {"genre", "year", "score"}
    assert {v.name for v in again.vectors_settings} == {"embedding"}


def test_push_twice_with_the_same_name_is_refused(pushed):
    remote, workspace = pushed
    local = make_local_dataset()
    with pytest.raises(Exception) as err:
        local.push_to_argilla(name=remote.name, workspace=workspace.name, show_progress=False)
    assert "already exists" in str(err.value)
