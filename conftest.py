"""Settings for the whole test run (unit tests and nbval kernels, which inherit the environment)."""
import os
from pathlib import Path

from _pytest.doctest import DoctestModule

# Progress bars off in every notebook kernel nbval starts, as in CI and the stored outputs.
os.environ["CI"] = os.environ.get("CI") or "true"

# The grader's bad-submission fixtures include notebooks that are broken on purpose (not JSON,
# infinite loops, os._exit): they are inputs for tests/test_grading*.py, not notebooks for nbval.
collect_ignore = ["tests/fixtures"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the lines tests left for the reader (e.g. where the browser screenshots are)."""
    for line in sorted(set(getattr(config, "aecourse_report", []))):
        terminalreporter.write_line(line)


def pytest_configure(config):
    """One torch and one BLAS thread for the unit tests, as aecourse.setup() gives the lessons: on a
    busy 2-core machine two threads make small models 10-100x slower."""
    import threadpoolctl
    import torch

    torch.set_num_threads(1)
    threadpoolctl.threadpool_limits(limits=1)


# The Examples in the package's docstrings run as doctests (``make test``, or ``pytest aecourse``).
# Only modules of aecourse/ are collected so: ``--doctest-modules`` everywhere would also import
# every file under tests/, the hostile grading fixtures included.
PACKAGE = Path(__file__).resolve().parent / "aecourse"


def pytest_collect_file(file_path: Path, parent):
    if (file_path.suffix == ".py" and PACKAGE in file_path.parents
            and not parent.config.getoption("doctestmodules")):  # --doctest-modules collects them itself
        return DoctestModule.from_parent(parent, path=file_path)
    return None
