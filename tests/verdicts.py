"""What a verdict must say, given its figures (kortools.advice.build_advice): shared by the
fuzz and property tests (issue #36 item 3: a verdict is checked, not only named)."""


def verdict_follows_the_figures(advice) -> None:
    """The verdict as kortools.advice.build_advice decides it: "niet meedoen" when the KOR
    applies in no year or gains nothing over the years; "meedoen" only on a gain."""
    assert advice.verdict in ("meedoen", "niet_meedoen", "nader_bekijken")
    if not advice.kor_years or advice.total_difference <= 0:
        assert advice.verdict == "niet_meedoen", (advice.kor_years, advice.total_difference)
    if advice.verdict == "meedoen":
        assert advice.total_difference > 0 and advice.kor_years
