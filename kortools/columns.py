"""The columns of ``ScenarioResult.table``, declared once with their Dutch labels (issue #19).

``COMPARISON_COLUMNS`` (the names, a public contract) and the Dutch table the page, the
PDF and the report show (``kortools.ui.text.comparison_table_nl``) both come from
:data:`TABLE_COLUMNS`. A column with no Dutch label is in the table but not shown (the
English status, flags the words already say).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The Dutch name of the status of a year's tax figures, wherever it is shown (table row,
#: portfolio column, the advice's sentence; issue #34).
TAX_FIGURES_NL = "Belastingcijfers"


@dataclass(frozen=True)
class TableColumn:
    """A column of the yearly table: its name, Dutch label ("" = not shown) and unit."""

    name: str
    label_nl: str = ""
    unit: str = "eur"  # "eur" | "share" (a fraction, shown in %) | "text" | "flag"


TABLE_COLUMNS = (
    TableColumn("basis", "Cijfers", "text"),  # werkelijk / aangenomen / opgegeven / prognose (Scenario.basis)
    TableColumn("turnover", "Omzet (excl. btw)"),
    TableColumn("in_kor", unit="flag"),
    TableColumn("kor_applies", unit="flag"),
    TableColumn("kor_share", "Deel van het jaar in KOR", "share"),
    TableColumn("kor_status", "KOR", "text"),
    TableColumn("kor_status_en", unit="text"),
    TableColumn("regular_margin", "Marge gewone btw"),
    TableColumn("kor_margin", "Marge met KOR"),
    TableColumn("margin_gain"),
    TableColumn("lost_investment_vat", "Btw investering niet aftrekbaar"),
    TableColumn("herziening", "Herziening (+ terugbetalen)"),
    TableColumn("regular_profit", "Winst gewone btw"),
    TableColumn("kor_profit", "Winst met KOR"),
    TableColumn("regular_deductions", "Aftrekposten gewone btw"),
    TableColumn("kor_deductions", "Aftrekposten met KOR"),
    TableColumn("regular_taxable_profit", "Belastbare winst gewone btw"),
    TableColumn("kor_taxable_profit", "Belastbare winst met KOR"),
    TableColumn("kor_turnover", "KOR-omzet (telt voor grens)"),
    TableColumn("threshold"),
    TableColumn("within_threshold", unit="flag"),
    TableColumn("difference", "Verschil winst (KOR − gewoon)"),
    TableColumn("cumulative_difference", "Verschil opgeteld"),
    # the weakest status of the tax figures the year used (parameters.STATUSES; issue #34) and
    # its Dutch words beside the income tax and net rows ("voorlopig (voorstel Belastingplan 2027)")
    TableColumn("tax_status", unit="text"),
    TableColumn("tax_status_nl", TAX_FIGURES_NL, "text"),
    TableColumn("regular_income_tax", "Inkomstenbelasting gewone btw"),
    TableColumn("kor_income_tax", "Inkomstenbelasting met KOR"),
    TableColumn("regular_zvw", "Zvw-bijdrage gewone btw"),
    TableColumn("kor_zvw", "Zvw-bijdrage met KOR"),
    TableColumn("regular_net_income", "Netto inkomen gewone btw"),
    TableColumn("kor_net_income", "Netto inkomen met KOR"),
    TableColumn("net_difference", "Verschil netto (KOR − gewoon)"),
    TableColumn("cumulative_net_difference", "Verschil netto opgeteld"),
)
COMPARISON_COLUMNS = tuple(c.name for c in TABLE_COLUMNS)
#: The order the Dutch table shows its rows in (the status first).
SHOWN_ORDER = ("basis", "turnover", "kor_status", "kor_share")
