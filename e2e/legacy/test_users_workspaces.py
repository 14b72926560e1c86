"""Users and workspaces through the legacy SDK (the unversioned /api routes and v1 listings)."""

import argilla as rg
import pytest


def test_me_is_the_owner(owner_key):
    me = rg.User.me()
    assert me.username == "owner"
    assert me.is_owner and me.role.value == "owner"
    # loam keeps only digests of API keys: they are shown once, at creation or rotation, and
    # later reads carry a placeholder that says so.
    assert me.api_key != owner_key and "shown once" in me.api_key
    # Owners see every workspace.
    names = {ws.name for ws in me.workspaces}
    assert "argilla" in names


def test_user_lifecycle(unique, api_url, owner_key):
    ws_a = rg.Workspace.create(unique("team-a"))
    ws_b = rg.Workspace.create(unique("team-b"))
    username = unique("alice")
    user = rg.User.create(
        username,
        "a-long-password",
        first_name="Alice",
        last_name="Liddell",
        role="admin",
        workspaces=[ws_a.name],
    )
    try:
        assert user.username == username
        assert user.full_name == "Alice Liddell"
        assert user.role.value == "admin"
        assert user.api_key

        assert rg.User.from_name(username).id == user.id
        assert rg.User.from_id(user.id).username == username
        assert username in [u.username for u in rg.User.list()]

        # Memberships, as the SDK shows them to an owner.
        assert [ws.name for ws in user.workspaces] == [ws_a.name]
        ws_b.add_user(user.id)
        assert sorted(ws.name for ws in user.workspaces) == sorted([ws_a.name, ws_b.name])
        assert username in [u.username for u in ws_b.users]
        ws_b.delete_user(user.id)
        assert username not in [u.username for u in ws_b.users]

        # The user's own view: rg.init with their key, then me() and their workspaces.
        rg.init(api_url=api_url, api_key=user.api_key)
        me = rg.User.me()
        assert me.username == username and me.is_admin
        assert [ws.name for ws in me.workspaces] == [ws_a.name]
        # Admins cannot manage users (the SDK checks the role it got from GET /api/me).
        with pytest.raises(PermissionError):
            rg.User.list()
    finally:
        rg.init(api_url=api_url, api_key=owner_key)
        user.delete()
    with pytest.raises(ValueError):
        rg.User.from_name(username)
    ws_a.delete()
    ws_b.delete()


def test_user_errors(unique):
    username = unique("bob")
    user = rg.User.create(username, "a-long-password", role="annotator")
    try:
        with pytest.raises(KeyError):
            rg.User.create(username, "a-long-password")
        with pytest.raises(ValueError):
            rg.User.create(unique("carol"), "short")  # the password is too short for the server
        with pytest.raises(ValueError):
            rg.User.create(unique("dave"), "a-long-password", workspaces=["no-such-workspace"])
    finally:
        user.delete()


def test_workspace_lifecycle(unique):
    name = unique("ws")
    ws = rg.Workspace.create(name)
    assert ws.name == name
    assert rg.Workspace.from_name(name).id == ws.id
    assert rg.Workspace.from_id(ws.id).name == name
    assert name in [w.name for w in rg.Workspace.list()]
    assert ws.users == []

    with pytest.raises(ValueError):
        rg.Workspace.create(name)  # already exists

    ann = rg.User.create(unique("ann"), "a-long-password", role="annotator")
    try:
        ws.add_user(ann.id)
        assert [u.username for u in ws.users] == [ann.username]
        with pytest.raises(ValueError):
            ws.add_user(ann.id)  # already a member
        ws.delete_user(ann.id)
        assert ws.users == []
        with pytest.raises(ValueError):
            ws.delete_user(ann.id)  # not a member
    finally:
        ann.delete()

    # A workspace with a dataset cannot be deleted; once the dataset is gone it can.
    local = rg.FeedbackDataset(
        fields=[rg.TextField(name="text")],
        questions=[rg.TextQuestion(name="answer")],
    )
    remote = local.push_to_argilla(name=unique("blocker"), workspace=name, show_progress=False)
    with pytest.raises(Exception):
        ws.delete()
    remote.delete()
    ws.delete()
    with pytest.raises(ValueError):
        rg.Workspace.from_name(name)


def test_init_with_a_workspace(api_url, owner_key, unique):
    ws = rg.Workspace.create(unique("home"))
    rg.init(api_url=api_url, api_key=owner_key, workspace=ws.name)
    # Without `workspace=`, push_to_argilla uses the one given to init.
    local = rg.FeedbackDataset(fields=[rg.TextField(name="text")], questions=[rg.TextQuestion(name="answer")])
    remote = local.push_to_argilla(name=unique("in-home"), show_progress=False)
    assert remote.workspace.name == ws.name
    assert rg.FeedbackDataset.from_argilla(name=remote.name).id == remote.id
    remote.delete()
    ws.delete()
    with pytest.raises(Exception):
        rg.init(api_url=api_url, api_key=owner_key, workspace=unique("missing"))


def test_raw_users_listing_splits_records_among_annotators(unique, api_url, owner_key, api_as):
    """The guides' manual split: GET /api/users with the API key header, keep the annotators of a
    workspace (by `role` and `workspaces`), hand each a share of the records through a terms
    metadata property, and let each answer only their share."""
    import httpx

    workspace = rg.Workspace.create(unique("split"))
    annotators = [
        rg.User.create(unique(f"split{i}"), "annotator-pass-1", role="annotator", workspaces=[workspace.name])
        for i in range(3)
    ]
    admin = rg.User.create(unique("splitadmin"), "admin-pass-1", role="admin", workspaces=[workspace.name])
    outsider = rg.User.create(unique("outsider"), "annotator-pass-1", role="annotator")
    try:
        reply = httpx.get(f"{api_url}/api/users", headers={"X-Argilla-Api-Key": owner_key})
        assert reply.status_code == 200, reply.text
        users = reply.json()
        assert isinstance(users, list)
        for user in users:
            assert user["role"] in {"owner", "admin", "annotator"}
            assert isinstance(user["workspaces"], list)
        roles = {u["username"]: u["role"] for u in users}
        assert roles["owner"] == "owner" and roles[admin.username] == "admin"
        team = sorted(
            u["username"] for u in users if u["role"] == "annotator" and workspace.name in u["workspaces"]
        )
        assert team == sorted(a.username for a in annotators)
        assert outsider.username not in team

        # Only owners may list users: an annotator's key gets a 403, not someone else's data.
        denied = httpx.get(f"{api_url}/api/users", headers={"X-Argilla-Api-Key": annotators[0].api_key})
        assert denied.status_code == 403

        local = rg.FeedbackDataset(
            fields=[rg.TextField(name="text")],
            questions=[rg.LabelQuestion(name="ok", labels=["yes", "no"])],
            metadata_properties=[rg.TermsMetadataProperty(name="annotator", values=team)],
        )
        local.add_records(
            [
                rg.FeedbackRecord(fields={"text": f"item {i}"}, metadata={"annotator": team[i % len(team)]})
                for i in range(9)
            ]
        )
        remote = local.push_to_argilla(name=unique("split"), workspace=workspace.name, show_progress=False)
        keys = {a.username: a.api_key for a in annotators}
        for username in team:
            share = remote.filter_by(metadata_filters=rg.TermsMetadataFilter(name="annotator", values=[username]))
            assert len(share) == 3
            api = api_as(keys[username])
            for record in share:
                api.post(f"/api/v1/records/{record.id}/responses", {"status": "submitted", "values": {"ok": {"value": "yes"}}})
        by_id = {str(u["id"]): u["username"] for u in users}
        for record in rg.FeedbackDataset.from_argilla(name=remote.name, workspace=workspace.name).records:
            (response,) = record.responses
            assert by_id[str(response.user_id)] == record.metadata["annotator"]
        remote.delete()
    finally:
        for user in [*annotators, admin, outsider]:
            user.delete()
        workspace.delete()
