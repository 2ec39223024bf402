"""The source tree passes the lint rules pyproject.toml selects for ruff
(pyflakes, pycodestyle errors and warnings, warnings with a stacklevel, no unused
loop variables)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise",
         "sklearn_skippose", "benchmarks", "examples", "tests", "docs/conf.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_would_flag_a_defect(tmp_path):
    # the check is live: the same configuration rejects an unused import
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
         str(ROOT / "pyproject.toml"), str(bad)],
        capture_output=True, text=True,
    )
    assert done.returncode == 1 and "F401" in done.stdout
