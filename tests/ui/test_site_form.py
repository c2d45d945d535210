"""The site form's state: a real site's cells go into the widgets and come back unchanged; a new form
starts empty; a save forgets the form's values and findings only."""

from __future__ import annotations

from typing import Any

from sites import DEFAULT_SITES_PATH, load_sites
from sites.load import parse_row, site_values
from ui import site_form

SITES = {site.id: site for site in load_sites(DEFAULT_SITES_PATH)}


def test_a_site_round_trips_through_the_widgets_unchanged() -> None:
    for site in SITES.values():
        state: dict[Any, Any] = {}
        site_form.prepare(state, "edit", site_values(site))
        assert isinstance(state["edit-themes"], list)
        values = site_form.entered(state, "edit")
        assert values == site_values(site), site.id
        assert parse_row(values) == site


def test_a_new_form_starts_with_no_choice_and_reads_back_empty() -> None:
    state: dict[Any, Any] = {}
    site_form.prepare(state, "new", {name: "" for name in site_form.LABELS})
    assert state["new-type"] is None and state["new-province"] is None and state["new-themes"] == []
    assert site_form.entered(state, "new") == {name: "" for name in site_form.LABELS}


def test_prepare_keeps_what_was_entered_and_drops_unknown_themes() -> None:
    site = SITES["sh-cpc1-memorial"]
    state: dict[Any, Any] = {"edit-name": "改过的名称"}
    site_form.prepare(state, "edit", {**site_values(site), "themes": "建党;不存在的主题"})
    assert state["edit-name"] == "改过的名称" and state["edit-themes"] == ["建党"]


def test_forget_drops_the_forms_keys_only() -> None:
    state: dict[Any, Any] = {"new-name": "x", "new-errors": {"name": ["required"]}, "site_id": "a", 3: 1}
    site_form.forget(state, "new")
    assert state == {"site_id": "a", 3: 1}
