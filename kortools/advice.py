"""The one verdict: should this business use the KOR? (rules/kor.md §1–§4)

:func:`advise` turns an evaluated scenario into an :class:`Advice`: the verdict, the
gain per year in which the KOR applies, the total difference over the scenario and
the reasons, each with its figure, in Dutch and English. The dashboard headline, the
PDF report and the portfolio run all show this object; none of them decides anything
of its own. The portfolio builds the same :class:`AdviceFigures` for each client from
the vectorised model (``kortools.yearly``) and calls :func:`build_advice`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kortools.columns import TAX_FIGURES_NL
from kortools.kor import KorWarning
from kortools.kor_years import CROSSED, PREVIOUS_TOO_HIGH, REFUSED, TOO_LATE, days_in
from kortools.money import format_euro, format_percent
from kortools.parameters import value

MEEDOEN, NIET_MEEDOEN, NADER_BEKIJKEN = "meedoen", "niet_meedoen", "nader_bekijken"
#: What to do now (issue #33): join, not join, stay in, leave, or look closer.
AANMELDEN, NIET_AANMELDEN, BLIJVEN, UITSTAPPEN = "aanmelden", "niet_aanmelden", "blijven", "uitstappen"
ACTIONS = (AANMELDEN, NIET_AANMELDEN, BLIJVEN, UITSTAPPEN, NADER_BEKIJKEN)
ACTION_NL = {
    AANMELDEN: "aanmelden",
    NIET_AANMELDEN: "niet aanmelden",
    BLIJVEN: "in de KOR blijven",
    UITSTAPPEN: "uit de KOR stappen",
    NADER_BEKIJKEN: "nader bekijken",
}
VERDICTS = (MEEDOEN, NIET_MEEDOEN, NADER_BEKIJKEN)
#: The verdict as a person reads it (Dutch), for tables and the report.
VERDICT_NL = {MEEDOEN: "meedoen", NIET_MEEDOEN: "niet meedoen", NADER_BEKIJKEN: "nader bekijken"}


@dataclass(frozen=True)
class Reason:
    """One reason for the verdict, with the figure it names (euros, or None)."""

    code: str
    text_nl: str
    text_en: str
    amount: float | None = None


@dataclass(frozen=True)
class Advice:
    """The verdict and its figures (euros, unrounded); see the module docstring.

    ``gain_per_kor_year``: the margin the KOR adds in an average year in which it
    applies (a year it applies for part of is counted with its part), before
    herziening and investment VAT; ``total_difference``: KOR minus regular profit over
    all the scenario's years, herziening and lost investment VAT included.
    ``net_total_difference``: KOR minus regular net income (profit after deductions'
    effect, income tax and Zvw, inkomstenbelasting.md) over all years;
    ``net_gain_per_kor_year``: the mean of that difference over the KOR years.
    """

    verdict: str
    gain_per_kor_year: float
    total_difference: float
    reasons: tuple[Reason, ...]
    kor_years: tuple[int, ...]
    first_year: int
    last_year: int
    herziening_total: float
    lost_investment_vat: float
    herziening_after_last_year: float
    net_gain_per_kor_year: float  # the same as gain_per_kor_year, after income tax and Zvw
    net_total_difference: float  # the same as total_difference, after income tax and Zvw
    # issue #33: what to do now, from when; the gain of one whole KOR year (not an average of
    # part years), gross and net made of the same parts
    action: str = ""
    action_date: dt.date | None = None
    gain_full_kor_year: float = 0.0  # margin − herziening − lost investment VAT, the first whole KOR year
    net_gain_full_kor_year: float = 0.0  # the same year after income tax and Zvw
    full_kor_year: int | None = None  # that year (None: the KOR applies for no whole year)
    stay_gain: float = 0.0  # for a client in the KOR: net kept more by staying than leaving at action_date
    part_years: tuple[
        tuple[int, float, float, float], ...
    ] = ()  # (year, KOR share, gross, net) of part years
    # issue #34: per year of first_year..last_year, the weakest status of the tax figures used
    # (parameters.STATUSES) and its Dutch words ("" for law and for onbevestigd)
    tax_status: tuple[str, ...] = ()
    tax_status_nl: tuple[str, ...] = ()

    def tax_marks_nl(self, years=None) -> str:
        """The tax figures' status of ``years`` (default all), years with the same words
        together: "2027: voorlopig (voorstel Belastingplan 2027); 2029: aangenomen gelijk aan
        2028" ("" when every year rests on law). rules/tax-2027.md; issue #34 item 3."""
        chosen = range(self.first_year, self.last_year + 1) if years is None else years
        by_words: dict[str, list[int]] = {}
        for year, words in zip(range(self.first_year, self.last_year + 1), self.tax_status_nl, strict=False):
            if words and year in chosen:
                by_words.setdefault(words, []).append(year)
        return "; ".join(f"{', '.join(map(str, ys))}: {words}" for words, ys in by_words.items())

    def tax_mark_nl(self, years=None) -> str:
        """:meth:`tax_marks_nl` as one Dutch sentence: "Belastingcijfers 2027: voorlopig
        (voorstel Belastingplan 2027)." ("" when every year rests on law)."""
        marks = self.tax_marks_nl(years)
        return f"{TAX_FIGURES_NL} {marks}." if marks else ""

    @property
    def verdict_nl(self) -> str:
        """ "meedoen", "niet meedoen" or "nader bekijken"."""
        return VERDICT_NL[self.verdict]

    @property
    def action_nl(self) -> str:
        """What to do now, as a person reads it ("aanmelden", "uit de KOR stappen", …)."""
        return ACTION_NL.get(self.action, "")


@dataclass(frozen=True)
class AdviceFigures:
    """What the verdict rests on, per year of one business (from ``evaluate`` or the portfolio)."""

    years: tuple[int, ...]
    share: tuple[float, ...]  # share of each year under the KOR
    code: tuple[int, ...]  # kortools.kor_years status codes
    turnover_before: float  # counted turnover of the year before the first
    status_nl: tuple[str, ...]
    status_en: tuple[str, ...]
    counted_turnover: tuple[float, ...]  # what counted for the threshold (KOR part at the full price)
    kor_turnover: tuple[float, ...]  # counted turnover of a whole year at the KOR prices
    threshold: tuple[float, ...]
    margin_gain: tuple[float, ...]
    herziening: tuple[float, ...]
    lost_investment_vat: tuple[float, ...]
    herziening_after: float
    warnings: tuple[KorWarning, ...]
    net_difference: tuple[float, ...]  # KOR minus regular net income (after income tax and Zvw)
    # the calendar (issue #33): in the KOR on the day reasoned from, and the first start and
    # exit a request made that day reaches (None: not known, e.g. whole years only)
    in_kor: bool = False
    next_start: dt.date | None = None
    next_exit: dt.date | None = None
    first_kor_day: dt.date | None = None  # the first day of the KOR in the table (None: none)
    tax_status: tuple[str, ...] = ()  # per year: the weakest status of the tax figures (issue #34)
    tax_status_nl: tuple[str, ...] = ()  # its Dutch words ("" for law and onbevestigd)


def advise(result) -> Advice:
    """The verdict for an evaluated scenario: ``kt.advise(kt.evaluate(scenario))``."""
    return build_advice(result.advice_figures)


def build_advice(f: AdviceFigures) -> Advice:
    """The verdict and its reasons from the figures (the one implementation)."""
    kor_years = tuple(y for y, s in zip(f.years, f.share, strict=True) if s > 0)
    gains = [g for g, s in zip(f.margin_gain, f.share, strict=True) if s > 0]
    per_year = sum(gains) / len(gains) if gains else 0.0
    net_gains = [g for g, s in zip(f.net_difference, f.share, strict=True) if s > 0]
    net_per_year = sum(net_gains) / len(net_gains) if net_gains else 0.0
    net_total = sum(f.net_difference)
    herziening = sum(f.herziening)
    lost = sum(f.lost_investment_vat)
    total = sum(f.margin_gain) - herziening - lost
    small = float(value("advice_small_gain_per_year", f.years[0]))
    blocking = [w for w in f.warnings if w.blocking and w.code != "threshold_crossed"]
    other = [w for w in f.warnings if not w.blocking]
    refused = [i for i, c in enumerate(f.code) if c in REFUSED]

    reasons = [_refused_reason(f, i) for i in refused]
    reasons += [Reason(w.code, w.text_nl, w.title, None) for w in blocking]
    span = f"{f.years[0]}–{f.years[-1]}" if len(f.years) > 1 else str(f.years[0])
    more_nl, more_en = ("meer", "more") if net_total >= 0 else ("minder", "less")
    if math.isnan(net_total):
        reasons.append(
            Reason(
                "bv_vat_only",
                "Een bv betaalt vennootschapsbelasting: alleen de btw is vergeleken, niet het netto inkomen.",
                "A bv pays corporate income tax: only the VAT is compared, not net income.",
            )
        )
    else:
        reasons.append(
            Reason(
                "net_total_difference",
                f"Netto, na inkomstenbelasting en Zvw, over {span} samen {format_euro(abs(net_total))} "
                f"{more_nl} inkomen met de KOR.",
                f"Net of income tax and Zvw, over {span} in all {format_euro(abs(net_total))} {more_en} "
                "income with the KOR.",
                net_total,
            )
        )
    more_nl, more_en = ("meer", "more") if total >= 0 else ("minder", "less")
    reasons.append(
        Reason(
            "total_difference",
            f"Over {span} samen {format_euro(abs(total))} {more_nl} winst met de KOR "
            "(herziening en btw op investeringen meegerekend).",
            f"Over {span} in all {format_euro(abs(total))} {more_en} profit with the KOR "
            "(herziening and investment VAT included).",
            total,
        )
    )
    if kor_years:
        listed = ", ".join(map(str, kor_years))
        gains_nl = "levert de KOR gemiddeld" if per_year >= 0 else "kost de KOR gemiddeld"
        gains_en = "gains" if per_year >= 0 else "costs"
        reasons.append(
            Reason(
                "gain_per_kor_year",
                f"Aan marge {gains_nl} {format_euro(abs(per_year))} per jaar waarin de KOR geldt ({listed}).",
                f"The KOR {gains_en} {format_euro(abs(per_year))} of margin on average a year in which "
                f"it applies ({listed}).",
                per_year,
            )
        )
    else:
        reasons.append(
            Reason(
                "no_kor_year",
                "De KOR geldt in geen enkel jaar van dit scenario.",
                "The KOR applies in none of the scenario's years.",
            )
        )
    if herziening:
        reasons.append(
            Reason(
                "herziening",
                f"Herziening van btw op eerdere investeringen: {format_euro(herziening)} in {span}.",
                f"Herziening of investment VAT: {format_euro(herziening)} in {span}.",
                herziening,
            )
        )
    if f.herziening_after:
        reasons.append(
            Reason(
                "herziening_after_last_year",
                f"Na {f.years[-1]} nog {format_euro(f.herziening_after)} herziening als u in de KOR blijft "
                "(niet in het totaal).",
                f"After {f.years[-1]} another {format_euro(f.herziening_after)} of herziening if the KOR "
                "goes on (not in the total).",
                f.herziening_after,
            )
        )
    if lost:
        reasons.append(
            Reason(
                "lost_investment_vat",
                f"Btw op investeringen in KOR-jaren is niet aftrekbaar: {format_euro(lost)}.",
                f"VAT on investments in KOR years cannot be deducted: {format_euro(lost)}.",
                lost,
            )
        )
    reasons += [Reason(w.code, w.text_nl, w.title, None) for w in other]
    if kor_years and total > 0 and per_year < small:
        reasons.append(
            Reason(
                "small_gain",
                f"Het voordeel is minder dan {format_euro(small, cents=False)} per KOR-jaar.",
                f"The gain is under {format_euro(small, cents=False)} a KOR year.",
                per_year,
            )
        )

    if not kor_years or blocking or total <= 0:
        verdict = NIET_MEEDOEN
    elif any(f.code[i] != TOO_LATE for i in refused) or other or per_year < small:  # late: a fact
        verdict = NADER_BEKIJKEN
    else:
        verdict = MEEDOEN
    full = next((i for i, x in enumerate(f.share) if x >= 1 - 1e-9), None)
    action, action_date, stay = _action(f, verdict)
    return Advice(
        verdict=verdict,
        action=action,
        action_date=action_date,
        stay_gain=stay,
        full_kor_year=None if full is None else f.years[full],
        part_years=tuple(
            (f.years[i], f.share[i], _gross(f, i), f.net_difference[i])
            for i in range(len(f.years))
            if 0 < f.share[i] < 1 - 1e-9
        ),
        gain_full_kor_year=0.0 if full is None else _gross(f, full),
        net_gain_full_kor_year=0.0 if full is None else f.net_difference[full],
        gain_per_kor_year=per_year,
        total_difference=total,
        reasons=tuple(reasons),
        kor_years=kor_years,
        first_year=f.years[0],
        last_year=f.years[-1],
        herziening_total=herziening,
        lost_investment_vat=lost,
        herziening_after_last_year=f.herziening_after,
        net_gain_per_kor_year=net_per_year,
        net_total_difference=net_total,
        tax_status=f.tax_status,
        tax_status_nl=f.tax_status_nl,
    )


def _action(f: AdviceFigures, verdict: str) -> tuple[str, dt.date | None, float]:
    """What to do now and from when (issue #33). Not in the KOR: join (from the first KOR day
    in the table, else the first start still reachable), not join, or look closer, as the
    verdict says. In the KOR: stay or leave at the first exit still reachable, by what the
    years from that day keep more in the KOR (net, else gross for a bv)."""
    if not f.in_kor:
        # a KOR day of the table still to come (a past one is a fact: nothing to ask for)
        ahead = f.first_kor_day
        if ahead is not None and f.next_start is not None and ahead < f.next_start:
            ahead = None
        if verdict == MEEDOEN and (ahead is not None or f.next_start is None):
            return AANMELDEN, ahead, 0.0
        action = NIET_AANMELDEN if verdict == NIET_MEEDOEN else NADER_BEKIJKEN
        return action, ahead or f.next_start, 0.0
    stay = _gain_after(f, f.next_exit)
    return (BLIJVEN if stay > 0 else UITSTAPPEN), f.next_exit, stay


def _gross(f: AdviceFigures, i: int) -> float:
    """Year ``i``'s gain before income tax: the margin less herziening and lost investment VAT
    (the parts of the net figure, before tax: issue #33 item 7)."""
    return f.margin_gain[i] - f.herziening[i] - f.lost_investment_vat[i]


def _gain_after(f: AdviceFigures, day: dt.date | None) -> float:
    """What the KOR keeps more from ``day`` on (the part of its year after it, sales spread
    evenly, and the later years): net after income tax and Zvw, gross for a bv."""
    gains = [n if not math.isnan(n) else _gross(f, i) for i, n in enumerate(f.net_difference)]
    if day is None:
        return sum(gains)
    total = 0.0
    for year, gain in zip(f.years, gains, strict=True):
        if year > day.year:
            total += gain
        elif year == day.year:
            days = days_in(year)
            total += gain * (days - (day.timetuple().tm_yday - 1)) / days
    return total


def _refused_reason(f: AdviceFigures, i: int) -> Reason:
    """A year the KOR was chosen for but the rules (partly) refused, with its figure."""
    year, code = f.years[i], f.code[i]
    threshold = f.threshold[i]
    if code == CROSSED:
        turnover = f.kor_turnover[i]
        return Reason(
            "threshold_crossed",
            f"{year}: {f.status_nl[i]}: onder de KOR telt de hele prijs als omzet ({format_euro(turnover)} "
            f"per jaar, grens {format_euro(threshold, cents=False)}); KOR over "
            f"{format_percent(f.share[i])} van de omzet, daarna gewone btw.",
            f"{year}: {f.status_en[i]}: under the KOR the whole price counts, {format_euro(turnover)} a "
            f"year, above {format_euro(threshold, cents=False)}; the KOR covers {f.share[i]:.0%} of the "
            "year's sales, then regular VAT.",
            turnover,
        )
    if code == PREVIOUS_TOO_HIGH:
        previous = f.counted_turnover[i - 1] if i > 0 else f.turnover_before
        return Reason(
            "previous_year_too_high",
            f"{year}: {f.status_nl[i]} ({format_euro(previous)} in {year - 1}, grens "
            f"{format_euro(threshold, cents=False)}): geen KOR in dat jaar.",
            f"{year}: {f.status_en[i]} ({format_euro(previous)} in {year - 1}, threshold "
            f"{format_euro(threshold, cents=False)}): no KOR that year.",
            previous,
        )
    if code == TOO_LATE:
        return Reason(
            "request_too_late",
            f"{year}: {f.status_nl[i]}: de uiterste aanmelddatum voor dat jaar is voorbij.",
            f"{year}: {f.status_en[i]}: the last day to ask for it that year has passed.",
        )
    return Reason(
        "reentry_blocked",
        f"{year}: {f.status_nl[i]} (na het overschrijden van de grens): geen KOR in dat jaar.",
        f"{year}: {f.status_en[i]} (after the threshold was crossed): no KOR that year.",
    )
