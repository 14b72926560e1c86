"""What the legacy SDK can do that loam does not support fails with an error that says so (never a
500, never a silent success)."""

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
        pytest.param(lambda: rg.list_datasets(), id="list_datasets"),
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
