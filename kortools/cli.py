"""The ``kortools`` command: ``kortools portfolio`` and ``kortools report``, in Dutch
(``--lang en`` for English)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import pandas as pd

from kortools import portfolio
from kortools.errors import InputError
from kortools.files import atomic_write
from kortools.portfolio_files import read_clients, write_csv, write_xlsx

CHUNK = 20_000

TEXT = {
    "nl": {
        "description": "Moeten deze Nederlandse ondernemers de KOR (kleineondernemersregeling) gebruiken?",
        "portfolio": "advies voor elke klant in een CSV- of Excel-bestand: KOR-voordeel, herziening, advies",
        "portfolio_description": "Eén regel per klant in, één regel per klant uit (zie de kolommen).",
        "clients": "CSV (';' of ',') of Excel-bestand (.xlsx), één regel per klant",
        "out": "uitvoerbestand: .xlsx of .csv (de map moet bestaan)",
        "quiet": "geen voortgangsbalk",
        "report": "het klantrapport (PDF) voor een scenariobestand",
        "report_description": "Schrijf het klantrapport (A4-PDF) voor een scenariobestand (YAML of JSON).",
        "scenario": "scenariobestand, bijvoorbeeld data/scenarios/kapper.yaml",
        "pdf": "PDF-bestand",
        "compare": "zet 1 tot 4 scenariobestanden naast elkaar, met waar het verschil vandaan komt",
        "compare_out": "uitvoerbestand: .xlsx of .pdf",
        "compared": "{count} scenario's vergeleken -> {out}",
        "klant": "naam van de klant (standaard: de naam in het scenario)",
        "adviseur": "naam van de adviseur, in het rapport",
        "kantoor": "naam van het kantoor, in het rapport",
        "lang": "taal van de uitvoer: nl (standaard) of en",
        "columns": "invoerkolommen (Nederlandse of Engelse naam; * = verplicht):",
        "output": "uitvoer, één regel per klant: ",
        "notes": [
            "(advies: meedoen / nader bekijken / niet meedoen, gelijk aan kt.advise voor dezelfde klant;",
            "de KOR gekozen vanaf 'jaar' voor 5 jaar). Regels met fouten gaan naar het blad 'fouten'",
            "(xlsx) of naar UIT.fouten.csv (csv), met regelnummer, klant, kolom, waarde en reden; elke",
            "andere regel krijgt een advies. Het invoerbestand wordt nooit gewijzigd; de uitvoer wordt",
            "in één keer geschreven. Bedragen in Nederlandse notatie: 16.500 of 16.500,50 of € 16.500.",
            "Voorbeeld: data/portfolio/klanten.csv",
        ],
        "suffix": "kies een bestandsnaam op .xlsx of .csv",
        "same": "mag niet het invoerbestand zijn",
        "folder": "de map {folder} bestaat niet",
        "missing": "verplichte kolom(men) ontbreken: {names}; zie 'kortools portfolio --help'",
        "done": "{advised} klanten met advies, {bad} regels met fouten -> {out}",
        "written": "rapport geschreven -> {out}",
        "error": "kortools: fout: {message}",
        "stages": ("lezen", "rekenen", "schrijven"),
    },
    "en": {
        "description": "Should these Dutch businesses use the KOR (kleineondernemersregeling)?",
        "portfolio": "advise every client in a CSV or Excel file: KOR gain, herziening, recommendation",
        "portfolio_description": "One row per client in, one row per client out (see the columns below).",
        "clients": "CSV (';' or ',') or Excel file (.xlsx), one row per client",
        "out": "output file: .xlsx or .csv (the folder must exist)",
        "quiet": "no progress bar",
        "report": "write the client report (PDF) for a scenario file",
        "report_description": "Write the Dutch client report (A4 PDF) for a scenario file (YAML or JSON).",
        "scenario": "scenario file, e.g. data/scenarios/kapper.yaml",
        "pdf": "output PDF file",
        "compare": "put 1 to 4 scenario files side by side, with where the difference comes from",
        "compare_out": "output file: .xlsx or .pdf",
        "compared": "{count} scenarios compared -> {out}",
        "klant": "the client's name (default: the scenario's name)",
        "adviseur": "the adviser's name, in the report",
        "kantoor": "the office's name, in the report",
        "lang": "language of the messages: nl (default) or en",
        "columns": "input columns (Dutch or English name; * = required):",
        "output": "output, one row per client: ",
        "notes": [
            "(advies: meedoen / nader bekijken / niet meedoen, as kt.advise for the same client, the",
            "KOR chosen from 'jaar' for 5 years). Rows with errors go to the sheet 'fouten' (xlsx) or",
            "to OUT.fouten.csv (csv) with line number, client, column, value and reason; every other",
            "row is still advised. The input file is never changed; outputs are written atomically.",
            "Amounts in Dutch notation: 16.500 or 16.500,50 or € 16.500.",
            "Example input: data/portfolio/klanten.csv",
        ],
        "suffix": "allowed a .xlsx or .csv file name",
        "same": "must not be the input file",
        "folder": "the folder {folder} does not exist",
        "missing": "missing required column(s): {names}; see 'kortools portfolio --help'",
        "done": "{advised} clients advised, {bad} rows with errors -> {out}",
        "written": "report written -> {out}",
        "error": "kortools: error: {message}",
        "stages": ("reading", "computing", "writing"),
    },
}


def _language(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in TEXT else "nl"
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1] if arg.split("=", 1)[1] in TEXT else "nl"
    return "nl"


def _columns_help(t: dict) -> str:
    lines = [t["columns"]]
    for c in portfolio.COLUMNS:
        star = "*" if c.required else " "
        lines.append(f"  {star} {c.name:26} {c.english:24} {c.help}")
    return "\n".join([*lines, "", t["output"] + ", ".join(portfolio.OUTPUT_COLUMNS), *t["notes"]])


def build_parser(lang: str = "nl") -> argparse.ArgumentParser:
    t = TEXT[lang]
    parser = argparse.ArgumentParser(prog="kortools", description=t["description"])
    parser.add_argument("--lang", choices=sorted(TEXT), default="nl", help=t["lang"])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "portfolio",
        help=t["portfolio"],
        description=t["portfolio_description"],
        epilog=_columns_help(t),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("clients", type=Path, help=t["clients"])
    run.add_argument("--out", type=Path, required=True, help=t["out"])
    run.add_argument("--quiet", action="store_true", help=t["quiet"])
    run.add_argument("--lang", choices=sorted(TEXT), default=argparse.SUPPRESS, help=t["lang"])
    compare = commands.add_parser("compare", help=t["compare"], description=t["compare"])
    compare.add_argument("scenarios", type=Path, nargs="+", help=t["scenario"])
    compare.add_argument("--out", type=Path, required=True, help=t["compare_out"])
    compare.add_argument("--lang", choices=sorted(TEXT), default=argparse.SUPPRESS, help=t["lang"])
    report = commands.add_parser("report", help=t["report"], description=t["report_description"])
    report.add_argument("scenario", type=Path, help=t["scenario"])
    report.add_argument("--out", type=Path, required=True, help=t["pdf"])
    report.add_argument("--klant", help=t["klant"])
    report.add_argument("--adviseur", default="", help=t["adviseur"])
    report.add_argument("--kantoor", default="", help=t["kantoor"])
    report.add_argument("--lang", choices=sorted(TEXT), default=argparse.SUPPRESS, help=t["lang"])
    return parser


def check_output(out: Path, source: Path | None, t: dict) -> None:
    """The output's name and folder, checked before any work (a Dutch message)."""
    if source is not None and out.suffix not in (".xlsx", ".csv"):
        raise InputError("--out", str(out), t["suffix"], t["suffix"])
    if source is not None and out.resolve() == source.resolve():
        raise InputError("--out", str(out), t["same"], t["same"])
    if not out.resolve().parent.is_dir():
        message = t["folder"].format(folder=out.resolve().parent)
        raise InputError("--out", str(out), message, message)


def run_portfolio(clients: Path, out: Path, quiet: bool = False, lang: str = "nl") -> tuple[int, int]:
    """Advise every client; returns (rows advised, rows with errors)."""
    from tqdm import tqdm

    t = TEXT[lang]
    check_output(out, clients, t)
    reading, computing, writing = t["stages"]
    with tqdm(total=3, unit=" stap", disable=quiet, file=sys.stderr, desc=reading) as bar:
        raw, dialect = read_clients(clients)
        raw, missing = portfolio.normalise_columns(raw)
        if missing:
            message = t["missing"].format(names=", ".join(missing))
            raise InputError("clients", missing, message, message)
        bar.update(1)
        bar.set_description(computing)
        advice, errors = [], []
        for start in range(0, len(raw), CHUNK):
            good, bad = portfolio.validate_rows(raw.iloc[start : start + CHUNK], first_line=start + 2)
            advice.append(portfolio.assess(good))
            errors.append(bad)
        bar.update(1)
        bar.set_description(writing)
        advice_frame = pd.concat(advice, ignore_index=True) if advice else portfolio.assess(raw.iloc[:0])
        error_frame = (
            pd.concat(errors, ignore_index=True)
            if errors
            else pd.DataFrame(columns=list(portfolio.ERROR_COLUMNS))
        )
        write_outputs(advice_frame, error_frame, out, dialect)
        bar.update(1)
    return len(advice_frame), error_frame["regel"].nunique()


def run_compare(paths: list[Path], out: Path, t: dict) -> None:
    """Scenario files side by side (kt.compare_scenarios) and their explained differences."""
    from kortools.compare import PARTS, compare_scenarios, explain_difference
    from kortools.evaluation import evaluate
    from kortools.portfolio_files import write_sheets
    from kortools.scenario import load_scenario

    if out.suffix not in (".xlsx", ".pdf"):
        raise InputError("--out", str(out), t["compare_out"], t["compare_out"])
    check_output(out, None, t)
    scenarios = [load_scenario(p) for p in paths]
    if out.suffix == ".pdf":  # the report of the first, the others as its variants
        from kortools.ui.report import report

        compare_scenarios(scenarios)  # the same checks: 1 to 4, distinct names
        atomic_write(out, report(scenarios[0], variants=scenarios[1:]))
        return
    table = compare_scenarios(scenarios).reset_index()
    parts = pd.DataFrame({s.name: explain_difference(evaluate(s)) for s in scenarios}).rename(index=PARTS)
    totals = pd.DataFrame([parts.sum()], index=["Totaal (netto)"])
    explained = pd.concat([parts, totals]).reset_index(names="Onderdeel")
    write_sheets(out, {"vergelijking": table, "verklaring": explained})


def write_outputs(advice: pd.DataFrame, errors: pd.DataFrame, out: Path, dialect=None) -> None:
    """The advice and the errors, atomically: a crash leaves the old files as they were."""
    money = [c for c in advice.columns if advice[c].dtype == float]
    advice = advice.assign(**{c: advice[c].round(2) for c in money})  # to the cent, for display
    if out.suffix == ".xlsx":
        write_xlsx(advice, errors, out)
        return
    from kortools.portfolio_files import DUTCH

    write_csv(advice, errors, out, dialect or DUTCH)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lang = _language(argv)
    t = TEXT[lang]
    args = build_parser(lang).parse_args(argv)
    try:
        if args.command == "portfolio":
            advised, bad = run_portfolio(args.clients, args.out, args.quiet, lang)
            print(t["done"].format(advised=advised, bad=bad, out=args.out), file=sys.stderr)
        elif args.command == "compare":
            run_compare(args.scenarios, args.out, t)
            print(t["compared"].format(count=len(args.scenarios), out=args.out), file=sys.stderr)
        else:
            from kortools.scenario import load_scenario
            from kortools.ui.report import report

            check_output(args.out, None, t)
            scenario = load_scenario(args.scenario)
            scenario = dataclasses.replace(
                scenario, name=args.klant or scenario.name, adviser=args.adviseur, office=args.kantoor
            )
            atomic_write(args.out, report(scenario))
            print(t["written"].format(out=args.out), file=sys.stderr)
    except InputError as error:
        print(t["error"].format(message=error), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
