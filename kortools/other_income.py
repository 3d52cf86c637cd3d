"""Income beside the business: a wage (loon) or a benefit (uitkering), rules/other-income.md.

Declared once: each kind says whether it is a wage (loon uit dienstbetrekking) and
whether it counts as arbeidsinkomen for the arbeidskorting (Wet IB 2001 art. 8.1 lid 1
onder e and lid 2; other-income.md §1 (c)). The income tax itself is in
:func:`kortools.income_tax.income_tax`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kortools.parameters import rule_assumption


@dataclass(frozen=True)
class OtherIncomeKind:
    """One kind of income beside the business (other-income.md §1)."""

    key: str
    label_nl: str
    label_en: str
    wage: bool  # loon uit dienstbetrekking (else a benefit)
    arbeidsinkomen: bool  # counts for the arbeidskorting (art. 8.1)


OTHER_INCOME_KINDS = (
    OtherIncomeKind("loon", "loon uit dienstbetrekking", "wage from employment", True, True),
    OtherIncomeKind("uitkering", "uitkering (soort onbekend)", "benefit (kind unknown)", False, False),
    OtherIncomeKind("ww", "WW-uitkering", "unemployment benefit (WW)", False, False),
    OtherIncomeKind("wia", "WIA/WAO/Wajong-uitkering", "disability benefit (WIA/WAO/Wajong)", False, False),
    OtherIncomeKind("bijstand", "bijstand", "social assistance (bijstand)", False, False),
    OtherIncomeKind("pensioen", "pensioen", "pension", False, False),
    OtherIncomeKind(
        "ziektewet", "Ziektewet of ziekengeld in dienstbetrekking", "sick pay while employed", False, True
    ),
    OtherIncomeKind("wazo", "WAZO-uitkering (zwangerschap, bevalling)", "WAZO benefit", False, True),
)
BY_KEY = {k.key: k for k in OTHER_INCOME_KINDS}


def split_other_income(amount, kind: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(wage, benefit, the benefit is arbeidsinkomen) of ``amount`` of ``kind``."""
    k = BY_KEY[kind]
    amount = np.asarray(amount, dtype=float)
    zero = np.zeros_like(amount)
    return (amount, zero, False) if k.wage else (zero, amount, k.arbeidsinkomen)


def record_other_income(other, benefit, kind: str) -> None:
    """Record the unconfirmed rules a wage or benefit brings (other-income.md §1, §3)."""
    if np.any(np.asarray(benefit) > 0):
        rule_assumption("benefit_zvw_room")
        if kind == "uitkering":
            rule_assumption("benefit_kind_unknown")
    if np.any(np.asarray(other) > np.asarray(benefit)):
        rule_assumption("employment_hours_worked")
