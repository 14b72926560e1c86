"""distilabel 1.5.3's Argilla steps push to loam: real pipelines (offline LLMs), then the datasets are
checked through the HTTP API against the settings and records those steps define."""

import hashlib
import json
import secrets

import pytest
from distilabel.pipeline import Pipeline
from distilabel.steps import LoadDataFromDicts, PreferenceToArgilla, TextGenerationToArgilla
from distilabel.steps.tasks import TextGeneration, UltraFeedback

from offline_llm import CannedJudge, CannedLLM

INSTRUCTIONS = [
    "Explain photosynthesis in one sentence.",
    "Write a haiku about rivers.",
    "What is the capital of Peru?",
]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name(prefix: str) -> str:
    # Also a legal legacy-SDK dataset name: the legacy suite lists datasets on the same server.
    return f"{prefix}-{secrets.token_hex(4)}"


def run(pipeline: Pipeline):
    distiset = pipeline.run(use_cache=False)
    assert distiset is not None
    return distiset


def settings(api, dataset_id):
    fields = api.get(f"/api/v1/datasets/{dataset_id}/fields")["items"]
    questions = api.get(f"/api/v1/datasets/{dataset_id}/questions")["items"]
    return fields, questions


def suggestions_by_name(record, questions):
    names = {q["id"]: q["name"] for q in questions}
    return {names[s["question_id"]]: s for s in record["suggestions"]}


def text_generation_pipeline(dataset_name, workspace, api_url, api_key, instructions, repeat=False):
    with Pipeline(name=f"textgen-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in instructions])
        generate = TextGeneration(llm=CannedLLM(repeat=repeat), num_generations=2, group_generations=True)
        push = TextGenerationToArgilla(
            dataset_name=dataset_name,
            dataset_workspace=workspace,
            api_url=api_url,
            api_key=api_key,
        )
        load >> generate >> push
    return pipeline


def test_text_generation_to_argilla(api, workspace, api_url, owner_key):
    dataset_name = name("textgen")
    run(text_generation_pipeline(dataset_name, workspace["name"], api_url, owner_key, INSTRUCTIONS[:2]))

    dataset = api.dataset(dataset_name, workspace["id"])
    assert dataset["status"] == "ready"
    fields, questions = settings(api, dataset["id"])
    assert [(f["name"], f["title"], f["required"], f["settings"]["type"]) for f in fields] == [
        ("id", "id", True, "text"),
        ("instruction", "instruction", True, "text"),
        ("generation", "generation", True, "text"),
    ]
    (quality,) = questions
    assert quality["name"] == "quality"
    assert quality["required"] is True
    assert quality["settings"]["type"] == "label_selection"
    assert quality["settings"]["options"] == [{"value": "bad", "text": "👎", "description": None},
                                              {"value": "good", "text": "👍", "description": None}]

    records = api.records(dataset["id"])
    # One record per distinct generation.
    got = sorted((r["fields"]["id"], r["fields"]["instruction"], r["fields"]["generation"]) for r in records)
    want = sorted(
        (sha(i), i, f"Answer {k}: {i}") for i in INSTRUCTIONS[:2] for k in range(2)
    )
    assert got == want
    for record in records:
        assert record["suggestions"] == [] and record["responses"] == []
        assert record["status"] == "pending"
        assert record["external_id"]  # the v2 SDK sends a random one

    # A second pipeline reuses the existing dataset and appends; identical generations of one
    # instruction become a single record.
    run(text_generation_pipeline(dataset_name, workspace["name"], api_url, owner_key, INSTRUCTIONS[2:], repeat=True))
    assert api.dataset(dataset_name, workspace["id"])["id"] == dataset["id"]
    records = api.records(dataset["id"])
    assert len(records) == 5
    assert [r["fields"]["generation"] for r in records if r["fields"]["instruction"] == INSTRUCTIONS[2]] == [
        f"Always the same: {INSTRUCTIONS[2]}"
    ]
    progress = api.get(f"/api/v1/datasets/{dataset['id']}/progress")
    assert progress["total"] == 5 and progress["completed"] == 0


def check_preference_settings(fields, questions, n):
    assert [(f["name"], f["required"], f["settings"]["type"]) for f in fields] == [
        ("id", True, "text"),
        ("instruction", True, "text"),
        *[(f"generations-{i}", i == 0, "text") for i in range(n)],
    ]
    expected = []
    for i in range(n):
        expected.append((f"generations-{i}-rating", "rating", i == 0))
        expected.append((f"generations-{i}-rationale", "text", False))
    assert [(q["name"], q["settings"]["type"], q["required"]) for q in questions] == expected
    for q in questions:
        i = int(q["name"].split("-")[1])
        if q["settings"]["type"] == "rating":
            assert [o["value"] for o in q["settings"]["options"]] == [1, 2, 3, 4, 5]
            assert q["title"] == f"Rate generations-{i} given instruction."
        if i == 0:
            assert q["description"] is None
        else:
            assert f"`generations-{i}` field is not available" in q["description"]


def test_preference_to_argilla_two_generations_with_ratings_and_rationales(api, workspace, api_url, owner_key):
    dataset_name = name("preference-rated")
    with Pipeline(name=f"preference-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in INSTRUCTIONS])
        generate = TextGeneration(
            llm=CannedLLM(),
            num_generations=2,
            group_generations=True,
            output_mappings={"generation": "generations"},
        )
        judge = UltraFeedback(llm=CannedJudge(ratings=[4, 2]), aspect="honesty")
        push = PreferenceToArgilla(
            num_generations=2,
            dataset_name=dataset_name,
            dataset_workspace=workspace["name"],
            api_url=api_url,
            api_key=owner_key,
        )
        load >> generate >> judge >> push
    distiset = run(pipeline)
    rows = distiset["default"]["train"]
    assert sorted(rows["ratings"]) == [[4, 2]] * 3, "the judge's output was parsed"

    dataset = api.dataset(dataset_name, workspace["id"])
    fields, questions = settings(api, dataset["id"])
    check_preference_settings(fields, questions, 2)

    records = api.records(dataset["id"])
    assert sorted(r["fields"]["instruction"] for r in records) == sorted(INSTRUCTIONS)
    for record in records:
        instruction = record["fields"]["instruction"]
        assert record["fields"] == {
            "id": sha(instruction),
            "instruction": instruction,
            "generations-0": f"Answer 0: {instruction}",
            "generations-1": f"Answer 1: {instruction}",
        }
        suggestions = suggestions_by_name(record, questions)
        assert {k: s["value"] for k, s in suggestions.items()} == {
            "generations-0-rating": 4,
            "generations-1-rating": 2,
            "generations-0-rationale": "text 1 is rated 4.",
            "generations-1-rationale": "text 2 is rated 2.",
        }
        for s in suggestions.values():
            assert s["score"] is None and s["agent"] is None
        assert record["responses"] == []


def test_preference_to_argilla_four_generations_without_ratings(api, api_url, owner_key):
    # dataset_workspace=None: the step resolves the default workspace (the owner's first).
    dataset_name = name("preference-plain")
    with Pipeline(name=f"preference-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in INSTRUCTIONS])
        generate = TextGeneration(
            llm=CannedLLM(),
            num_generations=4,
            group_generations=True,
            output_mappings={"generation": "generations"},
        )
        push = PreferenceToArgilla(num_generations=4, dataset_name=dataset_name, api_url=api_url, api_key=owner_key)
        load >> generate >> push
    run(pipeline)

    default = api.get("/api/v1/me/workspaces")["items"][0]
    dataset = api.dataset(dataset_name, default["id"])
    try:
        fields, questions = settings(api, dataset["id"])
        check_preference_settings(fields, questions, 4)
        records = api.records(dataset["id"])
        assert len(records) == 3
        for record in records:
            instruction = record["fields"]["instruction"]
            assert record["fields"] == {
                "id": sha(instruction),
                "instruction": instruction,
                **{f"generations-{k}": f"Answer {k}: {instruction}" for k in range(4)},
            }
            assert record["suggestions"] == []
    finally:
        api.delete(f"/api/v1/datasets/{dataset['id']}")


def test_preference_to_argilla_four_generations_partial_ratings(api, workspace, api_url, owner_key):
    # Rows straight from data: fewer generations than num_generations (the extra fields are not
    # required), ratings with gaps and out-of-range values (the step drops those), a rationale
    # missing for one generation.
    data = [
        {
            "instruction": "Rank four replies.",
            "generations": ["one", "two", "three", "four"],
            "ratings": [5, None, 3, 9],
            "rationales": ["best", "n/a", None, "off the scale"],
        },
        {
            "instruction": "Only three replies here.",
            "generations": ["alpha", "beta", "gamma"],
            "ratings": [1, 2, 3],
            "rationales": ["r1", "r2", "r3"],
        },
    ]
    dataset_name = name("preference-partial")
    with Pipeline(name=f"preference-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=data)
        push = PreferenceToArgilla(
            num_generations=4,
            dataset_name=dataset_name,
            dataset_workspace=workspace["name"],
            api_url=api_url,
            api_key=owner_key,
        )
        load >> push
    run(pipeline)

    dataset = api.dataset(dataset_name, workspace["id"])
    fields, questions = settings(api, dataset["id"])
    check_preference_settings(fields, questions, 4)
    records = {r["fields"]["instruction"]: r for r in api.records(dataset["id"])}
    assert set(records) == {"Rank four replies.", "Only three replies here."}

    first = records["Rank four replies."]
    assert [first["fields"][f"generations-{k}"] for k in range(4)] == ["one", "two", "three", "four"]
    assert {k: s["value"] for k, s in suggestions_by_name(first, questions).items()} == {
        "generations-0-rating": 5,
        "generations-2-rating": 3,
        "generations-0-rationale": "best",
        "generations-1-rationale": "n/a",
        "generations-3-rationale": "off the scale",
    }

    second = records["Only three replies here."]
    assert "generations-3" not in second["fields"]
    assert second["fields"]["generations-2"] == "gamma"
    assert {k: s["value"] for k, s in suggestions_by_name(second, questions).items()} == {
        "generations-0-rating": 1,
        "generations-1-rating": 2,
        "generations-2-rating": 3,
        "generations-0-rationale": "r1",
        "generations-1-rationale": "r2",
        "generations-2-rationale": "r3",
    }

    # Suggestions are searchable like any others: filter on the rating suggestion's value.
    rating0 = next(q for q in questions if q["name"] == "generations-0-rating")
    hits = api.post(
        f"/api/v1/datasets/{dataset['id']}/records/search",
        {
            "query": {},
            "filters": {
                "and": [
                    {
                        "type": "terms",
                        "scope": {"entity": "suggestion", "question": rating0["name"], "property": "value"},
                        "values": ["5"],
                    }
                ]
            },
        },
        expect=200,
    )
    assert [h["record"]["fields"]["instruction"] for h in hits["items"]] == ["Rank four replies."]


@pytest.mark.parametrize("n", [2, 3])
def test_preference_settings_for_other_sizes(api, workspace, api_url, owner_key, n):
    # load() alone creates the dataset (no records): the settings for 2..4 generations.
    step = PreferenceToArgilla(
        num_generations=n,
        dataset_name=name(f"preference-{n}"),
        dataset_workspace=workspace["name"],
        api_url=api_url,
        api_key=owner_key,
    )
    step.load()
    dataset = api.dataset(step.dataset_name, workspace["id"])
    fields, questions = settings(api, dataset["id"])
    check_preference_settings(fields, questions, n)
    assert api.records(dataset["id"]) == []


MANY = [f"Question {i}: why is the sky blue?" for i in range(7)]


def preference_pipeline(dataset_name, workspace, api_url, api_key, instructions):
    # Small batches everywhere: the loader emits 2 rows at a time and the Argilla step pushes
    # every 2 rows, so the dataset fills over several process() calls while the pipeline runs.
    with Pipeline(name=f"preference-{dataset_name}-{len(instructions)}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in instructions], batch_size=2)
        generate = TextGeneration(
            llm=CannedLLM(),
            num_generations=3,
            group_generations=True,
            input_batch_size=2,
            output_mappings={"generation": "generations"},
        )
        judge = UltraFeedback(llm=CannedJudge(ratings=[3, 5, 1]), aspect="honesty", input_batch_size=3)
        push = PreferenceToArgilla(
            num_generations=3,
            dataset_name=dataset_name,
            dataset_workspace=workspace,
            api_url=api_url,
            api_key=api_key,
            input_batch_size=2,
        )
        load >> generate >> judge >> push
    return pipeline


def test_preference_three_generations_in_batches_then_rerun(api, workspace, api_url, owner_key):
    dataset_name = name("preference-three")
    run(preference_pipeline(dataset_name, workspace["name"], api_url, owner_key, MANY[:5]))
    dataset = api.dataset(dataset_name, workspace["id"])
    fields, questions = settings(api, dataset["id"])
    check_preference_settings(fields, questions, 3)
    records = api.records(dataset["id"])
    assert sorted(r["fields"]["instruction"] for r in records) == sorted(MANY[:5])

    # Running the pipeline again onto the existing dataset (the step finds it by name and
    # workspace) appends to it; the settings stay as they were.
    run(preference_pipeline(dataset_name, workspace["name"], api_url, owner_key, MANY[5:]))
    assert api.dataset(dataset_name, workspace["id"])["id"] == dataset["id"]
    again_fields, again_questions = settings(api, dataset["id"])
    assert [f["id"] for f in again_fields] == [f["id"] for f in fields]
    assert [q["id"] for q in again_questions] == [q["id"] for q in questions]
    records = api.records(dataset["id"])
    assert sorted(r["fields"]["instruction"] for r in records) == sorted(MANY)
    for record in records:
        instruction = record["fields"]["instruction"]
        assert record["fields"] == {
            "id": sha(instruction),
            "instruction": instruction,
            **{f"generations-{k}": f"Answer {k}: {instruction}" for k in range(3)},
        }
        assert {k: s["value"] for k, s in suggestions_by_name(record, questions).items()} == {
            "generations-0-rating": 3,
            "generations-1-rating": 5,
            "generations-2-rating": 1,
            "generations-0-rationale": "text 1 is rated 3.",
            "generations-1-rationale": "text 2 is rated 5.",
            "generations-2-rationale": "text 3 is rated 1.",
        }
    progress = api.get(f"/api/v1/datasets/{dataset['id']}/progress")
    assert progress["total"] == len(MANY) and progress["pending"] == len(MANY)


def test_text_generation_in_batches(api, workspace, api_url, owner_key):
    dataset_name = name("textgen-batches")
    with Pipeline(name=f"textgen-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in MANY], batch_size=2)
        generate = TextGeneration(llm=CannedLLM(), num_generations=3, group_generations=True, input_batch_size=2)
        push = TextGenerationToArgilla(
            dataset_name=dataset_name,
            dataset_workspace=workspace["name"],
            api_url=api_url,
            api_key=owner_key,
            input_batch_size=3,
        )
        load >> generate >> push
    run(pipeline)
    dataset = api.dataset(dataset_name, workspace["id"])
    records = api.records(dataset["id"])
    got = sorted((r["fields"]["instruction"], r["fields"]["generation"]) for r in records)
    assert got == sorted((i, f"Answer {k}: {i}") for i in MANY for k in range(3))


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def test_preference_dataset_switched_to_pairwise_and_answered(api, workspace, api_url, owner_key):
    """Issue 22: the dataset PreferenceToArgilla made (judge ratings 4 vs 2 as suggestions) becomes
    pairwise without re-logging; answers saved the way the web UI saves them (canonical values, the
    shown order in `loam_shown`) read back canonical; the judge's ratings count as its verdict in the
    audit; a dpo export takes the pairwise answers directly."""
    dataset_name = name("preference-pairwise")
    with Pipeline(name=f"preference-{dataset_name}") as pipeline:
        load = LoadDataFromDicts(data=[{"instruction": i} for i in INSTRUCTIONS])
        generate = TextGeneration(
            llm=CannedLLM(), num_generations=2, group_generations=True, output_mappings={"generation": "generations"}
        )
        judge = UltraFeedback(llm=CannedJudge(ratings=[4, 2]), aspect="honesty")
        push = PreferenceToArgilla(
            num_generations=2,
            dataset_name=dataset_name,
            dataset_workspace=workspace["name"],
            api_url=api_url,
            api_key=owner_key,
        )
        load >> generate >> judge >> push
    run(pipeline)
    dataset = api.dataset(dataset_name, workspace["id"])
    assert dataset["status"] == "ready", "distilabel publishes the dataset"

    pairing = api.post(
        f"/api/v1/datasets/{dataset['id']}/pairwise",
        {
            "name": "preference",
            "a": "generations-0",
            "b": "generations-1",
            "ratings": {"a": "generations-0-rating", "b": "generations-1-rating"},
        },
    )
    assert (pairing["a"], pairing["b"]) == ("generations-0", "generations-1")
    fields, questions = settings(api, dataset["id"])
    by_name = {q["name"]: q for q in questions}
    assert by_name["preference"]["settings"]["type"] == "label_selection"
    assert [o["value"] for o in by_name["preference"]["settings"]["options"]] == ["A", "B", "tie", "both_bad"]

    me = api.get("/api/v1/me")
    records = api.records(dataset["id"])
    assert len(records) == len(INSTRUCTIONS), "nothing was re-logged"
    orders = {}
    for record in records:
        shown = "ab" if fnv1a32(f"{me['id']}:{record['id']}:{pairing['question_id']}") % 2 == 0 else "ba"
        orders[record["id"]] = shown
        # People agree with the judge (generations-0 rated 4 beats generations-1 rated 2): canonical A,
        # whichever side the screen put it on.
        api.post(
            f"/api/v1/records/{record['id']}/responses",
            {
                "status": "submitted",
                "values": {
                    "preference": {"value": "A"},
                    "preference-strength": {"value": "clear"},
                    "generations-0-rating": {"value": 4},
                },
                "loam_shown": {"preference": shown},
            },
        )

    answers = api.get(f"/api/v1/datasets/{dataset['id']}/pairwise/answers", question="preference")["items"]
    assert sorted((a["record_id"], a["shown"], a["value"], a["strength"]) for a in answers) == sorted(
        (rid, shown, "A", "clear") for rid, shown in orders.items()
    )
    for record in api.records(dataset["id"]):
        (response,) = record["responses"]
        assert response["values"]["preference"] == {"value": "A"}, "read back canonical"

    audit = api.get(f"/api/v1/datasets/{dataset['id']}/agreement/judges")
    (question,) = [q for q in audit["questions"] if q["question"] == "preference"]
    (agent,) = question["agents"]  # distilabel logs suggestions without an agent
    assert agent["agreement"]["n"] == len(INSTRUCTIONS) and agent["agreement"]["value"] == 1.0

    reply = api.client.post(
        f"/api/v1/datasets/{dataset['id']}/exports",
        json={
            "shape": "dpo",
            "format": "jsonl",
            "mapping": {"prompt": "instruction", "pairwise": {"question": "preference"}},
        },
    )
    assert reply.status_code == 200, reply.text
    rows = sorted((json.loads(line) for line in reply.text.splitlines() if line.strip()), key=lambda r: r["prompt"])
    assert [(r["prompt"], r["chosen"], r["rejected"]) for r in rows] == sorted(
        (i, f"Answer 0: {i}", f"Answer 1: {i}") for i in INSTRUCTIONS
    ), "dpo rows from the pairwise answers: A (generations-0) chosen"
