"""Who is using the app: login in the sidebar (local accounts, or OpenID Connect via st.login).

Pages call `current_user()` and pass the user to the stores, which check roles on the server for
every write (`studykb.auth.require`, against the account as it is now); the UI hiding a button is never
the only check. `current_user()` itself re-reads the logged-in account on every run: when a maintainer
changed its role or password or removed it, the session ends and the sidebar says so.
"""

from __future__ import annotations

import sqlite3
import threading

import streamlit as st

from studykb import auth, sessions
from studykb.auth import User
from studykb.config import Settings, load_settings
from studykb.db import connect
from studykb.errors import PermissionDenied, TooManyAttempts
from ui import state
from ui.session_cookie import clear_cookie, cookie_token, set_cookie

__all__ = ["current_user", "db", "require_login_if_configured", "settings", "sidebar_login"]

_ROLE_NAMES = {"member": "党员", "organiser": "组织员", "maintainer": "管理员"}


_local = threading.local()


def db() -> sqlite3.Connection:
    """A database connection for the current thread (WAL; writes go through `studykb.db.write`).

    Streamlit runs each browser session's script in its own thread; one connection per thread keeps
    one session's transaction from interleaving with another's.
    """
    path = state.data_dir()
    path.mkdir(parents=True, exist_ok=True)
    target = str(path / "studykb.db")
    conns: dict[str, sqlite3.Connection] = _local.__dict__.setdefault("conns", {})
    if target not in conns:
        conns[target] = connect(target)
    return conns[target]


def settings() -> Settings:
    """The data dir's settings (studykb.toml)."""
    return load_settings(state.data_dir())


def current_user() -> User | None:
    """The logged-in user of this browser session, or None."""
    conf = settings()
    if conf.oidc_enabled and getattr(st.user, "is_logged_in", False):
        email = str(st.user.get("email", "")).lower()
        known = auth.user_by_email(db(), email)
        if known:
            return known
        role = conf.oidc_roles.get(email, conf.oidc_default_role)
        return User(-1, email, role, str(st.user.get("name", "")), email)
    return _local_user()


def _local_user() -> User | None:
    """The local account of this browser session: resumed from its session token (the cookie the browser
    sent, or the one this session logged in with), read fresh from the database on every run, so that a
    removed account, a changed password or role (the account's session generation) or a logout ends it."""
    ss = st.session_state
    token = ss.get("session_token")
    sent = cookie_token()
    if token is None and sent and sent != ss.get("_dead_token"):
        token = sent
    if token is None:
        return _checked(ss.get("user"))  # set directly by tests and scripts, without a session
    now = sessions.resume(db(), token)  # the same rule as auth.current: the session generation
    if now is None:
        if token == ss.get("session_token"):  # this browser session's own login was ended
            ss["session_ended"] = True
        ss["_dead_token"], ss["_clear_cookie"] = token, token == sent
        ss.pop("session_token", None)
        ss.pop("user", None)
        return None
    ss["session_token"], ss["user"] = token, now
    return now


def _checked(user: User | None) -> User | None:
    """`user` as the account is now; None (and the session ends) when it was changed or removed."""
    if user is None:
        return None
    now = auth.current(db(), user)
    if now is None:  # the account was changed or removed since login: this session ends
        st.session_state.pop("user", None)
        st.session_state["session_ended"] = True
        return None
    if now != user:
        st.session_state["user"] = now
    return now


def _log_in(user: User) -> None:
    """Start a session for `user` that the browser keeps (set on the next run, in the sidebar)."""
    token = sessions.open_session(db(), user)
    st.session_state.update(user=user, session_token=token, _set_cookie=token)


def _log_out() -> None:
    ss = st.session_state
    token = ss.pop("session_token", None)
    if token:
        sessions.revoke(db(), token)
        ss["_dead_token"] = token
    ss.pop("user", None)
    ss["_clear_cookie"] = True


def _cookie_chores() -> None:
    """Set or clear the login cookie when a login or logout asked for it (a one-pixel frame)."""
    ss = st.session_state
    token = ss.pop("_set_cookie", None)
    if token:
        with st.sidebar:
            set_cookie(token)
    elif ss.pop("_clear_cookie", False):
        with st.sidebar:
            clear_cookie()


def sidebar_login() -> User | None:
    """Show the login box (or who is logged in, with a logout button) in the sidebar."""
    user = current_user()
    _cookie_chores()
    box = st.sidebar.container(border=True)
    if user:
        box.caption(f"已登录：{user.label}（{_ROLE_NAMES.get(user.role, user.role)}）")
        if box.button("退出登录", key="logout"):
            if settings().oidc_enabled and getattr(st.user, "is_logged_in", False):
                st.logout()
            _log_out()
            st.rerun()
        return user
    if settings().oidc_enabled:
        if box.button("登录", key="oidc-login"):
            st.login()
        return None
    if st.session_state.get("session_ended"):
        box.warning("您的账号已被管理员更改（角色或密码）或删除，登录已失效，请重新登录。", icon="🔒")
    with box.expander("登录", expanded=bool(st.session_state.get("login_error"))), \
            st.form("login", clear_on_submit=False, border=False):
        st.caption("组织员编辑清单和场馆需要登录")
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        if st.form_submit_button("登录"):
            try:
                _log_in(auth.authenticate(db(), name.strip(), password))
            except TooManyAttempts:
                st.session_state["login_error"] = True
                st.error("登录尝试过多，请 15 分钟后再试。")
            except PermissionDenied:
                st.session_state["login_error"] = True
                st.error("用户名或密码错误。")
            else:
                st.session_state.pop("login_error", None)
                st.session_state.pop("session_ended", None)
                st.rerun()
    if not auth.list_users(db()):
        box.caption("尚无账号。管理员可运行 `studykb users add NAME --role organiser` 创建第一个组织员账号。")
    return None


def require_login_if_configured() -> User | None:
    """Stop the page with a login prompt when the settings require a login to read."""
    user = sidebar_login()
    if settings().require_login and user is None:
        st.info("本站需要登录后才能检索和阅读。请在左侧登录。")
        st.stop()
    return user
