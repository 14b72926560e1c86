"""Several annotators answer over the HTTP API with their own keys; the owner reads the responses
back through the legacy SDK and aggregates them like the Argilla guides do (majority vote for
labels, mean for ratings)."""

from collections import Counter
from statistics import mean

import argilla as rg
import pytest

TEXTS = ["I loved it", "Terrible service", "It was fine", "Not sure what to think"]

# What each annotator answers per record: (sentiment, rating), or a status other than submitted.
ANSWERS = {
    "ann1": [("positive", 5), ("negative", 1), ("neutral", 3), "discarded"],
    "ann2": [("positive", 4), ("negative", 2), ("positive", 4), "draft"],
    "ann3": [("negative", 3), ("negative", 1), ("neutral", 2), None],  # None: no answer at all
}


@pytest.fixture
def team(unique, api_as):
    workspace = rg.Workspace.create(unique("annotation"))
    members = {}
    for name in ANSWERS:
        user = rg.User.create(unique(name), "annotator-pass-1", role="annotator", workspaces=[workspace.name])
        members[name] = (user, api_as(user.api_key))
    local = rg.FeedbackDataset(
        guidelines="Label the sentiment and rate how strong it is.",
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="sentiment", labels=["positive", "negative", "neutral"]),
            rg.RatingQuestion(name="strength", values=[1, 2, 3, 4, 5]),
            rg.TextQuestion(name="note", required=False),
        ],
    )
    local.add_records([rg.FeedbackRecord(fields={"text": t}, external_id=f"t{i}") for i, t in enumerate(TEXTS)])
    remote = local.push_to_argilla(name=unique("votes"), workspace=workspace.name, show_progress=False)
    yield remote, workspace, members
    remote.delete()
    for user, _ in members.values():
        user.delete()
    workspace.delete()


def test_annotators_answer_over_http_and_the_owner_aggregates(team):
    remote, workspace, members = team
    records = list(remote)
    assert [r.external_id for r in records] == ["t0", "t1", "t2", "t3"]

    for name, answers in ANSWERS.items():
        user, api = members[name]
        # An annotator sees the dataset in their own listing and can read its questions.
        listed = api.get("/api/v1/me/datasets")["items"]
        assert str(remote.id) in [d["id"] for d in listed]
        for record, answer in zip(records, answers):
            if answer is None:
                continue
            if isinstance(answer, str):
                body = {"status": answer}
                if answer == "draft":
                    body["values"] = {"sentiment": {"value": "neutral"}}
            else:
                sentiment, strength = answer
                body = {
                    "status": "submitted",
                    "values": {"sentiment": {"value": sentiment}, "strength": {"value": strength}},
                }
                if name == "ann2":
                    body["values"]["note"] = {"value": f"{name} was here"}
            created = api.post(f"/api/v1/records/{record.id}/responses", body)
            assert created["user_id"] == str(user.id)
            assert created["status"] == body["status"]

    # Read back through the legacy SDK.
    loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
    by_user = {str(user.id): name for name, (user, _) in members.items()}
    votes, ratings = {}, {}
    for record in loaded.records:
        i = int(record.external_id[1:])
        expected = {name: answers[i] for name, answers in ANSWERS.items() if answers[i] is not None}
        got = {by_user[str(r.user_id)]: r for r in record.responses}
        assert set(got) == set(expected), record.external_id
        for name, response in got.items():
            answer = expected[name]
            if isinstance(answer, str):
                assert response.status.value == answer
                if answer == "discarded":
                    assert not response.values
                continue
            assert response.status.value == "submitted"
            assert response.values["sentiment"].value == answer[0]
            assert response.values["strength"].value == answer[1]
            if name == "ann2":
                assert response.values["note"].value == "ann2 was here"
            else:
                assert "note" not in response.values
        submitted = [r for r in record.responses if r.status.value == "submitted"]
        if submitted:
            votes[record.external_id] = Counter(r.values["sentiment"].value for r in submitted).most_common(1)[0][0]
            ratings[record.external_id] = mean(r.values["strength"].value for r in submitted)

    assert votes == {"t0": "positive", "t1": "negative", "t2": "neutral"}
    assert ratings == {"t0": pytest.approx(4.0), "t1": pytest.approx(4 / 3), "t2": pytest.approx(3.0)}

    # The SDK's own unification (client-side, on a pulled copy) agrees with the hand-made vote and mean.
    local = loaded.pull()
    local.compute_unified_responses("sentiment", "majority")
    local.compute_unified_responses("strength", "mean")
    unified = {
        record.external_id: (
            record.unified_responses["sentiment"][0].value,
            int(record.unified_responses["strength"][0].value),
        )
        for record in local.records
        if record.external_id in votes
    }
    # (The SDK's mean truncates to an integer.)
    assert unified == {k: (votes[k], int(ratings[k])) for k in votes}

    # Response-status filters see every annotator's responses from the owner's side.
    assert sorted(r.external_id for r in loaded.filter_by(response_status="submitted")) == ["t0", "t1", "t2"]
    assert [r.external_id for r in loaded.filter_by(response_status="discarded")] == ["t3"]
    assert [r.external_id for r in loaded.filter_by(response_status="draft")] == ["t3"]

    # The annotators' own metrics: one submitted / discarded / draft each, as answered.
    _, api = members["ann1"]
    metrics = api.get(f"/api/v1/me/datasets/{remote.id}/metrics")
    assert metrics["records"]["count"] == 4
    assert metrics["responses"]["submitted"] == 3 and metrics["responses"]["discarded"] == 1

    # An annotator may not answer twice, nor manage records (the legacy SDK would not let them).
    _, api = members["ann3"]
    api.request(
        "POST",
        f"/api/v1/records/{records[0].id}/responses",
        409,
        json={"status": "submitted", "values": {"sentiment": {"value": "positive"}, "strength": {"value": 2}}},
    )
    api.request("GET", f"/api/v1/datasets/{remote.id}/records", 403)


def test_an_annotator_using_the_legacy_sdk_reads_but_cannot_manage(team, api_url, owner_key):
    remote, workspace, members = team
    user, _ = members["ann1"]
    rg.init(api_url=api_url, api_key=user.api_key)
    try:
        me = rg.User.me()
        assert me.is_annotator and [w.name for w in me.workspaces] == [workspace.name]
        loaded = rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name)
        assert [q.name for q in loaded.questions] == ["sentiment", "strength", "note"]
        # Record management is owner/admin only; the SDK checks the role from GET /api/me.
        with pytest.raises(PermissionError):
            loaded.add_records([rg.FeedbackRecord(fields={"text": "sneaky"})])
        with pytest.raises(PermissionError):
            loaded.delete()
    finally:
        rg.init(api_url=api_url, api_key=owner_key)
