"""The ``kortools`` command's words, in Dutch and English (kortools.cli)."""

from __future__ import annotations

from typing import Any

from kortools import portfolio

TEXT: dict[str, dict[str, Any]] = {
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
            f"de KOR gekozen vanaf 'jaar' voor {portfolio.YEARS_AHEAD} jaar). Regels met fouten gaan naar "
            "het blad 'fouten'",
            "(xlsx) of naar UIT.fouten.csv (csv), met regelnummer, klant, kolom, waarde en reden; elke",
            "andere regel krijgt een advies. Het invoerbestand wordt nooit gewijzigd; de uitvoer wordt",
            "in één keer geschreven. Bedragen in Nederlandse notatie: 16.500 of 16.500,50 of € 16.500.",
            "Een CSV heeft deze kopjes en ja/nee; met --lang en de kolomnamen (regel, klant,",
            "netto_voordeel_5_jaar, …) en True/False, zoals een programma ze leest.",
            "Voorbeeld: data/portfolio/klanten.csv",
        ],
        "suffix": "kies een bestandsnaam op {suffixes}",
        "or": " of ",
        "same": "is een invoerbestand; kies een andere naam (de invoer wordt nooit overschreven)",
        "writes_input": "dan zou {written} worden geschreven, en dat is een invoerbestand; "
        "kies een andere naam",
        "is_folder": "is een map; geef een bestandsnaam",
        "folder": "de map {folder} bestaat niet",
        "empty": "het bestand bevat geen klanten (alleen een kopregel)",
        "interrupted": "kortools: afgebroken; er is niets geschreven",
        "unexpected": "kortools: onverwachte fout ({kind}); er is niets geschreven. "
        "Zet KORTOOLS_DEBUG=1 voor de details.",
        "os_error": "{path}: {reason}",
        "missing": "verplichte kolom(men) ontbreken: {names}; zie 'kortools portfolio --help'",
        "done": "{advised} klanten met advies, {bad} regels met fouten -> {out}",
        "written": "rapport geschreven -> {out}",
        "error": "kortools: fout: {message}",
        "stages": ("lezen", "rekenen", "schrijven"),
        "books": "lees de administratie van één klant (auditfiles, XAF) en geef het advies",
        "books_description": "Lees één of meer auditfiles financieel (XAF 3.x/4.0, één per jaar) van één "
        "klant: de omzet per jaar, consumenten en bedrijven, kosten, investeringen, waar elk bedrag "
        "vandaan komt, de meldingen en het KOR-advies.",
        "books_files": "auditfile(s) van één klant, één per jaar (.xaf)",
        "books_out": "uitvoerbestand: .xlsx (samenvatting, herkomst, investeringen, meldingen, advies) "
        "of .pdf",
        "books_year": "eerste jaar van het advies (standaard: dit jaar)",
        "books_written": "geschreven -> {out}",
        "auditfiles": "in plaats van een klantenbestand: een map met auditfiles (XAF), één klant per bedrijf",
        "one_source": "geef een klantenbestand of --auditfiles MAP (één van de twee)",
        "max_mb": "grootste auditfile die gelezen wordt, in MB (standaard {default}, hoogstens {high})",
        "max_mb_range": "kies een grens tussen 1 en {high} MB",
        "max_mb_hint": "een groter bestand lezen: --max-mb",
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
            f"KOR chosen from 'jaar' for {portfolio.YEARS_AHEAD} years). Rows with errors go to the sheet "
            "'fouten' (xlsx) or",
            "to OUT.fouten.csv (csv) with line number, client, column, value and reason; every other",
            "row is still advised. The input file is never changed; outputs are written atomically.",
            "Amounts in Dutch notation: 16.500 or 16.500,50 or € 16.500.",
            "Example input: data/portfolio/klanten.csv",
        ],
        "suffix": "allowed a file name ending in {suffixes}",
        "or": " or ",
        "same": "is an input file; choose another name (inputs are never overwritten)",
        "writes_input": "the run would write {written}, which is an input file; choose another name",
        "is_folder": "is a folder; give a file name",
        "folder": "the folder {folder} does not exist",
        "empty": "the file holds no clients (only a header row)",
        "interrupted": "kortools: interrupted; nothing was written",
        "unexpected": "kortools: unexpected error ({kind}); nothing was written. "
        "Set KORTOOLS_DEBUG=1 for the details.",
        "os_error": "{path}: {reason}",
        "missing": "missing required column(s): {names}; see 'kortools portfolio --help'",
        "done": "{advised} clients advised, {bad} rows with errors -> {out}",
        "written": "report written -> {out}",
        "error": "kortools: error: {message}",
        "stages": ("reading", "computing", "writing"),
        "books": "read one client's books (auditfiles, XAF) and advise",
        "books_description": "Read one or more Auditfiles Financieel (XAF 3.x/4.0, one a year) of one "
        "client: turnover per year, consumers and businesses, costs, investments, where each figure "
        "came from, the findings and the KOR advice (the summary in Dutch).",
        "books_files": "auditfile(s) of one client, one a year (.xaf)",
        "books_out": "output file: .xlsx (summary, derivation, investments, findings, advice) or .pdf",
        "books_year": "first year of the advice (default: this year)",
        "books_written": "written -> {out}",
        "auditfiles": "instead of a client file: a folder of auditfiles (XAF), one client per company",
        "one_source": "give a client file or --auditfiles FOLDER (one of the two)",
        "max_mb": "largest auditfile read, in MB (default {default}, at most {high})",
        "max_mb_range": "choose a bound from 1 to {high} MB",
        "max_mb_hint": "to read a larger file: --max-mb",
    },
}


#: argparse's own messages (English, from gettext) in Dutch, by their start.
ARGPARSE_DUTCH = (
    ("unrecognized arguments: ", "onbekende argumenten: "),
    ("the following arguments are required: ", "deze argumenten ontbreken: "),
    ("invalid choice: ", "ongeldige keuze: "),
    ("expected one argument", "verwacht één waarde"),
    ("(choose from ", "(kies uit "),
)
