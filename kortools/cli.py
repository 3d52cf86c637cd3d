"""The ``kortools`` command: ``kortools portfolio`` and ``kortools report``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from kortools import portfolio
from kortools.errors import InputError
from kortools.files import atomic_path, atomic_write

CHUNK = 20_000


def _columns_help() -> str:
    lines = ["input columns (Dutch or English name; * = required):"]
    for c in portfolio.COLUMNS:
        star = "*" if c.required else " "
        lines.append(f"  {star} {c.name:26} {c.english:24} {c.help}")
    lines += [
        "",
        "output, one row per client: " + ", ".join(portfolio.OUTPUT_COLUMNS),
        "(advies: meedoen / niet meedoen / nader bekijken, as kt.advise for the same client,",
        "the KOR chosen from 'jaar' for 5 years). Rows with errors go to the sheet 'fouten'",
        "(xlsx) or to OUT.fouten.csv (csv) with line number, column and reason; every other",
        "row is still processed. The input file is never changed; outputs are written atomically.",
        "Example input: data/portfolio/klanten.csv",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kortools",
        description="Should these Dutch businesses use the KOR (kleineondernemersregeling)?",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "portfolio",
        help="advise every client in a CSV file: eligible, KOR gain, herziening, recommendation",
        description="One row per client in, one row per client out (see the columns below).",
        epilog=_columns_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("clients", type=Path, help="CSV file, one row per client (',' or ';' separated)")
    run.add_argument("--out", type=Path, required=True, help="output file: .xlsx or .csv")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    report = commands.add_parser(
        "report",
        help="write the client report (PDF) for a scenario file",
        description="Write the Dutch client report (A4 PDF) for a scenario file (YAML or JSON).",
    )
    report.add_argument("scenario", type=Path, help="scenario file, e.g. data/scenarios/kapper.yaml")
    report.add_argument("--out", type=Path, required=True, help="output PDF file")
    return parser


def read_clients(path: Path) -> pd.DataFrame:
    """The CSV as text columns; ';' or ',' separated (Dutch Excel writes ';')."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("clients", str(path), f"could not be read: {error}") from None
    separator = ";" if header.count(";") > header.count(",") else ","
    try:
        return pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError("clients", str(path), f"is not a valid CSV file: {error}") from None


def run_portfolio(clients: Path, out: Path, quiet: bool = False) -> tuple[int, int]:
    """Advise every client; returns (rows advised, rows with errors)."""
    from tqdm import tqdm

    if out.suffix not in (".xlsx", ".csv"):
        raise InputError("--out", str(out), "allowed a .xlsx or .csv file name")
    if out.resolve() == clients.resolve():
        raise InputError("--out", str(out), "must not be the input file")
    raw, missing = portfolio.normalise_columns(read_clients(clients))
    if missing:
        raise InputError("clients", missing, "missing required column(s); see 'kortools portfolio --help'")
    advice, errors = [], []
    with tqdm(total=len(raw), unit=" klanten", disable=quiet, file=sys.stderr) as bar:
        for start in range(0, len(raw), CHUNK):
            good, bad = portfolio.validate_rows(raw.iloc[start : start + CHUNK], first_line=start + 2)
            advice.append(portfolio.assess(good))
            errors.append(bad)
            bar.update(min(CHUNK, len(raw) - start))
    advice_frame = pd.concat(advice, ignore_index=True) if advice else portfolio.assess(raw.iloc[:0])
    error_frame = (
        pd.concat(errors, ignore_index=True) if errors else pd.DataFrame(columns=["regel", "kolom", "reden"])
    )
    write_outputs(advice_frame, error_frame, out)
    return len(advice_frame), error_frame["regel"].nunique()


def write_sheet(sheet, frame: pd.DataFrame) -> None:
    """``frame`` as rows of a worksheet under a header row (xlsxwriter, row by row: fast)."""
    sheet.write_row(0, 0, [str(c) for c in frame.columns])
    for number, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        sheet.write_row(number, 0, row)


def write_outputs(advice: pd.DataFrame, errors: pd.DataFrame, out: Path) -> None:
    """The advice and the errors, atomically: a crash leaves the old files as they were."""
    money = [c for c in advice.columns if advice[c].dtype == float]
    advice = advice.assign(**{c: advice[c].round(2) for c in money})  # to the cent, for display
    if out.suffix == ".xlsx":
        import xlsxwriter

        with atomic_path(out) as temporary:
            workbook = xlsxwriter.Workbook(
                str(temporary), {"constant_memory": True, "nan_inf_to_errors": True}
            )
            for name, frame in (("advies", advice), ("fouten", errors)):
                write_sheet(workbook.add_worksheet(name), frame)
            workbook.close()
        return
    errors_path = out.with_name(out.stem + ".fouten.csv")
    with atomic_path(out) as advice_tmp, atomic_path(errors_path) as errors_tmp:
        advice.to_csv(advice_tmp, index=False)
        errors.to_csv(errors_tmp, index=False)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "portfolio":
            advised, bad = run_portfolio(args.clients, args.out, args.quiet)
            print(f"{advised} clients advised, {bad} rows with errors -> {args.out}", file=sys.stderr)
        else:
            from kortools.scenario import load_scenario
            from kortools.ui.report import report

            atomic_write(args.out, report(load_scenario(args.scenario)))
            print(f"report written -> {args.out}", file=sys.stderr)
    except InputError as error:
        print(f"kortools: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
