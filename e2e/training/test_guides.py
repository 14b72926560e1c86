"""The Feedback guides' flows, end to end: three annotators answer in loam, the server unifies
their answers with the strategies the guides describe and exports training data that the
`datasets` library loads; every figure and row is compared with a hand computation."""

import io
import json
import tarfile
from pathlib import Path

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
