"""Fixtures for the training-data suite: the v2 SDK (argilla 2.8) against a running loam, with
annotators answering over the HTTP API as themselves (the shared fixtures of `e2e/common/`).

Run through `bash e2e/run.sh training`, which starts loam and passes:
  LOAM_URL       the server's base URL (http://127.0.0.1:PORT)
  LOAM_API_KEY   the owner's API key
  LOAM_BIN       the loam binary (for `loam export`, which these tests do not run against the
                 server's data dir: they use the HTTP export)
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))

from sdk_team import Api, api_url, client, owner, owner_key, submit, team, unique  # noqa: E402,F401


@pytest.fixture
def team_prefix() -> str:
    return "guides"
