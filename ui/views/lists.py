"""阅读清单 — reading lists: members read published lists at the source and mark items read; organisers
also create, edit, reorder, publish, duplicate and export lists and see who has finished what.

Every write goes through `lists.store` / `lists.progress` with the logged-in user, which check roles
themselves; buttons pass the list revision that was on screen, so a stale page gets a conflict
message instead of overwriting someone else's edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from lists import progress, store
from lists.export import booklet_docx, booklet_markdown, booklet_name, item_label, source_of
from lists.io import dumps, export_lists, import_lists
from lists.records import ReadingList, ResolvedItem
from lists.resolve import resolve
from search.highlight import escape_markdown
from studykb.auth import can
from studykb.errors import (
    IndexCorruptError,
    IndexMissingError,
    PermissionDenied,
    StudyKBError,
    ValidationError,
)
from ui import state
from ui.auth import require_login_if_configured
from ui.curate import lists_db
from ui.messages import error_text, file_problem
from ui.phone import page_title
from ui.reader import show_reader
from ui.url import adopt, publish, whole_number

ss = st.session_state
user = require_login_if_configured()
conn = lists_db()
organiser = can(user, "organiser")
has_account = user is not None and user.id > 0
version = state.current_version()
_PREVIEW = 160
_PUBLISHED = "已发布，党员现在可以看到此清单。"
_UNPUBLISHED = "已撤回为草稿，党员暂时看不到此清单。"
FAILED = object()


def _do(action: Callable[..., Any], *args: Any, done: str = "", **kwargs: Any) -> Any:
    """Run a store write as `user`; keep its outcome for the next run to show. FAILED on error."""
    try:
        result = action(conn, user, *args, **kwargs)
    except StudyKBError as exc:
        ss["rl_flash"] = ("error", error_text(exc))
        return FAILED
    if done:
        ss["rl_flash"] = ("success", done)
    return result


def _flash() -> None:
    kind, message = ss.pop("rl_flash", (None, ""))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")


def _open(list_id: int | None) -> None:
    ss["rl_open"], ss["rl_reader"] = list_id, None


def _facts(lst: ReadingList) -> str:
    parts = [f"面向：{lst.audience}" if lst.audience else "", f"学习时间：{lst.period}" if lst.period else "",
             f"共 {lst.n_items} 项", f"导入自 {lst.imported_from}" if lst.imported_from else ""]
    if organiser:
        parts += [f"编制：{lst.owner_name}" if lst.owner_name else "", f"更新于 {lst.updated_at[:10]}"]
    return " · ".join(escape_markdown(p) for p in parts if p)


def _badge(lst: ReadingList) -> str:
    return ":green-badge[已发布]" if lst.published else ":orange-badge[草稿]"


# -- overview --------------------------------------------------------------------------------------


def _create_form() -> None:
    with st.expander("＋ 新建清单", expanded=False), st.form("rl-new", clear_on_submit=True):
        title = st.text_input("标题", placeholder="如：2024年5月主题教育必读篇目")
        audience = st.text_input("面向", placeholder="如：机关第一党支部全体党员")
        description = st.text_area("说明", placeholder="学习要求、讨论安排等")
        use_period = st.checkbox("设定学习时间")
        c1, c2 = st.columns(2)
        start = c1.date_input("开始日期", value=dt.date.today())
        end = c2.date_input("结束日期", value=dt.date.today() + dt.timedelta(days=30))
        if st.form_submit_button("创建清单", type="primary"):
            if not title.strip():
                st.error("请填写标题。")
                return
            created = _do(store.create_list, title, description=description, audience=audience,
                          period_start=start if use_period else None, period_end=end if use_period else None,
                          done="清单已创建。可在检索页的结果上点“＋ 本段 / ＋ 全文”加入篇目。")
            if created is not FAILED:
                _open(created.id)
                st.rerun()


def _import_box() -> None:
    with st.expander("导入 / 导出 JSON"):
        st.caption("JSON 文件用于备份或在不同安装之间迁移清单（不含阅读进度）。")
        st.download_button("导出全部清单（JSON）", data=lambda: dumps(export_lists(conn, user)),
                           file_name="reading-lists.json", mime="application/json", key="rl-json-all",
                           on_click="ignore")
        upload = st.file_uploader("导入 JSON 文件", type=["json"], key="rl-upload")
        as_draft = st.checkbox("全部作为草稿导入", value=True, key="rl-upload-draft")
        if upload is not None and st.button("导入", key="rl-import"):
            try:
                created = import_lists(conn, user, upload.getvalue(), as_draft=as_draft, source=upload.name)
            except StudyKBError as exc:
                ss["rl_flash"] = ("error", file_problem(exc, upload.name))
            else:
                ss["rl_flash"] = ("success", f"已导入 {len(created)} 个清单。")
            st.rerun()


def _overview() -> None:
    if organiser:
        _create_form()
        _import_box()
    visible = store.lists_for(conn, user)
    if not visible:
        st.info("还没有清单。请在上方新建，或在检索页的结果上点“＋ 本段 / ＋ 全文”。" if organiser
                else "目前还没有发布的阅读清单。")
        return
    if user is None:
        st.caption("登录后可以记录自己的阅读进度。")
    for lst in visible:
        with st.container(border=True):
            badge = f" {_badge(lst)}" if organiser else ""
            st.markdown(f"#### {escape_markdown(lst.title)}{badge}")
            st.caption(_facts(lst))
            if lst.description:
                st.markdown(escape_markdown(_shorten(lst.description)))
            if has_account and lst.n_items:
                read = len(progress.progress(conn, user, lst.id))
                st.progress(read / lst.n_items, text=f"我的进度：已读 {read} / {lst.n_items}")
            if organiser and lst.published:
                c = progress.completion(conn, user, lst.id)
                st.caption(f"完成情况：{c.members} 名党员账号中 {c.finished} 人已全部读完")
            st.button("打开", key=f"rl-open-{lst.id}", on_click=_open, args=(lst.id,))


# -- one list --------------------------------------------------------------------------------------


def _shorten(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[:_PREVIEW] + "……"


def _item_text(r: ResolvedItem) -> str:
    return _shorten(r.text) if r.item.kind == "document" else r.text


def _item_card(n: int, r: ResolvedItem, read_at: str | None) -> None:
    with st.container(border=True):
        done = " :green[:material/check_circle:]" if read_at else ""
        st.markdown(f"**{escape_markdown(f'{n}. {item_label(r)}')}**{done}")
        # Issuing body, title, date and page as the booklet prints them (no file name: maintainers' detail).
        where = " › ".join(r.heading_path) if r.item.kind == "passage" and r.heading_path else ""
        st.caption(escape_markdown(" · ".join(x for x in (source_of(r), where) if x)))
        if r.item.note:
            st.info(escape_markdown(r.item.note), icon=":material/edit_note:")
        if r.status == "missing":
            st.warning(("该文档已不在当前资料库中。" if r.item.kind == "document" else
                        "该段落在当前资料库中已找不到（原文可能已修改或删除），以下为加入清单时保存的文字。"),
                       icon=":material/warning:")
        elif r.status == "relocated":
            st.caption(":blue[原文档已更新，此段落已自动对应到新版本中的位置。]")
        if r.text:
            st.markdown(escape_markdown(_item_text(r)))
        row = st.container(horizontal=True, vertical_alignment="center")
        row.button("阅读原文", key=f"rl-read-src-{r.item.id}", icon=":material/menu_book:",
                   disabled=r.chunk_id is None, on_click=lambda: ss.update(rl_reader=r.item.id))
        if has_account:
            if read_at:
                row.button("取消已读", key=f"rl-unread-{r.item.id}", on_click=_do,
                           args=(progress.mark_read, r.item.id, False))
                row.caption(f"已于 {read_at[:10]} 读过")
            else:
                row.button("标记已读", key=f"rl-mark-{r.item.id}", type="primary", icon=":material/check:",
                           on_click=_do, args=(progress.mark_read, r.item.id, True))


def _read_tab(lst: ReadingList, resolved: list[ResolvedItem], mine: dict[int, str]) -> None:
    if not resolved:
        st.info("清单中还没有篇目。组织员可在检索页的结果上点“＋ 本段 / ＋ 全文”加入。")
    for n, r in enumerate(resolved, start=1):
        _item_card(n, r, mine.get(r.item.id))


def _date(iso: str | None) -> dt.date:
    return dt.date.fromisoformat(iso) if iso else dt.date.today()


def _meta_form(lst: ReadingList) -> None:
    form = f"rl-meta-{lst.id}-{lst.revision}"
    with st.expander("清单信息：标题、面向、说明、学习时间"), st.form(form, border=False):
        title = st.text_input("标题", value=lst.title)
        audience = st.text_input("面向", value=lst.audience)
        description = st.text_area("说明", value=lst.description)
        use_period = st.checkbox("设定学习时间", value=bool(lst.period_start or lst.period_end))
        c1, c2 = st.columns(2)
        start = c1.date_input("开始日期", value=_date(lst.period_start))
        end = c2.date_input("结束日期", value=_date(lst.period_end))
        if st.form_submit_button("保存清单信息"):
            _do(store.update_list, lst.id, lst.revision, title=title, description=description,
                audience=audience, period_start=start if use_period else None,
                period_end=end if use_period else None, done="清单信息已保存。")
            st.rerun()


def _edit_tab(lst: ReadingList, resolved: list[ResolvedItem]) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")
    if lst.published:
        row.button("撤回为草稿", key="rl-unpublish", on_click=_do,
                   args=(store.unpublish, lst.id, lst.revision), kwargs={"done": _UNPUBLISHED})
    else:
        row.button("发布", key="rl-publish", type="primary", on_click=_do,
                   args=(store.publish, lst.id, lst.revision), kwargs={"done": _PUBLISHED},
                   disabled=not resolved,
                   help="清单至少要有一项才能发布" if not resolved else None)
    if row.button("复制为新清单", key="rl-duplicate"):
        copy = _do(store.duplicate_list, lst.id, done="已复制为新的草稿清单。")
        if copy is not FAILED:
            _open(copy.id)
            st.rerun()
    with row.popover("删除清单"):
        st.caption("删除后清单、篇目和所有人的阅读进度都会清除，无法恢复。")
        if st.button("确认删除", key="rl-delete", type="primary"):
            if _do(store.delete_list, lst.id, lst.revision, done="清单已删除。") is not FAILED:
                _open(None)
            st.rerun()
    _meta_form(lst)
    st.markdown("##### 篇目")
    for n, r in enumerate(resolved, start=1):
        with st.container(border=True):
            head = st.container(horizontal=True, vertical_alignment="center")
            flag = " :red[（原文已找不到）]" if r.missing else ""
            head.markdown(f"**{escape_markdown(f'{n}. {item_label(r)}')}**{flag}", width="stretch")
            head.button("↑", key=f"rl-up-{r.item.id}", disabled=n == 1, help="上移",
                           on_click=_do, args=(store.move_item, r.item.id, lst.revision, -1))
            head.button("↓", key=f"rl-down-{r.item.id}", disabled=n == len(resolved), help="下移",
                           on_click=_do, args=(store.move_item, r.item.id, lst.revision, 1))
            head.button("移除", key=f"rl-remove-{r.item.id}", on_click=_do,
                           args=(store.remove_item, r.item.id, lst.revision), kwargs={"done": "已移除。"})
            note_key = f"rl-note-{r.item.id}-{lst.revision}"
            st.text_area("组织员按语", value=r.item.note, key=note_key, height=80,
                         placeholder="为党员写几句导读：重点、思考题、讨论安排……")
            saved = st.container(horizontal=True, vertical_alignment="center")
            saved.button("保存按语", key=f"rl-note-save-{r.item.id}", on_click=_save_note,
                         args=(r.item.id, lst.revision, note_key))
            if ss.get("rl_note_saved") == r.item.id:
                # The confirmation stays beside the note it is about (not at the top of the page).
                saved.markdown(":green[:material/check_circle: 按语已保存]", width="content")


def _save_note(item_id: int, revision: int, note_key: str) -> None:
    """Save one item's note; a success is shown beside that note, an error at the top as usual."""
    ss["rl_note_saved"] = None
    if _do(store.set_note, item_id, revision, ss[note_key]) is not FAILED:
        ss["rl_note_saved"] = item_id


def _completion_tab(lst: ReadingList, resolved: list[ResolvedItem]) -> None:
    c = progress.completion(conn, user, lst.id)
    m1, m2 = st.columns(2)
    m1.metric("党员账号数", c.members)
    m2.metric("全部读完的人数", c.finished)
    rows = [{"序号": n, "篇目": item_label(r), "已读人数": c.readers.get(r.item.id, 0),
             "完成率": f"{c.readers.get(r.item.id, 0) / c.members:.0%}" if c.members else "—"}
            for n, r in enumerate(resolved, start=1)]
    if rows:
        st.dataframe(rows, hide_index=True, key="rl-completion")
    st.caption("已读人数包括所有标记过“已读”的账号；完成率按党员账号数计算。")
    roles = {"member": "党员", "organiser": "组织员", "maintainer": "管理员"}
    people = [{"姓名": p.label, "账号": p.username, "角色": roles.get(p.role, p.role),
               "已读": f"{p.read} / {len(resolved)}", "最近阅读": (p.last_read or "")[:10]} for p in c.people]
    if people:
        st.markdown("##### 个人进度")
        st.dataframe(people, hide_index=True, key="rl-people")


def _export_tab(lst: ReadingList, resolved: list[ResolvedItem]) -> None:
    st.caption("小册子包含封面、目录、按语、每一项的全文及出处（标题、日期、页码）。")
    row = st.container(horizontal=True)
    row.download_button("下载 Word 小册子（.docx）", data=lambda: booklet_docx(lst, resolved),
                        file_name=booklet_name(lst, ".docx"), key="rl-dl-docx", on_click="ignore",
                        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    row.download_button("下载 Markdown（.md）", data=lambda: booklet_markdown(lst, resolved),
                        file_name=booklet_name(lst, ".md"), mime="text/markdown", key="rl-dl-md",
                        on_click="ignore")
    if organiser:
        row.download_button("导出 JSON", data=lambda: dumps(export_lists(conn, user, [lst.id])),
                            file_name=booklet_name(lst, ".json"), mime="application/json", key="rl-dl-json",
                            on_click="ignore")
    missing = sum(r.missing for r in resolved)
    if missing:
        st.warning(f"有 {missing} 项在当前资料库中已找不到，小册子中将注明并使用加入清单时保存的文字。")


def _list_view(list_id: int) -> None:
    st.button("返回清单列表", key="rl-back", icon=":material/arrow_back:", on_click=_open, args=(None,))
    try:
        lst = store.get_list(conn, user, list_id)
    except StudyKBError as exc:
        # A missing list and someone else's draft read the same: a stale link tells nothing of a draft.
        hidden = isinstance(exc, (ValidationError, PermissionDenied))
        st.warning("无法打开该清单：它不存在、已被删除，或尚未发布。" if hidden
                   else f"无法打开该清单：{error_text(exc)}")
        return
    badge = f" {_badge(lst)}" if organiser else ""
    st.markdown(f"## {escape_markdown(lst.title)}{badge}")
    st.caption(_facts(lst))
    if lst.description:
        st.markdown(escape_markdown(lst.description))
    resolved = resolve(conn, store.items(conn, user, list_id), version)
    mine = progress.progress(conn, user, list_id) if has_account else {}
    if has_account and resolved:
        st.progress(len(mine) / len(resolved), text=f"我的进度：已读 {len(mine)} / {len(resolved)}")
    elif user is None and resolved:
        st.caption("登录后可以标记已读、记录自己的阅读进度。")
    names = ["阅读", "编辑", "完成情况", "导出"] if organiser else ["阅读", "导出"]
    # The open tab is kept across reruns: a save in 编辑 leaves the organiser in 编辑.
    tabs = dict(zip(names, st.tabs(names, key=f"rl-tab-{list_id}", on_change="rerun"), strict=True))
    with tabs["阅读"]:
        _read_tab(lst, resolved, mine)
    with tabs["导出"]:
        _export_tab(lst, resolved)
    if organiser:
        with tabs["编辑"]:
            _edit_tab(lst, resolved)
        with tabs["完成情况"]:
            _completion_tab(lst, resolved)


def _reader(item_id: int) -> None:
    top = st.container(horizontal=True, vertical_alignment="center")
    top.button("返回清单", key="rl-reader-back", icon=":material/arrow_back:",
               on_click=lambda: ss.update(rl_reader=None))
    try:
        item = store.get_item(conn, user, item_id)
        siblings = [i.id for i in store.items(conn, user, item.list_id)]
        n = siblings.index(item.id)
        top.caption(f"第 {n + 1} 项 / 共 {len(siblings)} 项", width="stretch")
        top.button("上一项", key="rl-reader-prev", icon=":material/chevron_left:", disabled=n == 0,
                   on_click=lambda: ss.update(rl_reader=siblings[n - 1]))
        top.button("下一项", key="rl-reader-next", icon=":material/chevron_right:", icon_position="right",
                   disabled=n == len(siblings) - 1, on_click=lambda: ss.update(rl_reader=siblings[n + 1]))
        r = resolve(conn, [item], version)[0]
        if r.item.note:
            st.info(escape_markdown(r.item.note), icon=":material/edit_note:")
        if r.chunk_id is None:
            st.warning("该篇目在当前资料库中已找不到，无法打开原文。")
            return
        engine = state.engine()
        show_reader(engine, engine.passage(r.chunk_id))
    except IndexMissingError:
        st.warning("还没有可阅读的索引：请维护人员先导入资料。")
        return
    except IndexCorruptError as exc:
        st.error(state.index_error_text(exc))
        return
    except StudyKBError as exc:
        st.error(f"无法打开原文：{error_text(exc)}")
        return
    if has_account:
        read = item.id in progress.progress(conn, user, item.list_id)
        st.button("取消已读" if read else "标记已读", key="rl-reader-mark",
                  type="secondary" if read else "primary", icon=None if read else ":material/check:",
                  on_click=_do, args=(progress.mark_read, item.id, not read))


adopt("list", "rl_open", whole_number)
adopt("item", "rl_reader", whole_number)
page_title("阅读清单")
_flash()
publish("list", ss.get("rl_open") or None)
publish("item", ss.get("rl_reader") or None)
if ss.get("rl_reader"):
    _reader(int(ss["rl_reader"]))
elif ss.get("rl_open"):
    _list_view(int(ss["rl_open"]))
else:
    _overview()
