"""API keys: stored hashed, shown once, scoped to a role (never above the linked account's), revocable;
the `studykb keys` commands."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.keys import create_key, key_for_token, list_keys, revoke_key
from studykb import auth
from studykb.db import connect
from studykb.errors import ConfigError
from studykb_cli.main import cli
from tests.activity.activity_samples import import_sample_units


def test_only_the_hash_is_stored(db_target: Path | str, tmp_path: Path) -> None:
    conn = connect(db_target)
    import_sample_units(conn, tmp_path)
    key, token = create_key(conn, "portal", "organiser", unit="zz1")
    assert token.startswith("skb_") and len(token) > 40
    stored = conn.execute("SELECT token_hash, prefix FROM api_keys").fetchone()
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([list(r) for r in conn.execute("SELECT * FROM api_keys")])
    found = key_for_token(conn, token)
    assert found is not None and found[0] == key and found[1].role == "organiser" and found[1].id == -1
    assert key.unit == "zz1" and found[1].unit_scope == "zz1"
    with pytest.raises(ConfigError, match="no unit with id '浙江某支部'"):
        create_key(conn, "portal-zj", "organiser", unit="浙江某支部")
    assert key_for_token(conn, token + "x") is None and key_for_token(conn, "nonsense") is None


def test_linked_key_acts_as_the_account_with_the_lower_role(db_target: Path | str) -> None:
    conn = connect(db_target)
    user = auth.add_user(conn, "wangfang", None, "organiser")
    with pytest.raises(ConfigError, match="higher role"):
        create_key(conn, "too-strong", "maintainer", username="wangfang")
    _, token = create_key(conn, "app", "organiser", username="wangfang")
    auth.set_role(conn, "wangfang", "member")  # demoted later: the key follows
    found = key_for_token(conn, token)
    assert found is not None and found[1].id == user.id and found[1].role == "member"
    assert auth.require(conn, found[1], "member").role == "member"  # still a working key, not expired
    with pytest.raises(ConfigError, match="no user"):
        create_key(conn, "ghost", "member", username="nobody")


def test_names_are_unique_and_revocation_sticks(db_target: Path | str) -> None:
    conn = connect(db_target)
    _, token = create_key(conn, "portal")
    with pytest.raises(ConfigError, match="already exists"):
        create_key(conn, "portal")
    revoke_key(conn, "portal")
    assert key_for_token(conn, token) is None
    assert list_keys(conn) == [] and list_keys(conn, include_revoked=True)[0].revoked_at
    with pytest.raises(ConfigError, match="no active key"):
        revoke_key(conn, "portal")
    with pytest.raises(ConfigError, match="role"):
        create_key(conn, "bad-role", "admin")


def test_keys_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    (tmp_path / "data").mkdir()
    import_sample_units(connect(tmp_path / "data" / "studykb.db"), tmp_path)
    made = runner.invoke(
        cli, ["keys", "create", "portal-zj", "--role", "organiser", "--unit", "zb11", *data, "--json"]
    )
    assert made.exit_code == 0, made.output
    token = json.loads(made.output)["token"]
    listed = runner.invoke(cli, ["keys", "list", *data])
    assert "portal-zj" in listed.output and token[:8] in listed.output and token not in listed.output
    assert runner.invoke(cli, ["keys", "revoke", "portal-zj", *data]).exit_code == 0
    assert "portal-zj" not in runner.invoke(cli, ["keys", "list", *data]).output
    assert "revoked" in runner.invoke(cli, ["keys", "list", "--all", *data]).output
