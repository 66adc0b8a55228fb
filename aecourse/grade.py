"""Generate the exercise notebooks and grade submissions, with nbgrader hidden in temporary courses.

Two course commands (``aecourse generate-exercises``, ``aecourse grade``) are built on this module.

- ``generate_exercises``: nbgrader's ``generate_assignment`` turns each ``solutions/NN_topic.ipynb``
  (nbgrader source format) into the student version ``exercises/NN_topic.ipynb``. A manifest
  (``exercises/.generated.json``) remembers the hash of every file it wrote, so a notebook a student
  has edited since is never overwritten without ``force=True``.
- ``grade``: every (student, notebook) pair is one *unit*, graded by nbgrader's ``autograde`` and
  ``generate_feedback`` in its own throw-away course directory and database (copied from a template
  built once), in a process pool. Tests in a submission are replaced by the source versions, hidden
  tests included; a submission that raises, loops, kills its kernel, floods its output, deletes cells
  or is not a notebook gets its rows with score 0 and a reason. Files under SUBMISSIONS are only read.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

STUDENT = "student"  # the one student of each throw-away course; real names never reach nbgrader
MANIFEST = ".generated.json"
CSV_COLUMNS = ("student", "notebook", "question", "score", "max_score", "reason")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def default_source() -> Path:
    """The ``solutions/`` folder next to the package (the repository checkout)."""
    return Path(__file__).resolve().parent.parent / "solutions"


def default_exercises() -> Path:
    return Path(__file__).resolve().parent.parent / "exercises"


def notebook_names(source: Path) -> list[str]:
    """The notebook names (file stems) of the source folder, sorted."""
    return sorted(p.stem for p in Path(source).glob("*.ipynb"))


# ----------------------------------------------------------------------------- nbgrader plumbing

def _ensure_path() -> None:
    """Put this Python's bin/ first on PATH: nbgrader runs ``alembic`` from there, and kernels start the same Python."""
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _config(root: Path, timeout: int | None = None, reuse_key: str = ""):
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


def _run_converter(converter_class, root: Path, assignment: str, *, student: str = "*", timeout: int | None = None,
                   reuse_key: str = "", **traits) -> str:
    """Run one nbgrader converter in this process; return its log (raises if it failed)."""
    from nbgrader.coursedir import CourseDirectory

    c = _config(root, timeout, reuse_key)
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
        _run_converter(GenerateAssignment, root, name, force=True)
    return root


# ----------------------------------------------------------------------------- kernel reuse

_SHARED: dict = {"key": None, "km": None}  # this process's warm kernel and whose it is


def _end_of_process() -> None:
    _shutdown_shared_kernel()


def _shutdown_shared_kernel() -> None:
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
                _shutdown_shared_kernel()
            if _SHARED["km"] is not None:
                try:
                    self._reset(_SHARED["km"], path)  # a clean namespace in the notebook's folder
                except Exception:
                    _shutdown_shared_kernel()
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
                    _shutdown_shared_kernel()

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


# ----------------------------------------------------------------------------- exercises

def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class GenerateReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by a student: not overwritten


def generate_exercises(source: Path | None = None, dest: Path | None = None, *, force: bool = False) -> GenerateReport:
    """Write the student versions of ``source/*.ipynb`` into ``dest`` with nbgrader.

    A notebook in ``dest`` that differs from what this command last wrote there (its hash in the
    manifest) has been edited by someone: it is kept, unless ``force``.
    """
    source = Path(source or default_source())
    dest = Path(dest or default_exercises())
    names = notebook_names(source)
    if not names:
        raise ValueError(f"source folder {source} holds no .ipynb notebooks.")
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report = GenerateReport()
    with tempfile.TemporaryDirectory(prefix="aecourse-generate-") as tmp:
        root = build_template(source, names, Path(tmp))
        for name in names:
            new = root / "release" / name / f"{name}.ipynb"
            target = dest / f"{name}.ipynb"
            new_hash = _sha256(new)
            if target.exists():
                old_hash = _sha256(target)
                if old_hash == new_hash:
                    manifest[target.name] = new_hash
                    report.unchanged.append(target.name)
                    continue
                if old_hash != manifest.get(target.name) and not force:
                    report.kept.append(target.name)
                    continue
            shutil.copyfile(new, target)
            manifest[target.name] = new_hash
            report.written.append(target.name)
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return report


# ----------------------------------------------------------------------------- grading one unit

@dataclass
class Question:
    grade_id: str
    max_score: float


@dataclass
class Row:
    student: str
    notebook: str
    question: str
    score: float
    max_score: float
    reason: str = ""


@dataclass
class Unit:
    """One submitted notebook to grade; ``path`` None means not submitted."""

    student: str
    notebook: str
    path: Path | None


def questions_of(source_notebook: Path) -> list[Question]:
    """The graded test cells of a source notebook, in order."""
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            out.append(Question(meta["grade_id"], float(meta.get("points", 0))))
    return out


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_reason(cell, timeout: int) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
            if ename == "CellTimeoutError" or ename == "KeyboardInterrupt":
                return f"a cell ran longer than the {timeout} s timeout and was interrupted (an infinite loop?)"
            if ename == "NameError":
                return _short(f"NameError: {evalue} (did you rename or delete the function?)")
            return _short(f"{ename}: {evalue}")
    return ""


def _not_a_notebook(path: Path) -> str:
    """'' if ``path`` reads as a notebook, else why not."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # JSON errors, wrong schema, binary files ...
        return _short(f"not a valid notebook ({type(error).__name__}: {error})", 200)
    if not isinstance(nb.get("cells"), list):
        return "not a valid notebook (no cells)"
    return ""


def _rows_all(unit: Unit, questions: list[Question], reason: str) -> list[Row]:
    return [Row(unit.student, unit.notebook, q.grade_id, 0.0, q.max_score, reason) for q in questions]


def grade_unit(unit: Unit, template: Path, questions: list[Question], out: Path, timeout: int,
               fresh_kernels: bool = False) -> list[Row]:
    """Grade one submitted notebook in a throw-away copy of the template course; never raises."""
    try:
        return _grade_unit(unit, template, questions, out, timeout, fresh_kernels)
    except Exception as error:  # the grader itself must go on with the others
        return _rows_all(unit, questions, _short(f"grader error: {type(error).__name__}: {error}"))


def _failure_reason(log: str) -> str:
    """A one-line reason from the log of an autograde run that failed as a whole."""
    low = log.lower()
    if "deadkernelerror" in low or "kernel died" in low:
        return "the kernel died while running the notebook (os._exit, a crash or out of memory); no test could finish"
    if "unresponsive" in low:
        return "the kernel stopped responding and could not be interrupted"
    errors = [ln.strip() for ln in log.splitlines() if re.match(r"^\s*[\w.]+(Error|Exception)\b.*:", ln)]
    return _short("autograde failed: " + (errors[-1] if errors else log.strip().splitlines()[-1] if log.strip() else "?"))


def _grade_unit(unit: Unit, template: Path, questions: list[Question], out: Path, timeout: int,
                fresh_kernels: bool) -> list[Row]:
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.converters import Autograde, GenerateFeedback

    if unit.path is None:
        return _rows_all(unit, questions, "not submitted")
    why = _not_a_notebook(unit.path)
    if why:
        return _rows_all(unit, questions, why)
    name = unit.notebook
    with tempfile.TemporaryDirectory(prefix="aecourse-unit-") as tmp:
        root = Path(tmp)
        shutil.copyfile(template / "gradebook.db", root / "gradebook.db")
        (root / "source" / name).mkdir(parents=True)  # no solutions where student code runs
        submitted = root / "submitted" / STUDENT / name
        submitted.mkdir(parents=True)
        shutil.copyfile(unit.path, submitted / f"{name}.ipynb")  # a copy: SUBMISSIONS is only read
        failure = ""
        try:
            _run_converter(Autograde, root, name, student=STUDENT, timeout=timeout, force=True,
                           reuse_key="" if fresh_kernels else unit.student)
        except RuntimeError as error:
            failure = _failure_reason(str(error))
        autograded = root / "autograded" / STUDENT / name / f"{name}.ipynb"
        if autograded.exists() and not failure:
            try:
                _run_converter(GenerateFeedback, root, name, student=STUDENT, force=True)
                html = root / "feedback" / STUDENT / name / f"{name}.html"
                if html.exists():
                    dest = out / "feedback" / unit.student / f"{name}.html"
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(html, dest)
            except RuntimeError:
                pass  # grades stand without feedback
        cells = {}
        if autograded.exists():
            nb = nbformat.read(str(autograded), as_version=4)
            cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "aecourse") as gb:
            grades = {g.name: g for g in gb.find_submission_notebook(name, name, STUDENT).grades}
            rows = []
            for q in questions:
                g = grades.get(q.grade_id)
                score = float(g.score) if g is not None and g.score is not None else 0.0
                max_score = float(g.max_score) if g is not None else q.max_score
                if score >= max_score:
                    reason = ""
                elif failure:
                    reason = failure
                elif q.grade_id not in cells:
                    reason = "test cell missing from the submission (deleted or its metadata changed)"
                else:
                    reason = _error_reason(cells[q.grade_id], timeout) or "test failed"
                rows.append(Row(unit.student, name, q.grade_id, score, max_score, reason))
    return rows


def _warm_worker() -> None:
    """Pool initializer: import nbgrader (about a second) once per worker, not once per notebook;
    stop the worker's warm kernel when the pool shuts down."""
    import multiprocessing.util
    import warnings

    import nbgrader.api  # noqa: F401
    import nbgrader.converters  # noqa: F401

    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy chatter from nbgrader's gradebook
    warnings.filterwarnings("ignore", message=".*not in session.*")
    multiprocessing.util.Finalize(None, _end_of_process, exitpriority=10)


# ----------------------------------------------------------------------------- the class

class GradeArgumentError(ValueError):
    """Bad arguments to ``grade``: a message for the instructor, exit status 2."""


@dataclass
class Plan:
    units: list[Unit]
    warnings: list[str]


def plan(submissions: Path, names: list[str], out: Path) -> Plan:
    """Find the units to grade, or raise GradeArgumentError naming what is wrong."""
    submissions = Path(submissions)
    if not submissions.exists():
        raise GradeArgumentError(f"SUBMISSIONS {str(submissions)!r} does not exist; pass a notebook or a folder "
                                 "laid out as <student>/<notebook>.ipynb.")
    if submissions.is_dir() and Path(out).resolve().is_relative_to(submissions.resolve()):
        raise GradeArgumentError(f"--out {str(out)!r} is inside SUBMISSIONS; grading never writes there. "
                                 "Choose another folder.")
    known = ", ".join(f"{n}.ipynb" for n in names)
    if submissions.is_file():
        if submissions.suffix != ".ipynb" or submissions.stem not in names:
            raise GradeArgumentError(f"unknown notebook name {submissions.name!r}; expected one of: {known}.")
        student = submissions.resolve().parent.name or STUDENT
        return Plan([Unit(student, submissions.stem, submissions)], [])
    units, warnings, found = [], [], set()
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for p in sorted(submissions.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            warnings.append(f"ignored {p.name}: put each student's notebooks in SUBMISSIONS/<student>/")
    per_student: dict[str, dict[str, Path]] = {}
    for folder in students:
        per_student[folder.name] = {}
        for f in sorted(folder.iterdir()):
            if f.name.startswith(".") or f.is_dir():
                continue
            if f.suffix == ".ipynb" and f.stem in names:
                per_student[folder.name][f.stem] = f
                found.add(f.stem)
            else:
                warnings.append(f"ignored {folder.name}/{f.name}: not one of the exercise notebooks")
    if not found:
        raise GradeArgumentError(f"no submissions found in {str(submissions)!r}: expected <student>/<notebook>.ipynb "
                                 f"with a notebook name among: {known}.")
    for student, files in per_student.items():
        for name in names:
            if name in found:
                units.append(Unit(student, name, files.get(name)))
    return Plan(units, warnings)


def _sort_key(unit: Unit) -> tuple:
    return (unit.path is None, unit.student, unit.notebook)


def grade(submissions: Path, out: Path, *, jobs: int = 1, timeout: int = 30, source: Path | None = None,
          fresh_kernels: bool = False, echo=print) -> list[Row]:
    """Grade SUBMISSIONS into OUT (grades.csv, feedback/), print a summary; return the rows."""
    source = Path(source or default_source())
    names = notebook_names(source)
    if not names:
        raise GradeArgumentError(f"no source notebooks in {str(source)!r}; pass --source solutions/.")
    if jobs < 1:
        raise GradeArgumentError(f"--jobs must be an integer >= 1, got {jobs}.")
    if timeout < 1:
        raise GradeArgumentError(f"--timeout must be a whole number of seconds >= 1, got {timeout}.")
    work = plan(submissions, names, out)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for w in work.warnings:
        echo(f"warning: {w}")
    questions = {n: questions_of(source / f"{n}.ipynb") for n in names}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="aecourse-template-") as tmp:
        needed = sorted({u.notebook for u in work.units})
        template = build_template(source, needed, Path(tmp))
        units = sorted(work.units, key=_sort_key)
        args = [(u, template, questions[u.notebook], out, timeout, fresh_kernels) for u in units]
        if jobs == 1 or len(units) == 1:
            _warm_worker()
            try:
                results = [grade_unit(*a) for a in args]
            finally:
                _end_of_process()
        else:
            import multiprocessing

            context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
            with ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context,
                                     initializer=_warm_worker) as pool:
                futures = [pool.submit(grade_unit, *a) for a in args]
                results = []
                for unit, future in zip(units, futures):
                    try:
                        results.append(future.result())
                    except Exception as error:  # a worker process died: its unit still gets rows
                        results.append(_rows_all(unit, questions[unit.notebook],
                                                 _short(f"grader worker failed: {type(error).__name__}: {error}")))
    order = {n: i for i, n in enumerate(names)}
    qorder = {(n, q.grade_id): i for n in names for i, q in enumerate(questions[n])}
    rows = sorted((r for rs in results for r in rs),
                  key=lambda r: (r.student, order[r.notebook], qorder[(r.notebook, r.question)]))
    write_csv(rows, out / "grades.csv")
    elapsed = time.perf_counter() - start
    echo(summary(rows))
    graded = sum(1 for u in work.units if u.path is not None)
    echo(f"\n{graded} notebooks of {len({u.student for u in work.units})} students graded in {elapsed:.1f} s "
         f"with {jobs} job(s); grades in {out / 'grades.csv'}, feedback in {out / 'feedback'}/")
    return rows


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([r.student, r.notebook, r.question, f"{r.score:g}", f"{r.max_score:g}", r.reason])


def summary(rows: list[Row]) -> str:
    """Per question: mean score out of the maximum, and how many students got full marks."""
    stats: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        stats.setdefault((r.notebook, r.question), []).append(r)
    header = ("notebook", "question", "mean", "max", "full marks")
    table = [header]
    for (nb, q), rs in stats.items():
        mean = sum(r.score for r in rs) / len(rs)
        full = sum(r.score >= r.max_score for r in rs)
        table.append((nb, q, f"{mean:.2f}", f"{rs[0].max_score:g}", f"{full}/{len(rs)}"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
