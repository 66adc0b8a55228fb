"""The committed lesson outputs do not depend on the CPU that made them.

nbval (in the same ``make test``) re-executes every lesson on this machine as it is. This test
re-executes them once more as a different CPU would compute them: PyTorch's portable kernels
instead of its AVX2/AVX-512 ones, MKL, oneDNN, OpenBLAS and numpy limited to SSE, another
PYTHONHASHSEED (``scripts/portability.py``, setting ``portable``), and compares every text output
with the committed one, strictly, as nbval does. ``python scripts/portability.py`` runs all the
settings (native, avx2, portable) by hand.
"""
from __future__ import annotations

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
