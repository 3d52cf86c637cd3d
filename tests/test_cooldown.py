"""The report button's cool-down (issue #18, item 3): one report, then a Dutch wait."""

from __future__ import annotations

from kortools.ui.cooldown import Cooldown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_after_a_report_clicks_wait_the_cooldown_then_work_again():
    clock = Clock()
    cooldown = Cooldown(10, "rapport", clock)
    assert cooldown.ready()
    cooldown.start()
    clock.now += 3.2  # 10 − 3.2 = 6.8 s left: said as 7 whole seconds
    assert not cooldown.ready()
    assert cooldown.message() == "Het vorige rapport is net gemaakt. Probeer het over 7 seconden opnieuw."
    clock.now += 6.8
    assert cooldown.ready()


def test_clicks_queued_behind_a_report_are_refused(monkeypatch):
    # The kernel handles clicks one by one: 5 clicks sent at once make one report.
    from kortools import ui
    from kortools.ui import report as report_module

    made = []
    monkeypatch.setattr(report_module, "report", lambda scenario, variants=(): made.append(1) or b"%PDF")
    app = ui.kor_verkenner("kapper", query="")
    for _ in range(5):
        app.make_report()
    assert made == [1]
    assert "Probeer het over" in app.report_link.value
