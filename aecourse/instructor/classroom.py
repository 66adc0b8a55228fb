"""Grade a class: find the (student, notebook) pairs, grade each, write grades.csv and a summary.

Every (student, notebook) pair is one *unit*, graded by nbgrader's ``autograde`` and
``generate_feedback`` in its own throw-away course directory and database (copied from a template
built once), in a process pool. Files under SUBMISSIONS are only read.
"""
from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aecourse.instructor.course import (CSV_COLUMNS, Question, Row, Unit, find_course_root, notebook_names,
                                        questions_of, short)
from aecourse.instructor.nbgrader import STUDENT, build_template, run_converter, shutdown_shared_kernel


def _error_reason(cell, timeout: int) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
            if ename == "CellTimeoutError" or ename == "KeyboardInterrupt":
                return f"a cell ran longer than the {timeout} s timeout and was interrupted (an infinite loop?)"
            if ename == "NameError":
                return short(f"NameError: {evalue} (did you rename or delete the function?)")
            return short(f"{ename}: {evalue}")
    return ""


def _not_a_notebook(path: Path) -> str:
    """'' if ``path`` reads as a notebook, else why not."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # JSON errors, wrong schema, binary files ...
        return short(f"not a valid notebook ({type(error).__name__}: {error})", 200)
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
        return _rows_all(unit, questions, short(f"grader error: {type(error).__name__}: {error}"))


def _failure_reason(log: str) -> str:
    """A one-line reason from the log of an autograde run that failed as a whole."""
    low = log.lower()
    if "deadkernelerror" in low or "kernel died" in low:
        return "the kernel died while running the notebook (os._exit, a crash or out of memory); no test could finish"
    if "unresponsive" in low:
        return "the kernel stopped responding and could not be interrupted"
    errors = [ln.strip() for ln in log.splitlines() if re.match(r"^\s*[\w.]+(Error|Exception)\b.*:", ln)]
    return short("autograde failed: " + (errors[-1] if errors else log.strip().splitlines()[-1] if log.strip() else "?"))


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
            run_converter(Autograde, root, name, student=STUDENT, timeout=timeout, force=True,
                           reuse_key="" if fresh_kernels else unit.student)
        except RuntimeError as error:
            failure = _failure_reason(str(error))
        autograded = root / "autograded" / STUDENT / name / f"{name}.ipynb"
        if autograded.exists() and not failure:
            try:
                run_converter(GenerateFeedback, root, name, student=STUDENT, force=True)
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
    multiprocessing.util.Finalize(None, shutdown_shared_kernel, exitpriority=10)


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
    source = Path(source) if source is not None else find_course_root() / "solutions"
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
                shutdown_shared_kernel()
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
                                                 short(f"grader worker failed: {type(error).__name__}: {error}")))
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
