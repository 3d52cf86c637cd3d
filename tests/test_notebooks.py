"""The nbval regression really guards the numbers: a one-cent change in a stored table fails."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_nbval(notebook: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            str(notebook),
        ],
        capture_output=True,
        text=True,
        cwd=notebook.parent,
        timeout=300,
    )


def test_a_one_cent_change_in_the_stored_table_fails_nbval(tmp_path):
    copy = tmp_path / "kor_verkenner.ipynb"
    shutil.copy(ROOT / "notebooks" / "kor_verkenner.ipynb", copy)
    nb = json.loads(copy.read_text())
    checked = [c for c in nb["cells"] if "NBVAL_CHECK_OUTPUT" in "".join(c["source"])]
    assert checked, "the notebook must mark its regression cell"
    text = "".join(checked[0]["outputs"][0]["text"])
    assert "€ 960,00" in text  # the kapper's KOR gain: 0.09 × 16,500 − 0.21 × 2,500
    checked[0]["outputs"][0]["text"] = text.replace("€ 960,00", "€ 960,01")
    copy.write_text(json.dumps(nb))
    result = run_nbval(copy)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "960,01" in result.stdout
