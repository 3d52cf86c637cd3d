"""kortools: should this Dutch business use the KOR (art. 25 Wet OB)?

The model: pure functions and small frozen dataclasses; tax figures come from
the dated, sourced files in ``data/``. Money is in euros as unrounded floats;
round only for display (to the cent).

Public names are imported on first use (PEP 562): ``import kortools`` alone loads
nothing heavy, so a process that needs one part (the Voila server's kernel cap, say)
does not load pandas and matplotlib for the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Advice": "kortools.advice",
    "Reason": "kortools.advice",
    "advise": "kortools.advice",
    "compare_scenarios": "kortools.compare",
    "explain_difference": "kortools.compare",
    "Deductions": "kortools.deductions",
    "deductions_table": "kortools.deduction_years",
    "entrepreneur_deductions": "kortools.deductions",
    "InputError": "kortools.errors",
    "ScenarioResult": "kortools.evaluation",
    "evaluate": "kortools.evaluation",
    "Asset": "kortools.herziening",
    "herziening_schedule": "kortools.herziening",
    "investment_price": "kortools.herziening",
    "investment_vat": "kortools.herziening",
    "longest_revision_period": "kortools.herziening",
    "Supply": "kortools.kor",
    "counted_turnover": "kortools.kor",
    "kor_eligibility": "kortools.kor",
    "kor_exit_date": "kortools.kor",
    "kor_reentry_date": "kortools.kor",
    "kor_request_deadline": "kortools.kor",
    "kor_start_date": "kortools.kor",
    "kvk_warnings": "kortools.kor",
    "threshold_crossing": "kortools.kor",
    "MarginComparison": "kortools.margin",
    "compare_margin": "kortools.margin",
    "gain_by_consumer_share": "kortools.margin",
    "margin_sweep": "kortools.margin",
    "vat_rates": "kortools.margin",
    "NetIncome": "kortools.net",
    "net_by_turnover": "kortools.net",
    "net_income": "kortools.net",
    "net_income_table": "kortools.net",
    "Assumption": "kortools.parameters",
    "parameter": "kortools.parameters",
    "parameter_status": "kortools.parameters",
    "tax_years": "kortools.parameters",
    "value": "kortools.parameters",
    "Scenario": "kortools.evaluation",  # through the evaluation: it sets the deprecated Scenario.compare
    "example_scenario": "kortools.scenario_files",
    "example_scenarios": "kortools.scenario_files",
    "load_scenario": "kortools.scenario_files",
    "new_scenario": "kortools.scenario_files",
    "save_scenario": "kortools.scenario_files",
    "today": "kortools.clock",
    "Books": "kortools.books",
    "read_auditfile": "kortools.books",
    "read_auditfiles": "kortools.books",
    "scenario_from_books": "kortools.books",
    "Step": "kortools.steps",
    "next_steps": "kortools.steps",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kortools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # static checkers and IDEs see the eager imports
    from kortools.advice import Advice, Reason, advise
    from kortools.books import Books, read_auditfile, read_auditfiles, scenario_from_books
    from kortools.clock import today
    from kortools.compare import compare_scenarios, explain_difference
    from kortools.deduction_years import deductions_table
    from kortools.deductions import Deductions, entrepreneur_deductions
    from kortools.errors import InputError
    from kortools.evaluation import ScenarioResult, evaluate
    from kortools.herziening import (
        Asset,
        herziening_schedule,
        investment_price,
        investment_vat,
        longest_revision_period,
    )
    from kortools.kor import (
        Supply,
        counted_turnover,
        kor_eligibility,
        kor_exit_date,
        kor_reentry_date,
        kor_request_deadline,
        kor_start_date,
        kvk_warnings,
        threshold_crossing,
    )
    from kortools.margin import (
        MarginComparison,
        compare_margin,
        gain_by_consumer_share,
        margin_sweep,
        vat_rates,
    )
    from kortools.net import NetIncome, net_by_turnover, net_income, net_income_table
    from kortools.parameters import Assumption, parameter, parameter_status, tax_years, value
    from kortools.scenario import Scenario
    from kortools.scenario_files import (
        example_scenario,
        example_scenarios,
        load_scenario,
        new_scenario,
        save_scenario,
    )
    from kortools.steps import Step, next_steps

__version__ = "0.1.0"


def report(scenario: Scenario, made_on=None, variants=()) -> bytes:
    """The Dutch client report for ``scenario``: A4 PDF bytes, charts as vector graphics.

    Lives in ``kortools.ui.report`` (it draws with matplotlib; the model does not).
    """
    from kortools.ui.report import report as build_report

    return build_report(scenario, made_on, variants)


__all__ = [
    "Advice",
    "Asset",
    "Assumption",
    "Books",
    "Deductions",
    "InputError",
    "MarginComparison",
    "NetIncome",
    "Reason",
    "Scenario",
    "ScenarioResult",
    "Step",
    "Supply",
    "advise",
    "compare_margin",
    "compare_scenarios",
    "counted_turnover",
    "deductions_table",
    "entrepreneur_deductions",
    "evaluate",
    "example_scenario",
    "example_scenarios",
    "explain_difference",
    "gain_by_consumer_share",
    "herziening_schedule",
    "investment_price",
    "investment_vat",
    "kor_eligibility",
    "kor_exit_date",
    "kor_reentry_date",
    "kor_request_deadline",
    "kor_start_date",
    "kvk_warnings",
    "load_scenario",
    "longest_revision_period",
    "margin_sweep",
    "net_by_turnover",
    "net_income",
    "net_income_table",
    "new_scenario",
    "next_steps",
    "parameter",
    "parameter_status",
    "read_auditfile",
    "read_auditfiles",
    "report",
    "save_scenario",
    "scenario_from_books",
    "tax_years",
    "threshold_crossing",
    "today",
    "value",
    "vat_rates",
]
