"""A pre-heated kernel builds its page before the visitor arrives (issue #22 item 3).

Voila's pool runs the notebook before anyone asks for the page; the page's kernel then
waits for its visitor's request (``kortools.ui.voila_query``). Here the wait is a stand-in
that records what had been built when it was asked, and answers with a query string.
"""

import pytest
from ipywidgets.widgets.widget import _instances

from kortools.ui import app as ui
from kortools.ui import voila_query


@pytest.fixture
def pool_kernel(monkeypatch):
    """A kernel of Voila's pool: ``visit(query)`` sets what its visitor will bring."""
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(voila_query, "_answered", [])
    seen: dict = {}

    def visit(query: str | None, arrives_on: str | None = None) -> dict:
        def wait_for_request() -> bool:
            seen["widgets when asked"] = set(_instances)
            if arrives_on:
                monkeypatch.setenv("KORTOOLS_TODAY", arrives_on)
            if query is None:
                return False  # Voila could not be reached
            monkeypatch.setenv("QUERY_STRING", query)
            return True

        monkeypatch.setattr(voila_query, "wait_for_request", wait_for_request)
        return seen

    return visit


def models_of(app) -> set[str]:
    return set(_instances) & {w.model_id for w in _reachable(app.widget)}


def _reachable(widget) -> list:
    found, todo = [], [widget]
    while todo:
        item = todo.pop()
        found.append(item)
        todo.extend(getattr(item, "children", ()))
    return found


@pytest.mark.parametrize("make", [ui.kor_verkenner, ui.herziening_app, ui.aftrekposten_app])
def test_a_visitor_without_a_link_gets_the_page_built_before_arriving(pool_kernel, make):
    seen = pool_kernel("")
    app = make()
    # every widget of the page existed when the kernel started waiting for its visitor
    assert models_of(app) <= seen["widgets when asked"]
    assert app.widget.model_id in seen["widgets when asked"]


def test_a_visitor_with_a_link_gets_a_page_built_on_it_and_the_early_one_is_dropped(pool_kernel):
    seen = pool_kernel("voorbeeld=kapper&consumenten=80")
    app = ui.kor_verkenner()
    assert app.example.value == "kapper"
    assert app.controls["consumenten"].value == 80
    early = seen["widgets when asked"] - set(_instances)
    # the early page's root and its controls are gone from what the browser will load
    assert early and not (early & set(_instances))
    assert app.widget.model_id not in seen["widgets when asked"]


def test_a_lost_request_is_said_on_a_page_built_again(pool_kernel):
    pool_kernel(None)
    app = ui.kor_verkenner()
    assert ui.LINK_LOST in app.status.value


def test_an_early_page_from_yesterday_is_built_again(pool_kernel, monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-31")  # built before midnight, the visitor after
    seen = pool_kernel("", arrives_on="2027-01-01")
    app = ui.kor_verkenner()
    assert app.widget.model_id not in seen["widgets when asked"]
    assert app.controls["van"].value == 2027  # the new case starts in the visitor's year


def test_a_kernel_not_in_the_pool_builds_once_on_its_request(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "consumenten=70")
    before = set(_instances)
    app = ui.kor_verkenner()
    assert app.controls["consumenten"].value == 70
    assert models_of(app) <= set(_instances) - before
