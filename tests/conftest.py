"""Fixtures for the browser tests: one Voila server and one Chromium per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from tiers import scheduler
from voila_server import EXTRA_MEMORY_LIMIT_MB, EXTRA_POOL, HOG, ROOT, VoilaServer, launch_chromium

# Hypothesis profiles (issue #36 item 3): "ci" (make test, .ci/run) runs each property's own
# number of examples and prints a failing example's reproduction blob; "dev"
# (HYPOTHESIS_PROFILE=dev) caps the properties that set no number of their own at 20.
settings.register_profile("ci", deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

OUTPUT = ROOT / "test-output"
#: The date every test reasons from (kt.today), unless a test sets another: the figures and
#: the words of the KOR dates depend on it (issue #20). Servers and notebooks get it too.
TODAY = "2026-12-01"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    if "KORTOOLS_TODAY" not in os.environ:
        monkeypatch.setenv("KORTOOLS_TODAY", TODAY)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def voila(output_dir):
    # KORTOOLS_TEST_FAULT: the dashboard raises inside the model when omzet is 13131,
    # so the tests can check that an exception shows no traceback.
    server = VoilaServer(
        env={"KORTOOLS_TEST_FAULT": "omzet=13131", "KORTOOLS_TODAY": TODAY}, log=output_dir / "voila.log"
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def extra_server(output_dir, tmp_path_factory):
    """The one server of the pool and bounds tests besides the shared one (issue #36 item 3):
    the dashboards and :data:`HOG` (``hog.ipynb``), EXTRA_POOL pages of the main dashboard
    kept ready, kernels bounded to EXTRA_MEMORY_LIMIT_MB. ``server.log_path``: its log."""
    import shutil

    import nbformat

    folder = tmp_path_factory.mktemp("extra-notebooks")
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, folder)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(HOG)]), folder / "hog.ipynb")
    log = output_dir / "voila-extra.log"
    server = VoilaServer(
        f"--ForkProvisioner.memory_limit_mb={EXTRA_MEMORY_LIMIT_MB}",
        directory=str(folder),
        env={"KORTOOLS_POOL": str(EXTRA_POOL), "KORTOOLS_TODAY": TODAY},
        log=log,
    )
    server.log_path = log
    with server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def pytest_xdist_make_scheduler(config, log):
    return scheduler(config, log)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CI") and not Path("/usr/bin/chromium").exists():
        raise pytest.UsageError("CI needs /usr/bin/chromium for the browser tests (make test installs it)")
