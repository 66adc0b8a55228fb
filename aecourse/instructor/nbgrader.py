"""nbgrader hidden in temporary course directories: configuration, running one converter, a released template.

nbgrader needs a course directory and a gradebook database; ``build_template`` makes one in a
temporary folder, each source notebook its own assignment, released with ``generate_assignment``.
"""
from __future__ import annotations

import io
import logging
import os
import shutil
import sys
import time
from pathlib import Path

STUDENT = "student"  # the one student of each throw-away course; real names never reach nbgrader


def _ensure_path() -> None:
    """Put this Python's bin/ first on PATH: nbgrader runs ``alembic`` from there, and kernels start the same Python."""
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def config(root: Path, timeout: int | None = None):
    from traitlets.config import Config

    _ensure_path()
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.course_id = "aecourse"
    if timeout is not None:
        c.Execute.timeout = int(timeout)
    c.Execute.interrupt_on_timeout = True
    # a slow import on a busy machine must not fail the whole notebook: wait for output, never raise
    c.Execute.iopub_timeout = 30
    c.Execute.raise_on_iopub_timeout = False
    # keep the kernel's "running over TCP" warning off the instructor's terminal; history in memory
    c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
    c.LimitOutput.max_lines = 200
    c.LimitOutput.max_length = 5000
    return c


def _logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    """A private logger whose records go to a string (nbgrader is chatty; we report our own way)."""
    stream = io.StringIO()
    log = logging.getLogger(f"aecourse.instructor.nbgrader.{name}.{os.getpid()}.{time.monotonic_ns()}")
    log.handlers[:] = [logging.StreamHandler(stream)]
    log.setLevel(logging.INFO)
    log.propagate = False
    return log, stream


def run_converter(converter_class, root: Path, assignment: str, *, student: str = "*", timeout: int | None = None,
                   **traits) -> str:
    """Run one nbgrader converter in this process; return its log (raises if it failed)."""
    from nbgrader.coursedir import CourseDirectory

    c = config(root, timeout)
    log, stream = _logger(converter_class.__name__)
    coursedir = CourseDirectory(config=c, log=log)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    converter = converter_class(coursedir=coursedir, config=c, log=log)
    for key, value in traits.items():
        setattr(converter, key, value)
    try:
        converter.start()
    except Exception as error:
        raise RuntimeError(stream.getvalue() or str(error)) from error
    return stream.getvalue()


def build_template(source: Path, names: list[str], root: Path) -> Path:
    """An nbgrader course in ``root`` whose database knows every notebook of ``names``.

    Each notebook is its own assignment (named like the notebook), released with
    ``generate_assignment``: the database then holds the source of every test cell, hidden tests
    included, which ``autograde`` puts back into each submission.
    """
    from nbgrader.converters import GenerateAssignment

    for name in names:
        folder = root / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(source) / f"{name}.ipynb", folder / f"{name}.ipynb")
        run_converter(GenerateAssignment, root, name, force=True)
    return root
