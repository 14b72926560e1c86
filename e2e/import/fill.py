"""Fills an Argilla server through the v2 SDK with what the import must carry over: two
workspaces, three users (an admin and two annotators) besides the owner, and a dataset with every
field kind (text, chat, image, custom), every question kind (rating, label, multi-label, ranking,
text, span), terms / integer / float metadata, a vector, suggestions, and responses by three users
in every status (submitted, draft, discarded). A second, small dataset lives in the other
workspace.

    python fill.py URL API_KEY N
"""

import random
import sys

import argilla as rg

PASSWORD = "12345678"
LABELS = ["positive", "negative", "neutral"]
TOPICS = ["sports", "politics", "science", "art"]
SPAN_LABELS = ["PER", "ORG", "LOC"]


def settings() -> rg.Settings:
    return rg.Settings(
        guidelines="Read the text, then answer every question.",
        allow_extra_metadata=True,
        distribution=rg.TaskDistribution(min_submitted=2),
        fields=[
            rg.TextField(name="text", title="Text", use_markdown=True),
            rg.ChatField(name="chat", title="Conversation", required=False),
            rg.ImageField(name="image", title="Picture", required=False),
            rg.CustomField(name="custom", title="Card", template="<div>{{record.fields.custom.title}}</div>", required=False),
        ],
        questions=[
            rg.RatingQuestion(name="rating", values=[1, 2, 3, 4, 5]),
            rg.LabelQuestion(name="label", labels=LABELS, required=False),
            rg.MultiLabelQuestion(name="topics", labels=TOPICS, required=False, visible_labels=3),
            rg.RankingQuestion(name="ranking", values=["a", "b", "c"], required=False),
            rg.TextQuestion(name="comment", required=False, use_markdown=True),
            rg.SpanQuestion(name="entities", field="text", labels=SPAN_LABELS, required=False, allow_overlapping=True),
        ],
        metadata=[
            rg.TermsMetadataProperty(name="source", options=["web", "mail", "chat"]),
            rg.IntegerMetadataProperty(name="length", min=0, max=100000),
            rg.FloatMetadataProperty(name="quality", visible_for_annotators=False),
        ],
        vectors=[rg.VectorField(name="embedding", dimensions=8)],
    )


def responses_for(n: int, users) -> list:
    """Every status: user k answers record n in a status that cycles with n."""
    out = []
    for k, user in enumerate(users):
        kind = (n + k) % 4
        if kind == 3:
            continue  # no response from this user
        status = ["submitted", "draft", "discarded"][kind]
        out.append(rg.Response("rating", 1 + (n + k) % 5, user_id=user.id, status=status))
        if status != "discarded" or n % 2 == 0:
            out.append(rg.Response("label", LABELS[(n + k) % 3], user_id=user.id, status=status))
        if status == "submitted":
            out.append(rg.Response("topics", TOPICS[: 1 + (n % 3)], user_id=user.id, status=status))
            order = ["c", "a", "b"] if n % 2 else ["a", "b", "c"]
            ranks = [{"value": value, "rank": rank + 1} for rank, value in enumerate(order)]
            out.append(rg.Response("ranking", ranks, user_id=user.id, status=status))
            out.append(rg.Response("comment", f"note {n} by {user.username}", user_id=user.id, status=status))
            out.append(
                rg.Response("entities", [{"start": 0, "end": 6, "label": SPAN_LABELS[n % 3]}], user_id=user.id, status=status)
            )
    return out


def record(n: int, users, rnd: random.Random) -> rg.Record:
    fields = {"text": f"Record {n:06d}: some text to annotate, number {n}."}
    if n % 3 == 0:
        fields["chat"] = [{"role": "user", "content": f"hello {n}"}, {"role": "assistant", "content": "hi"}]
    if n % 4 == 0:
        fields["image"] = f"https://example.com/images/{n}.png"
    if n % 5 == 0:
        fields["custom"] = {"title": f"card {n}", "n": n}
    metadata = {"source": ["web", "mail", "chat"][n % 3], "length": len(fields["text"]) + n}
    if n % 2 == 0:
        metadata["quality"] = round(rnd.random(), 6)
    if n % 7 == 0:
        metadata["extra"] = f"free {n}"
    suggestions = [rg.Suggestion("label", LABELS[n % 3], score=round(rnd.random(), 4), agent="model-a")]
    if n % 2:
        suggestions.append(rg.Suggestion("rating", 1 + n % 5, agent="model-b", type="model"))
    if n % 3 == 0:
        suggestions.append(rg.Suggestion("topics", [TOPICS[n % 4]], score=[0.7], agent="model-c"))
    vectors = {"embedding": [round(rnd.uniform(-1, 1), 6) for _ in range(8)]} if n % 10 != 9 else {}
    return rg.Record(
        id=f"ext-{n}",
        fields=fields,
        metadata=metadata,
        vectors=vectors,
        suggestions=suggestions,
        responses=responses_for(n, users),
    )


def fill(url: str, key: str, n_records: int) -> None:
    client = rg.Argilla(api_url=url, api_key=key)
    one = rg.Workspace(name="research", client=client).create()
    two = rg.Workspace(name="support", client=client).create()
    users = []
    for username, role, workspaces in [
        ("alice", "admin", [one, two]),
        ("bob", "annotator", [one]),
        ("carol", "annotator", [one, two]),
    ]:
        user = rg.User(username=username, first_name=username.title(), last_name="Example", role=role,
                       password=PASSWORD, client=client).create()
        for ws in workspaces:
            ws.add_user(user)
        users.append(user)
    rnd = random.Random(7)
    dataset = rg.Dataset(name="feedback", workspace=one, settings=settings(), client=client).create()
    batch = [record(n, users, rnd) for n in range(n_records)]
    dataset.records.log(batch, batch_size=500)
    small = rg.Dataset(
        name="triage",
        workspace=two,
        client=client,
        settings=rg.Settings(
            fields=[rg.TextField(name="ticket")],
            questions=[rg.LabelQuestion(name="queue", labels=["billing", "tech"])],
        ),
    ).create()
    small.records.log(
        [rg.Record(fields={"ticket": f"ticket {n}"},
                   responses=[rg.Response("queue", "tech", user_id=users[2].id, status="submitted")] if n % 2 else [])
         for n in range(20)]
    )


if __name__ == "__main__":
    fill(sys.argv[1], sys.argv[2], int(sys.argv[3]))
