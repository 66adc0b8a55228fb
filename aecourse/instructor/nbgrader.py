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


def config(root: Path, timeout: int | None = None, reuse_key: str = ""):
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
    if reuse_key:
        from nbgrader.converters import Autograde

        execute = _reusing_execute_class()
        c.Autograde.autograde_preprocessors = [execute if p.__name__ == "Execute" else p
                                               for p in Autograde.class_traits()["autograde_preprocessors"].default()]
        c.ReusingExecute.reuse_key = reuse_key
    return c


def _logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    """A private logger whose records go to a string (nbgrader is chatty; we report our own way)."""
    stream = io.StringIO()
    log = logging.getLogger(f"aecourse.grade.{name}.{os.getpid()}.{time.monotonic_ns()}")
    log.handlers[:] = [logging.StreamHandler(stream)]
    log.setLevel(logging.INFO)
    log.propagate = False
    return log, stream


def run_converter(converter_class, root: Path, assignment: str, *, student: str = "*", timeout: int | None = None,
                   reuse_key: str = "", **traits) -> str:
    """Run one nbgrader converter in this process; return its log (raises if it failed)."""
    from nbgrader.coursedir import CourseDirectory

    c = config(root, timeout, reuse_key)
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


_SHARED: dict = {"key": None, "km": None}  # this process's warm kernel and whose it is


def shutdown_shared_kernel() -> None:
    """Stop this process's warm kernel, if any (end of grading, another student, or trouble)."""
    from jupyter_core.utils import run_sync

    km, _SHARED["km"], _SHARED["key"] = _SHARED["km"], None, None
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass


_EXECUTE_CLASS = None


def _reusing_execute_class():
    """nbgrader's Execute preprocessor, keeping the kernel for the next notebook of the SAME student.

    Starting a kernel and importing torch costs about 2 s of CPU per notebook, more than most
    exercises. Each student still gets fresh kernels (never one another's), and before each notebook
    the namespace is cleared (``%reset -f``) and the working directory set; imported modules stay
    imported, which is the point. A kernel that died, or whose cell timed out, is never reused.
    """
    global _EXECUTE_CLASS
    if _EXECUTE_CLASS is not None:
        return _EXECUTE_CLASS
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbgrader.preprocessors import Execute
    from traitlets import Unicode

    class ReusingExecute(Execute):
        reuse_key = Unicode("", help="kernels are reused between notebooks with the same key").tag(config=True)

        def preprocess(self, nb, resources=None, km=None):
            if not self.reuse_key:
                return super().preprocess(nb, resources, km)
            path = (resources or {}).get("metadata", {}).get("path") or os.getcwd()
            shared = _SHARED["km"]
            if shared is not None and (_SHARED["key"] != self.reuse_key or not run_sync(shared.is_alive)()):
                shutdown_shared_kernel()
            if _SHARED["km"] is not None:
                try:
                    self._reset(_SHARED["km"], path)  # a clean namespace in the notebook's folder
                except Exception:
                    shutdown_shared_kernel()
            if _SHARED["km"] is None:
                NotebookClient.__init__(self, nb, None)  # kernel name and config from the notebook
                new = self.create_kernel_manager()
                run_sync(new.start_kernel)(extra_arguments=list(self.extra_arguments), cwd=path)
                _SHARED["km"], _SHARED["key"] = new, self.reuse_key
            ok = False
            try:
                result = super().preprocess(nb, resources, km=_SHARED["km"])
                ok = not any(o.get("ename") == "CellTimeoutError" for c in nb.cells for o in c.get("outputs", []))
                return result
            finally:
                if self.kc is not None:
                    self.kc.stop_channels()
                if not ok:
                    shutdown_shared_kernel()

        def _reset(self, km, path: str) -> None:
            kc = km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
                # chdir first: the previous notebook's folder is gone, and %reset needs a working directory
                code = f"import os as _os\n_os.chdir({path!r})\nget_ipython().run_line_magic('reset', '-f')"
                reply = run_sync(kc.execute_interactive)(code, timeout=self.timeout, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError("could not reset the kernel")
            finally:
                kc.stop_channels()

    _EXECUTE_CLASS = ReusingExecute
    return ReusingExecute
