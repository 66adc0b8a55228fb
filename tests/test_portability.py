"""The committed lesson outputs do not depend on the CPU that made them.

nbval (in the same ``make test``) re-executes every lesson on this machine as it is. This test
re-executes them once more as a different CPU would compute them: PyTorch's portable kernels
instead of its AVX2/AVX-512 ones, MKL, oneDNN, OpenBLAS and numpy limited to SSE, another
PYTHONHASHSEED (``scripts/portability.py``, setting ``portable``), and compares every text output
with the committed one, strictly, as nbval does. ``python scripts/portability.py`` runs all the
settings (native, avx2, portable) by hand.
"""
from __future__ import annotations

import json

import pytest
from _course import lesson_paths
from portability import SETTINGS, run_nbval


def test_lessons_give_the_committed_outputs_with_other_cpu_kernels():
    result = run_nbval("portable", lesson_paths())
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    if result.returncode != 0:
        pytest.fail(
            f"under {SETTINGS['portable']} these cells differ from the committed outputs (print them "
            "to a precision that is stable, or make the result stable by design):\n"
            + "\n".join(failed or result.stdout.splitlines()[-30:]), pytrace=False)


IGNORED = {"nbval-ignore-output", "nbval-skip"}


def test_nbval_compares_at_least_nine_in_ten_of_the_cells_that_print_text():
    # fails if stability is bought by comparing less: cells that print text but are tagged (or
    # marked in their source) for nbval to skip or ignore, beyond one in ten of them
    printing = ignored = 0
    for path in lesson_paths():
        for cell in json.loads(path.read_text())["cells"]:
            outputs = cell.get("outputs", [])
            if not any(o.get("output_type") == "stream" or "text/plain" in o.get("data", {}) for o in outputs):
                continue
            printing += 1
            source = "".join(cell["source"])
            ignored += bool(IGNORED & set(cell["metadata"].get("tags", []))
                            or "NBVAL_IGNORE_OUTPUT" in source or "NBVAL_SKIP" in source)
    assert printing > 0 and ignored <= 0.1 * printing, f"nbval ignores {ignored} of {printing} cells that print text"
