"""Run in the legacy SDK's venv (argilla 1.29.1) by test_preference.py: reads a dataset as a
FeedbackDataset and prints {external_id: {user_id: value of "preference"}} as one JSON line."""

import json
import os
import sys

import argilla as rg


def main() -> None:
    name, workspace = sys.argv[1], sys.argv[2]
    rg.init(api_url=os.environ["LOAM_URL"], api_key=os.environ["LOAM_API_KEY"], workspace=workspace)
    dataset = rg.FeedbackDataset.from_argilla(name=name, workspace=workspace)
    values = {}
    for record in dataset.records:
        values[record.external_id] = {
            str(response.user_id): response.values["preference"].value
            for response in record.responses
            if "preference" in response.values
        }
    print(json.dumps(values))


if __name__ == "__main__":
    main()
