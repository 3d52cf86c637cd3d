"""The suite's two tiers under ``make test -n 2`` (issue #36 item 3): what one worker runs whole."""

from __future__ import annotations

from pathlib import Path

from tiers import SERVER_MODULES, USES_SERVER, uses_server, xdist_scope


def test_a_notebooks_cells_run_together_in_order():
    # nbval's cells share their notebook's kernel: one scope per notebook
    assert xdist_scope("notebooks/herziening.ipynb::Cell 3") == "notebooks/herziening.ipynb"
    first, last = "notebooks/herziening.ipynb::Cell 0", "notebooks/herziening.ipynb::Cell 3"
    assert xdist_scope(first) == xdist_scope(last)


def test_the_server_tests_share_one_worker_and_the_rest_go_alone():
    assert xdist_scope("tests/test_cluster.py::test_no_password_no_page") == "server"
    assert xdist_scope("tests/test_serving.py::test_x[a]") == "server"
    assert xdist_scope("tests/test_margin.py::test_y") == "tests/test_margin.py::test_y"


def test_every_server_module_exists():
    tests = Path(__file__).parent
    assert all((tests / f"{name}.py").exists() for name in SERVER_MODULES), SERVER_MODULES


def test_every_module_that_takes_the_server_fixtures_is_listed(tmp_path):
    # the list is the tier; a module not listed yet still lands there by its functions
    tests = Path(__file__).parent
    modules = [p for p in tests.glob("test_*.py") if p.name != Path(__file__).name]  # not its examples
    found = {p.stem for p in modules if USES_SERVER.search(p.read_text(encoding="utf-8"))}
    assert found <= SERVER_MODULES, found - SERVER_MODULES
    new = tmp_path / "test_new.py"
    new.write_text("def test_x(voila):\n    pass\n")
    plain = tmp_path / "test_plain.py"
    plain.write_text("def test_y(tmp_path):\n    pass\n")
    assert uses_server(str(new)) and not uses_server(str(plain))
    assert xdist_scope(f"{new}::test_x") == "server" and xdist_scope(f"{plain}::test_y") != "server"
