"""Hostile text in names, ids and filters is data, never SurrealQL."""

from __future__ import annotations

import pytest

from workbench.errors import InvalidInputError, NotFoundError

HOSTILE = [
    "x'; DELETE project; --",
    'x"; DELETE project; --',
    "x`; REMOVE TABLE project; --",
    "⟩; DELETE project; ⟨",
    "$auth; $value",
    "project:⟨evil⟩",
    "a:b:c",
    "-- comment",
    "/* open comment",
    "; ; ;",
    "Zürich ☃ 東京 \u202e",
    "') OR true OR ('",
    "name CONTAINS '' OR 1=1",
]


def snapshot(ws):
    return [p.to_dict() for p in ws.projects.list()]


@pytest.fixture
def populated(ws):
    ws.projects.create("Keep me", "vmware_migration", description="must survive")
    ws.projects.create("Me too", "hardware_refresh")
    return ws


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_matched_literally(populated, text):
    ws = populated
    before = snapshot(ws)
    if text.startswith("project:"):
        # Names written like ids are refused: they could never be reached by name.
        with pytest.raises(InvalidInputError, match="cannot start with “project:”"):
            ws.projects.create(text, "new_solution")
        assert snapshot(ws) == before
        return
    created = ws.projects.create(text, "new_solution", description=text, assigned_team=[text])
    assert ws.projects.get(text) == created
    assert ws.projects.get(created.ref).name == text.strip()
    assert [p.name for p in ws.projects.list(text=text.strip())] == [text.strip()]
    assert ws.projects.update(created, description=text + "!").description == (text + "!").strip()
    ws.projects.delete(created.ref)
    assert snapshot(ws) == before


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_ids_and_filters_change_nothing(populated, text):
    ws = populated
    before = snapshot(ws)
    with pytest.raises(NotFoundError):
        ws.projects.get(text)
    with pytest.raises(NotFoundError):
        ws.projects.delete(text)
    with pytest.raises(NotFoundError):
        ws.projects.update(text, description="x")
    with pytest.raises(InvalidInputError):
        ws.projects.list(status=text)
    with pytest.raises(InvalidInputError):
        ws.projects.list(starts_from=text)
    assert ws.projects.list(text=text) == []
    assert snapshot(ws) == before
