"""A model ``InputError`` in Dutch words, for the dashboard and the command (issue #32:
the command's error path imported the dashboard, and so the widgets, to say it).

:func:`dutch_error` words a refusal from its structured fields; the dashboard passes its
fields' labels, the command uses :data:`LABELS_NL` (never an internal field name).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from kortools.dutch import format_number_nl
from kortools.errors import InputError
from kortools.kor_years import date_words

# model field -> dashboard field, to put a model error next to the right control, for the
# dashboards whose fields do not declare theirs (FieldSpec.field; the KOR-verkenner does)
MODEL_FIELDS = {
    "consumer_sales": "omzet",
    "business_sales": "omzet",
    "costs_with_vat": "kosten_btw",
    "costs_without_vat": "kosten_zonder",
    "vat_rate": "btw",
    "policy": "beleid",
    "hours": "uren",
    "partner_hours": "partner_uren",
    "profit": "winst",
    "first_year": "van",
    "last_year": "tot",
    "year": "van",
    "kor_start_year": "kor_vanaf",
    "kor_last_year": "kor_tot",
}
#: What the command calls the dashboard's fields (the dashboard passes its own labels).
LABELS_NL = {
    "omzet": "Omzet",
    "kosten_btw": "Kosten met btw",
    "kosten_zonder": "Kosten zonder btw",
    "btw": "Btw-tarief",
    "beleid": "Prijsbeleid",
    "uren": "Uren",
    "partner_uren": "Uren meewerkende partner",
    "winst": "Winst",
    "van": "Eerste jaar",
    "tot": "Laatste jaar",
    "kor_vanaf": "KOR vanaf",
    "kor_tot": "KOR tot en met",
}


def dutch_error(
    error: InputError, titles: dict[str, str] | None = None, fields: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """(dashboard field, Dutch message) for a model InputError, from its structured fields;
    ``titles``: the dashboard's field labels (from the field declarations)."""
    model_field = error.field.split(" ")[0]
    field = (fields or {}).get(model_field) or MODEL_FIELDS.get(model_field, error.field)
    label = (titles or {}).get(field, field)
    years = re.search(r"years with data: (\d{4})–(\d{4})", error.allowed)
    if years:
        message = f"geen belastinggegevens voor {error.value}; wel voor {years[1]} t/m {years[2]}"
    elif error.low is not None and error.high is not None:
        low, high = (format_number_nl(x) if abs(x) >= 10_000 else f"{x:g}" for x in (error.low, error.high))
        message = f"kies een waarde van {low} tot en met {high}"
    elif "non-empty text" in error.allowed:
        most = re.search(r"at most (\d+)", error.allowed)
        message = "vul een tekst in" + (f" van ten hoogste {most[1]} tekens" if most else "")
    elif "must be a number" in error.allowed:
        message = "vul een getal in"
    elif "must be kor_start_year" in error.allowed:
        message = "moet gelijk aan of na het startjaar van de KOR liggen"
    elif "allowed a past date" in error.allowed:
        message = "die datum ligt nog niet in het verleden; vink ‘Al in de KOR’ uit voor een plan"
    elif "at the earliest, after last_year" in error.allowed:
        earliest = re.search(r"start on (\d{4}-\d{2}-\d{2})", error.allowed)
        when = date_words(dt.date.fromisoformat(earliest[1])) if earliest else "later"
        message = f"de KOR kan pas beginnen op {when}, na het laatste jaar; kies een later laatste jaar"
    elif "re-entry date" in error.allowed:
        again = re.search(r"re-entry date (\d{4}-\d{2}-\d{2})", error.allowed)
        when = date_words(dt.date.fromisoformat(again[1])) if again else "de datum die het afmelden toelaat"
        message = f"opnieuw meedoen kan pas vanaf {when} (na het afmelden)"
    elif "first day of a return period" in error.allowed:
        message = "kies de eerste dag van een kwartaal (1 januari, 1 april, 1 juli of 1 oktober)"
    elif "last day of a return period" in error.allowed or error.field == "kor_end":
        message = "kies het einde van een kwartaal, na het begin van de KOR en binnen de jaren"
    else:
        message = "deze combinatie kan niet; pas de invoer aan"
    return field, f"{label}: {message}."


def books_error_nl(error: InputError) -> str:
    """A refusal while reading books in Dutch: the reader words its own (with the file's
    name); a scenario's refusal by its field's label."""
    if error.field in ("auditfile", "auditfiles"):
        names = ", ".join(map(str, error.value)) if isinstance(error.value, list | tuple) else error.value
        return f"{names}: {error.allowed}"
    return dutch_error(error, LABELS_NL)[1]
