"""What the legacy SDK can do that loam does not support fails with an error that says so (never a
500, never a silent success)."""

import os
import subprocess
import sys

import argilla as rg
import pytest
from argilla.client.sdk.commons.errors import NotFoundApiError

UNSUPPORTED = "Not supported by loam"


@pytest.fixture
def in_default_workspace(api_url, owner_key):
    rg.init(api_url=api_url, api_key=owner_key, workspace="argilla")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: rg.log(rg.TextClassificationRecord(text="hello"), name="old-style"), id="log"),
        pytest.param(lambda: rg.log(rg.Text2TextRecord(text="hello"), name="old-style"), id="log-text2text"),
        pytest.param(
            lambda: rg.log(rg.TokenClassificationRecord(text="hello world", tokens=["hello", "world"]), name="old-style"),
            id="log-token",
        ),
        pytest.param(lambda: rg.load("old-style", query="hello", limit=5), id="load-query"),
        pytest.param(lambda: rg.load("old-style"), id="load"),
        pytest.param(lambda: rg.delete("old-style"), id="delete"),
        pytest.param(lambda: rg.copy("old-style", name_of_copy="copy"), id="copy"),
        pytest.param(
            lambda: rg.configure_dataset_settings("old-style", rg.TextClassificationSettings(label_schema=["a"])),
            id="settings",
        ),
    ],
)
def test_legacy_task_datasets_are_refused_clearly(in_default_workspace, call):
    with pytest.raises(NotFoundApiError) as err:
        call()
    assert UNSUPPORTED in str(err.value), str(err.value)
    assert "FeedbackDataset" in str(err.value)


def test_api_keys_are_not_readable_after_creation(unique):
    # loam stores API keys as digests: a user's key is returned when the user is created and never
    # again; later reads carry a placeholder that says so rather than a wrong key.
    user = rg.User.create(unique("keyless"), "a-long-password")
    try:
        assert len(user.api_key) >= 16 and "shown once" not in user.api_key
        again = rg.User.from_name(user.username)
        assert "shown once" in again.api_key
    finally:
        user.delete()


def test_server_info_works(api_url):
    info = rg.server_info()
    assert info.url == api_url
    assert info.version.startswith("2.")


def test_list_datasets_lists_feedback_datasets(unique, api_url, owner_key):
    # rg.list_datasets() (and the CLI's `argilla datasets list`) lists the 1.x task datasets next
    # to the FeedbackDatasets: loam has no task datasets, so only the FeedbackDatasets come back.
    workspace = rg.Workspace.create(unique("listing"))
    local = rg.FeedbackDataset(fields=[rg.TextField(name="text")], questions=[rg.TextQuestion(name="answer")])
    remote = local.push_to_argilla(name=unique("listed"), workspace=workspace.name, show_progress=False)
    try:
        listed = rg.list_datasets(workspace=workspace.name)
        assert [d.name for d in listed] == [remote.name]
        assert rg.list_datasets(type="other") == []
        assert remote.name in [d.name for d in rg.list_datasets()]

        # The CLI, logged in with the owner's key (HOME is a temp dir under e2e/run.sh).
        cli = [sys.executable, "-m", "argilla"]
        env = dict(os.environ, COLUMNS="300")
        login = subprocess.run(
            [*cli, "login", "--api-url", api_url, "--api-key", owner_key], env=env, capture_output=True, text=True
        )
        assert login.returncode == 0, login.stdout + login.stderr
        for command in (["info"], ["datasets", "list", "--workspace", workspace.name], ["workspaces", "list"]):
            run = subprocess.run([*cli, *command], env=env, capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, f"{command}: {run.stdout}{run.stderr}"
            assert "Error" not in run.stdout, run.stdout
        datasets = subprocess.run([*cli, "datasets", "list", "--workspace", workspace.name], env=env, capture_output=True, text=True)
        assert remote.name in datasets.stdout.replace("\n", ""), datasets.stdout
    finally:
        remote.delete()
        workspace.delete()
