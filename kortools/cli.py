"""The ``kortools`` command: ``kortools portfolio``, ``compare``, ``report`` and ``boeken``, in Dutch
(``--lang en`` for English).

Inputs are never changed (issue #18, item 5): an ``--out`` that is an input, or that the
run would write beside it (``UIT.fouten.csv``), is refused before any work, and so is an
``--out`` whose suffix is not the command's format or that is a folder. Every failure is
one line in the user's language (no traceback); Ctrl-C or SIGTERM stop the run and leave
no temporary file.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import warnings
from pathlib import Path

import pandas as pd

from kortools import portfolio
from kortools.auditfile import MAX_BYTES
from kortools.cli_text import ARGPARSE_DUTCH, TEXT  # TEXT re-exported: kortools.cli.TEXT
from kortools.errors import InputError
from kortools.files import atomic_write
from kortools.money import to_cents_array
from kortools.os_errors import reason_nl
from kortools.portfolio_files import errors_path_for, read_clients, write_csv, write_xlsx

#: Client rows read and checked at a time (memory and progress), not a tax figure.
CHUNK = 20_000


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse in Dutch: its help's headings and ``-h``, and usage errors as one Dutch line
    (``kortools: fout: …``)."""

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "gebruik:", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "gebruik:", 1)

    def error(self, message: str):
        for english, dutch in ARGPARSE_DUTCH:
            message = message.replace(english, dutch)
        self.print_usage(sys.stderr)
        self.exit(2, f"kortools: fout: {message}\n")


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
        words = c.help_nl if t is TEXT["nl"] else c.help
        lines.append(f"  {star} {c.name:26} {c.english:24} {words}")
    names = portfolio.OUTPUT_HEADERS.values() if t is TEXT["nl"] else portfolio.OUTPUT_COLUMNS
    return "\n".join([*lines, "", t["output"] + ", ".join(names), *t["notes"]])


def build_parser(lang: str = "nl") -> argparse.ArgumentParser:
    t = TEXT[lang]
    kind = DutchArgumentParser if lang == "nl" else argparse.ArgumentParser
    parser = kind(prog="kortools", description=t["description"])
    parser.add_argument("--lang", choices=sorted(TEXT), default="nl", help=t["lang"])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=kind)
    run = commands.add_parser(
        "portfolio",
        help=t["portfolio"],
        description=t["portfolio_description"],
        epilog=_columns_help(t),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("clients", type=Path, nargs="?", help=t["clients"])
    run.add_argument("--auditfiles", type=Path, metavar="MAP", help=t["auditfiles"])
    run.add_argument("--out", type=Path, required=True, help=t["out"])
    run.add_argument("--quiet", action="store_true", help=t["quiet"])
    _max_mb_argument(run, t)
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
    books = commands.add_parser("boeken", help=t["books"], description=t["books_description"])
    books.add_argument("files", type=Path, nargs="+", help=t["books_files"])
    books.add_argument("--out", type=Path, help=t["books_out"])
    books.add_argument("--jaar", type=int, help=t["books_year"])
    _max_mb_argument(books, t)
    books.add_argument("--lang", choices=sorted(TEXT), default=argparse.SUPPRESS, help=t["lang"])
    return parser


#: The largest auditfile an adviser may choose to read (``--max-mb``): a file of 500,000
#: lines is about 115 MB and peaks near 350 MB in memory (benchmarks/books.py).
MAX_MB_HIGH = 2048


def _max_mb_argument(parser: argparse.ArgumentParser, t: dict) -> None:
    default = MAX_BYTES // 2**20
    parser.add_argument(
        "--max-mb",
        type=int,
        default=default,
        metavar="MB",
        help=t["max_mb"].format(default=default, high=MAX_MB_HIGH),
    )


def _max_bytes(args: argparse.Namespace, t: dict) -> int:
    """``--max-mb`` in bytes, within 1 and MAX_MB_HIGH MB."""
    if not 1 <= args.max_mb <= MAX_MB_HIGH:
        raise CliError("--max-mb", args.max_mb, t["max_mb_range"].format(high=MAX_MB_HIGH))
    return args.max_mb * 2**20


class CliError(InputError):
    """A refusal the command words itself, already in the user's language."""

    def __init__(self, field: str, value, message: str):
        super().__init__(field, value, message, f"{field} {value}: {message}")


def check_output(
    out: Path, inputs: list[Path], t: dict, suffixes: tuple[str, ...], also_written: tuple[Path, ...] = ()
) -> None:
    """The output's name, suffix and folder, checked before any work: never an input,
    nor a file the run writes beside it (the errors file)."""
    if out.is_dir():
        raise CliError("--out", out, t["is_folder"])
    if out.suffix.lower() not in suffixes:
        raise CliError("--out", out, t["suffix"].format(suffixes=t["or"].join(suffixes)))
    sources = {p.resolve() for p in inputs}
    if out.resolve() in sources:
        raise CliError("--out", out, t["same"])
    for written in also_written:
        if written.resolve() in sources:
            raise CliError("--out", out, t["writes_input"].format(written=written))
    if not out.resolve().parent.is_dir():
        raise CliError("--out", out, t["folder"].format(folder=out.resolve().parent))


def run_portfolio(clients: Path, out: Path, quiet: bool = False, lang: str = "nl") -> tuple[int, int]:
    """Advise every client; returns (rows advised, rows with errors)."""
    from tqdm import tqdm

    t = TEXT[lang]
    written = (errors_path_for(out),) if out.suffix.lower() == ".csv" else ()
    check_output(out, [clients], t, (".xlsx", ".csv"), written)
    reading, computing, writing = t["stages"]
    with tqdm(total=3, unit=" stap", disable=quiet, file=sys.stderr, desc=reading) as bar:
        raw, dialect = read_clients(clients)
        raw, missing = portfolio.normalise_columns(raw)
        if missing:
            raise CliError("clients", clients, t["missing"].format(names=", ".join(missing)))
        if raw.empty:
            raise CliError("clients", clients, t["empty"])
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
        write_outputs(advice_frame, error_frame, out, dialect, lang)
        bar.update(1)
    return len(advice_frame), error_frame["regel"].nunique()


def run_compare(paths: list[Path], out: Path, t: dict) -> None:
    """Scenario files side by side (kt.compare_scenarios) and their explained differences."""
    from kortools.compare import PARTS, compare_scenarios, explain_difference
    from kortools.evaluation import evaluate
    from kortools.portfolio_files import write_sheets
    from kortools.scenario_files import load_scenario

    check_output(out, paths, t, (".xlsx", ".pdf"))
    scenarios = [load_scenario(p) for p in paths]
    if out.suffix.lower() == ".pdf":  # the report of the first, the others as its variants
        from kortools.ui.report import report

        compare_scenarios(scenarios)  # the same checks: 1 to 4, distinct names
        atomic_write(out, report(scenarios[0], variants=scenarios[1:]))
        return
    table = compare_scenarios(scenarios).reset_index()
    parts = pd.DataFrame({s.name: explain_difference(evaluate(s)) for s in scenarios}).rename(index=PARTS)
    totals = pd.DataFrame([parts.sum()], index=["Totaal (netto)"])
    explained = pd.concat([parts, totals]).reset_index(names="Onderdeel")
    write_sheets(out, {"vergelijking": table, "verklaring": explained})


def write_outputs(
    advice: pd.DataFrame, errors: pd.DataFrame, out: Path, dialect=None, lang: str = "nl"
) -> None:
    """The advice and the errors, atomically: a crash leaves the old files as they were.
    A Dutch CSV has the headers an adviser reads and ja/nee; ``lang="en"`` the column names
    of the contract (``netto_voordeel_5_jaar``) and True/False."""
    money = [c for c in advice.columns if advice[c].dtype == float]
    # to the cent, half up as on the page and in the PDF (not numpy's half to even)
    advice = advice.assign(**{c: to_cents_array(advice[c]) for c in money})
    if out.suffix.lower() == ".xlsx":
        write_xlsx(advice, errors, out)
        return
    from kortools.portfolio_files import DUTCH

    write_csv(advice, errors, out, dialect or DUTCH, lang)


def shown(error: InputError, lang: str) -> str:
    """The one line a user reads for a refused input, in ``lang``: the model's errors are
    English and get Dutch words here; the command's and the client file's are worded in kind."""
    if lang == "en" or isinstance(error, CliError) or error.field == "clients":
        return str(error)
    from kortools.error_text import LABELS_NL, dutch_error

    return dutch_cli_error(error) or dutch_error(error, LABELS_NL)[1]


def dutch_cli_error(error: InputError) -> str | None:
    """Dutch for the scenario file's own errors (the dashboard never sees these)."""
    if error.field in ("auditfile", "auditfiles"):  # kortools.auditfile words its own, in Dutch
        names = ", ".join(map(str, error.value)) if isinstance(error.value, list | tuple) else error.value
        too_large = f" ({TEXT['nl']['max_mb_hint']})" if error.high is not None else ""
        return f"{names}: {error.allowed}{too_large}"
    if error.field != "scenario":
        return None
    if "mapping" in error.allowed:
        return "het scenariobestand moet velden met hun waarde bevatten (YAML of JSON), geen lijst of tekst"
    names = ", ".join(error.value) if isinstance(error.value, list | tuple) else str(error.value)
    if "unknown" in error.allowed:
        return f"onbekende velden in het scenariobestand: {names}"
    if "missing" in error.allowed:
        return f"verplichte velden ontbreken in het scenariobestand: {names}"
    return None


def _stop_on_sigterm(*_) -> None:
    raise KeyboardInterrupt  # unwinds through the atomic writes: their temp files go


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lang = _language(argv)
    t = TEXT[lang]
    args = build_parser(lang).parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with warnings.catch_warnings():
            if not os.environ.get("KORTOOLS_DEBUG"):  # a library's English warning, with its path
                warnings.simplefilter("ignore")
            return _run(args, lang)
    except InputError as error:
        print(t["error"].format(message=shown(error, lang)), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t["interrupted"], file=sys.stderr)
        return 130
    except OSError as error:  # a disk full, a file without permission: one line
        reason = reason_nl(error) if lang == "nl" else (error.strerror or type(error).__name__)
        path = error.filename or ""
        message = t["os_error"].format(path=path, reason=reason) if path else reason
        print(t["error"].format(message=message), file=sys.stderr)
        return 2
    except Exception as error:
        if os.environ.get("KORTOOLS_DEBUG"):
            raise
        print(t["unexpected"].format(kind=type(error).__name__), file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, lang: str) -> int:
    t = TEXT[lang]
    if args.command == "portfolio" and (args.clients is None) == (args.auditfiles is None):
        raise CliError("clients", args.clients or "", t["one_source"])
    if args.command == "portfolio" and args.auditfiles is not None:
        from kortools.books_cli import auditfile_portfolio

        written = (errors_path_for(args.out),) if args.out.suffix.lower() == ".csv" else ()
        check_output(args.out, [], t, (".xlsx", ".csv"), written)
        advice, errors = auditfile_portfolio(args.auditfiles, _max_bytes(args, t))
        write_outputs(advice, errors, args.out, lang=args.lang)
        print(t["done"].format(advised=len(advice), bad=len(errors), out=args.out), file=sys.stderr)
    elif args.command == "portfolio":
        advised, bad = run_portfolio(args.clients, args.out, args.quiet, lang)
        print(t["done"].format(advised=advised, bad=bad, out=args.out), file=sys.stderr)
    elif args.command == "boeken":
        from kortools.books_cli import run_books

        if args.out is not None:
            check_output(args.out, args.files, t, (".xlsx", ".pdf"))
        print(run_books(args.files, args.out, args.jaar, t, _max_bytes(args, t)))
    elif args.command == "compare":
        run_compare(args.scenarios, args.out, t)
        print(t["compared"].format(count=len(args.scenarios), out=args.out), file=sys.stderr)
    else:
        from kortools.scenario_files import load_scenario
        from kortools.ui.report import report

        check_output(args.out, [args.scenario], t, (".pdf",))
        scenario = load_scenario(args.scenario)
        scenario = dataclasses.replace(
            scenario, name=args.klant or scenario.name, adviser=args.adviseur, office=args.kantoor
        )
        atomic_write(args.out, report(scenario))
        print(t["written"].format(out=args.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
