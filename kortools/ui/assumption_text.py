"""The assumptions as a client reads them (issue #22 item 4): one short Dutch line per
figure that is not law that this case's numbers rest on (a figure used for several years
said once, its years together), with its status (issue #34: "— voorlopig (voorstel
Belastingplan 2027)", "— onbevestigd", "— aangenomen gelijk aan 2026"), and the sources as
a numbered list, the official ones first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from kortools.parameters import Assumption, Source

OFFICIAL = ("belastingdienst.nl", "kvk.nl", "wetten.overheid.nl", "rijksoverheid.nl")


def official(href: str) -> bool:
    """A source of the Belastingdienst, KVK, Rijksoverheid or the law itself (shown first)."""
    host = urlparse(href).netloc.lower()
    return any(host == site or host.endswith("." + site) for site in OFFICIAL)


@dataclass(frozen=True)
class AssumptionLine:
    """One line of the short list, with the numbers of its sources in :func:`sources`."""

    text_nl: str
    sources: tuple[int, ...]


def sources(assumptions: Iterable[Assumption]) -> list[Source]:
    """The distinct sources, official first, each once (numbered from 1 in that order)."""
    seen = {a.source.href: a.source for a in assumptions}
    return sorted(seen.values(), key=lambda s: not official(s.href))


def _years_nl(years: list[int]) -> str:
    years = sorted(years)
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def short_lines(assumptions: Iterable[Assumption], most: int = 110) -> list[AssumptionLine]:
    """One line per figure: ``Algemene heffingskorting 2026, 2027: € 3.115 …`` where the same
    value holds for several years; a rule in words shortened to ``most`` characters."""
    assumptions = list(assumptions)
    number = {s.href: i for i, s in enumerate(sources(assumptions), start=1)}
    groups: dict[tuple[str, str, str], list[Assumption]] = {}
    for a in assumptions:
        key = (a.label_nl, a.value_nl, a.status_nl) if a.label_nl and a.year is not None else (a.key, "", "")
        groups.setdefault(key, []).append(a)
    lines = []
    for (label, value, status), members in groups.items():
        if value:
            years = _years_nl([a.year for a in members if a.year is not None])
            text = f"{label} {years}: {value}" + (f" — {status}" if status else "")
        else:
            text = members[0].text_nl
        if len(text) > most:
            text = text[: most - 1].rsplit(" ", 1)[0] + " …"
        refs = tuple(sorted({number[a.source.href] for a in members}))
        lines.append(AssumptionLine(text, refs))
    return lines


def source_line(number: int, source: Source, most: int = 130) -> str:
    """``[3] Belastingdienst: Startersaftrek — belastingdienst.nl/…/startersaftrek``."""
    parsed = urlparse(source.href)
    path = parsed.path.rstrip("/")
    tail = path.rsplit("/", 1)[-1]
    where = parsed.netloc.removeprefix("www.") + (f"/…/{tail}" if path.count("/") > 1 else path)
    title_most = 70 if most <= 130 else most  # a long line (the PDF wraps it) keeps the whole title
    title = source.title if len(source.title) <= title_most else source.title[:69].rsplit(" ", 1)[0] + " …"
    line = f"[{number}] {title} — {where}"
    return line if len(line) <= most else line[: most - 1] + "…"
