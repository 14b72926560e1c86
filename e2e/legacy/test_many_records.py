"""More than one page of records (the legacy SDK pages by 250) through listing, indexing, pull,
filters, sorts and similarity search; record updates of every kind the legacy SDK sends."""

import math

import argilla as rg
import pytest

N = 300
GENRES = ["science", "art", "sport"]


def vector(i: int):
    angle = i * 2 * math.pi / N
    return [math.cos(angle), math.sin(angle)]


@pytest.fixture(scope="module")
def big(api_url, owner_key):
    import secrets

    rg.init(api_url=api_url, api_key=owner_key)
    workspace = rg.Workspace.create(f"big-{secrets.token_hex(4)}")
    local = rg.FeedbackDataset(
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="genre", labels=GENRES),
            rg.RatingQuestion(name="quality", values=[1, 2, 3], required=False),
        ],
        metadata_properties=[
            rg.TermsMetadataProperty(name="genre", values=GENRES),
            rg.IntegerMetadataProperty(name="n"),
            rg.FloatMetadataProperty(name="half"),
        ],
        vectors_settings=[rg.VectorSettings(name="circle", dimensions=2)],
    )
    local.add_records(
        [
            rg.FeedbackRecord(
                fields={"text": f"record number {i}"},
                metadata={"genre": GENRES[i % 3], "n": i, "half": i / 2},
                vectors={"circle": vector(i)},
                external_id=f"b-{i:03d}",
                suggestions=[{"question_name": "genre", "value": GENRES[i % 3], "score": (i % 10) / 10}],
            )
            for i in range(N)
        ]
    )
    remote = local.push_to_argilla(name=f"big-{secrets.token_hex(4)}", workspace=workspace.name, show_progress=False)
    yield remote, workspace
    rg.init(api_url=api_url, api_key=owner_key)
    remote.delete()
    workspace.delete()


def ids(records):
    return [record.external_id for record in records]


def test_listing_crosses_pages(big):
    remote, workspace = big
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    assert len(loaded) == N and len(loaded.records) == N
    by_id = rg.FeedbackDataset.from_argilla(id=remote.id)
    assert by_id.name == remote.name and by_id.workspace.name == workspace.name and len(by_id) == N
    listed = {d.id: d for d in rg.FeedbackDataset.list()}
    assert listed[remote.id].name == remote.name
    assert [d.name for d in rg.FeedbackDataset.list(workspace=workspace.name)] == [remote.name]
    everything = list(loaded.records)
    assert ids(everything) == [f"b-{i:03d}" for i in range(N)]
    assert all(len(r.suggestions) == 1 for r in everything)
    assert loaded[N - 1].external_id == f"b-{N - 1:03d}"
    assert ids(loaded[240:260]) == [f"b-{i:03d}" for i in range(240, 260)]

    local = loaded.pull()
    assert len(local.records) == N and local.records[N - 1].fields["text"] == f"record number {N - 1}"
    some = loaded.pull(max_records=260)
    assert len(some.records) == 260
    # A remote dataset loaded with its vectors pulls them too.
    with_vectors = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name, with_vectors=["circle"])
    pulled = with_vectors.pull()
    assert pulled.records[123].vectors["circle"] == pytest.approx(vector(123))


def test_filters_and_sorts_cross_pages(big):
    remote, _ = big
    # 200 of 300 are art or sport: the filtered listing has two pages.
    art_sport = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="genre", values=["art", "sport"]))
    assert len(art_sport) == 200
    got = ids(art_sport)
    assert got == [f"b-{i:03d}" for i in range(N) if i % 3 != 0]

    newest = remote.sort_by([rg.SortBy(field="metadata.n", order="desc")])
    assert ids(newest) == [f"b-{i:03d}" for i in reversed(range(N))]
    by_half = remote.filter_by(metadata_filters=rg.FloatMetadataFilter(name="half", ge=100.0)).sort_by(
        [rg.SortBy(field="metadata.half", order="asc")]
    )
    assert ids(by_half) == [f"b-{i:03d}" for i in range(200, N)]

    window = remote.filter_by(
        metadata_filters=[
            rg.IntegerMetadataFilter(name="n", ge=30, le=59),
            rg.TermsMetadataFilter(name="genre", values=["science"]),
        ]
    )
    assert ids(window) == [f"b-{i:03d}" for i in range(30, 60) if i % 3 == 0]
    assert len(window.filter_by(response_status="pending")) == 10


def test_find_similar_with_filters(big):
    remote, _ = big
    hits = remote.find_similar_records("circle", value=vector(0), max_results=5)
    assert [r.external_id for r, _ in hits][0] == "b-000"
    assert {r.external_id for r, _ in hits} == {"b-000", "b-001", "b-299", "b-002", "b-298"}
    anchor = remote[150]
    near = remote.find_similar_records("circle", record=anchor, max_results=2)
    assert {r.external_id for r, _ in near} == {"b-149", "b-151"}
    scores = [score for _, score in near]
    assert all(0.99 < s <= 1.0 for s in scores)

    science = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="genre", values=["science"]))
    hits = science.find_similar_records("circle", value=vector(0), max_results=4)
    assert [r.external_id for r, _ in hits][:1] == ["b-000"]
    assert {r.external_id for r, _ in hits} <= {"b-000", "b-003", "b-297", "b-006", "b-294"}
    assert all(r.metadata["genre"] == "science" for r, _ in hits)
    # More than one page worth of neighbours in one call.
    wide = remote.find_similar_records("circle", value=vector(0), max_results=N)
    assert len(wide) == N


def test_record_updates_of_every_kind(unique, owner_api):
    workspace = rg.Workspace.create(unique("upd"))
    local = rg.FeedbackDataset(
        fields=[rg.TextField(name="text")],
        questions=[rg.LabelQuestion(name="label", labels=["a", "b"]), rg.TextQuestion(name="why", required=False)],
        metadata_properties=[rg.IntegerMetadataProperty(name="n")],
        vectors_settings=[rg.VectorSettings(name="v", dimensions=2), rg.VectorSettings(name="w", dimensions=3)],
    )
    local.add_records(
        [
            rg.FeedbackRecord(
                fields={"text": f"t{i}"},
                metadata={"n": i},
                external_id=f"u-{i}",
                vectors={"v": [float(i), 1.0]},
                suggestions=[{"question_name": "label", "value": "a"}],
            )
            for i in range(4)
        ]
    )
    remote = local.push_to_argilla(name=unique("upd"), workspace=workspace.name, show_progress=False)
    try:
        remote = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name, with_vectors="all")
        records = list(remote.records)

        # Bulk: new vectors (one replaced, one added), new suggestions, new metadata. (Emptied
        # metadata is not sent at all: the SDK leaves out an empty dict, so it cannot clear it.)
        records[0].vectors["v"] = [9.0, 9.0]
        records[0].vectors["w"] = [1.0, 2.0, 3.0]
        records[1].suggestions = [{"question_name": "why", "value": "because", "agent": "bot"}]
        records[2].metadata = {"n": 222}
        remote.update_records(records[:3], show_progress=False)

        # One record: assign metadata and suggestions, then update() with no arguments.
        records[3].metadata["n"] = 33
        records[3].suggestions = [{"question_name": "label", "value": "b", "score": 0.3}]
        records[3].update()
        assert records[3].metadata == {"n": 33}
        assert [(s.question_name, s.value) for s in records[3].suggestions] == [("label", "b")]

        fresh = list(rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name, with_vectors="all").records)
        assert fresh[0].vectors == {"v": [9.0, 9.0], "w": [1.0, 2.0, 3.0]}
        assert [(s.question_name, s.value, s.agent) for s in fresh[1].suggestions] == [("why", "because", "bot")]
        assert fresh[2].metadata == {"n": 222}
        assert fresh[3].metadata == {"n": 33}

        # A suggestion deleted through its own handle.
        (suggestion,) = fresh[0].suggestions
        suggestion.delete()
        assert owner_api.get(f"/api/v1/records/{fresh[0].id}")["suggestions"] == []

        # updated_at moves for the records whose metadata changed.
        by_update = remote.sort_by([rg.SortBy(field="updated_at", order="desc")])
        assert [r.fields["text"] for r in by_update][0] == "t3"

        # (Changed field values, responses and external ids never reach the server: the SDK's own
        # request builders send only metadata, suggestions and vectors on update, whatever the
        # record holds locally.)

        # A vector of the wrong size is refused before anything is sent.
        fresh[1].vectors["v"] = [1.0, 2.0, 3.0]
        with pytest.raises(ValueError):
            remote.update_records(fresh[1], show_progress=False)

        # A dataset deleted is gone for both the SDK and the API.
        dataset_id = remote.id
        remote.delete()
        with pytest.raises(ValueError):
            rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
        owner_api.get(f"/api/v1/datasets/{dataset_id}", expect=404)
    finally:
        for d in owner_api.get("/api/v1/me/datasets")["items"]:
            if d["workspace_id"] == str(workspace.id):
                owner_api.request("DELETE", f"/api/v1/datasets/{d['id']}", 200)
        workspace.delete()
