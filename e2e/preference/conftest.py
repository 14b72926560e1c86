"""Fixtures for the preference suite (issue 22): the v2 SDK (argilla 2.8) against a running loam,
with annotators and an LLM judge answering over the HTTP API (the shared fixtures of
`e2e/common/`).

Run through `bash e2e/run.sh preference`, which starts loam and passes LOAM_URL (the server's base
URL) and LOAM_API_KEY (the owner's key).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))

from sdk_team import Api, api_url, client, owner, owner_key, team, unique  # noqa: E402,F401


@pytest.fixture
def team_prefix() -> str:
    return "pref"
