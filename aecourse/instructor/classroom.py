"""Grade a class: find the (student, notebook) pairs, grade each in a sandbox, write grades.csv and feedback.

Each student's notebooks are graded by one sandbox (``sandbox``, ``session``), one fresh process
per notebook; ``trusted.grade_pair`` decides every score in this process. ``jobs`` students are
graded at once, each by a thread of this process that drives its own sandbox. A sandbox that the
submission kills is replaced and its notebook graded again once. Files under SUBMISSIONS are only
read; the sandbox sees neither them, nor the output folder, nor the course root.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import html
import json
import queue
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aecourse.grading.references import course_functions
from aecourse.instructor import cluster
from aecourse.instructor import sandbox as sandboxing
from aecourse.instructor.course import CSV_COLUMNS, Row, Unit, find_course_root, notebook_names, short
from aecourse.instructor.journal import Journal, course_fingerprint, sha256_bytes
from aecourse.instructor.session import Sandbox
from aecourse.instructor.trusted import PairResult, SourceNotebook, grade_pair

STUDENT = "student"
NO_SANDBOX = "graded without a sandbox (--no-sandbox)"


class GradeArgumentError(ValueError):
    """Bad arguments to ``grade``: a message for the instructor, exit status 2."""


@dataclass
class Plan:
    units: list[Unit]
    warnings: list[str]


def _check_out(out: Path) -> None:
    """--out must be a folder, or a path where one can be made: not a file, nor inside one."""
    for path in (out, *out.parents):
        if path.exists():
            if not path.is_dir():
                what = "is a file" if path == out else f"is inside {str(path)!r}, which is a file"
                raise GradeArgumentError(f"--out {str(out)!r} {what}; it must be a folder (grades.csv and "
                                         "feedback/ are written into it). Choose a folder.")
            return


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


def read_submission(path: Path) -> tuple[dict | None, str]:
    """The submission as JSON (never executed here), or None and why it is not a notebook."""
    try:
        if path.stat().st_size > 50 * 2**20:
            return None, "not a valid notebook (larger than 50 MB)"
        nb = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as error:
        return None, short(f"not a valid notebook ({type(error).__name__}: {error})", 200)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "not a valid notebook (no cells)"
    return nb, ""


class SandboxFactory:
    """Starts sandboxes for one run: what they hide and how they are limited."""

    def __init__(self, spec: sandboxing.SandboxSpec, limits: sandboxing.Limits):
        self.spec, self.limits = spec, limits
        self.started = 0

    def __call__(self) -> Sandbox:
        self.started += 1
        return Sandbox(self.spec, self.limits)


@dataclass
class Outcome:
    """What ``grade`` did: the rows, the exit status for the command line, the summary lines."""

    rows: list[Row]
    exit_status: int = 0
    grader_errors: list[str] = field(default_factory=list)
    sandbox: str = ""


def grade_student(student: str, units: list[Unit], sources: dict, factory: SandboxFactory, note: str,
                  finished=lambda unit, result: None) -> list[PairResult]:
    """Grade one student's notebooks in turn with one sandbox (a fresh process per notebook); call
    ``finished(unit, result)`` after each. Used by the local pool and, on a worker, by a cluster task."""
    results, box = [], None
    try:
        for unit in units:
            if unit.path is None:
                results.append(_all(unit, sources, "not submitted", note))
                continue
            nb, why = read_submission(unit.path)
            if nb is None:
                results.append(_all(unit, sources, why, note))
                continue
            try:
                result, box = grade_pair(student, unit.notebook, nb, sources[unit.notebook], factory, box, note)
            except Exception as error:  # a bug of the grader: this pair's rows say so, the run fails
                box = None
                result = _all(unit, sources, short(f"grader error: {type(error).__name__}: {error}"), note)
                result.grader_error = str(error)
            results.append(result)
            finished(unit, result)
    finally:
        if box is not None:
            box.close()
    return results


def _all(unit: Unit, sources: dict, reason: str, note: str) -> PairResult:
    reason = "; ".join(r for r in (reason, note) if r)
    return PairResult([Row(unit.student, unit.notebook, q.grade_id, 0.0, q.max_score, reason)
                       for q in sources[unit.notebook].questions])


def write_feedback(path: Path, student: str, notebook: str, result: PairResult) -> None:
    """A small HTML page: every question, its score and reason, and what the checks printed (escaped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    e = html.escape
    rows = "".join(f"<tr><td>{e(r.question)}</td><td>{r.score:g} / {r.max_score:g}</td><td>{e(r.reason)}</td></tr>"
                   for r in result.rows)
    details = "".join(f"<h3>{e(title)}</h3><pre>{e(text[:5000])}</pre>" for title, text in result.feedback)
    total, most = sum(r.score for r in result.rows), sum(r.max_score for r in result.rows)
    path.write_text(f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(notebook)}: {e(student)}</title>"
                    f"<body><h1>{e(notebook)}</h1><p>{e(student)}: {total:g} of {most:g} points</p>"
                    f"<table border=1 cellpadding=4><tr><th>question</th><th>score</th><th>reason</th></tr>{rows}"
                    f"</table>{details}</body></html>\n")


def sandbox_settings(submissions: Path, out: Path, course: Path, names: list[str], sources: dict, tmp: Path,
                     use_sandbox: bool) -> sandboxing.SandboxSpec:
    checks = {c for s in sources.values() for cs in s.checks.values() for c in cs}
    if not use_sandbox:
        return sandboxing.SandboxSpec(package=None, enabled=False)
    package, _ = sandboxing.strip_package(course_functions(checks), tmp)
    hidden = [course, Path(submissions).resolve() if Path(submissions).is_dir() else Path(submissions).resolve().parent,
              Path(out).resolve()]
    return sandboxing.SandboxSpec(package=package, hidden=hidden)


def grade(submissions: Path, out: Path, *, jobs: int = 1, timeout: int = 30, source: Path | None = None,
          memory: int = 2 * 2**30, use_sandbox: bool = True, output_limit: int = 64 * 2**20, echo=print,
          progress: bool = True, scheduler: str | None = None, resume: bool = False) -> Outcome:
    """Grade SUBMISSIONS into OUT (grades.csv, feedback/), print a summary; return the outcome.

    ``scheduler``: the address of a Dask scheduler (``tcp://HOST:PORT``) whose workers grade the
    pairs (``cluster``); otherwise ``jobs`` sandboxes on this machine. ``resume``: keep the pairs of
    OUT's journal whose submission and course are unchanged and grade only the others
    (``journal``). grades.csv is written from what finished even when the run is interrupted.
    """
    from aecourse import progress_enabled

    source = Path(source) if source is not None else find_course_root() / "solutions"
    names = notebook_names(source)
    if not names:
        raise GradeArgumentError(f"no source notebooks in {str(source)!r}; pass --source solutions/.")
    if jobs < 1:
        raise GradeArgumentError(f"--jobs must be an integer >= 1, got {jobs}.")
    if timeout < 1:
        raise GradeArgumentError(f"--timeout must be a whole number of seconds >= 1, got {timeout}.")
    if memory < 256 * 2**20:
        raise GradeArgumentError(f"--memory must be at least 256 MB (torch alone needs that), got {memory} bytes.")
    _check_out(Path(out))
    why = sandboxing.available() if use_sandbox else ""
    if why:
        raise GradeArgumentError(f"no sandbox: {why}. Student code would run with your rights (it could read "
                                 "other submissions and change the course). Install bubblewrap, or pass "
                                 "--no-sandbox to grade anyway (the summary and every row then say so).")
    work = plan(submissions, names, out)
    if scheduler:  # reachable, with workers, before any work (cluster.ClusterError otherwise)
        cluster.connect(scheduler).close()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for w in work.warnings:
        echo(f"warning: {w}")
    sources = {n: SourceNotebook.read(source / f"{n}.ipynb") for n in names}
    source_bytes = {n: (source / f"{n}.ipynb").read_bytes() for n in names}
    fingerprint = cluster.package_fingerprint()
    course_hash = course_fingerprint(source_bytes, fingerprint)
    limits = sandboxing.Limits(memory=memory, timeout=timeout, output=output_limit)
    note = "" if use_sandbox else NO_SANDBOX
    start = time.perf_counter()
    journal = Journal(out, resume=resume)
    kept: list[PairResult] = []
    hashes: dict[tuple[str, str], str] = {}
    per_student: dict[str, list[Unit]] = {}
    for unit in sorted(work.units, key=lambda u: (u.student, u.notebook)):
        if unit.path is not None:
            hashes[(unit.student, unit.notebook)] = sha256_bytes(unit.path.read_bytes())
            rows = journal.unchanged(unit.student, unit.notebook, hashes[(unit.student, unit.notebook)], course_hash)
            if rows is not None:
                kept.append(PairResult(rows))
                continue
        per_student.setdefault(unit.student, []).append(unit)
    if resume:
        echo(f"resume: {len(kept)} notebook(s) unchanged since they were graded, "
             f"{sum(len(u) for u in per_student.values())} to grade")

    done_now: list[PairResult] = []  # this run's finished pairs, for grades.csv if it is interrupted

    def finished(unit: Unit, result: PairResult) -> None:
        write_feedback(out / "feedback" / unit.student / f"{unit.notebook}.html", unit.student, unit.notebook, result)
        done_now.append(result)
        if unit.path is not None and not result.grader_error:
            journal.record(unit.student, unit.notebook, hashes[(unit.student, unit.notebook)], course_hash, result.rows)

    order = {n: i for i, n in enumerate(names)}
    qorder = {(n, q.grade_id): i for n in names for i, q in enumerate(sources[n].questions)}
    results: list[PairResult] = []
    factory = None  # on a cluster the workers start the sandboxes
    try:
        with tempfile.TemporaryDirectory(prefix="aecourse-grade-") as tmp:
            if scheduler:
                results = _run_cluster(scheduler, per_student, sources, source_bytes, use_sandbox, limits, note,
                                       fingerprint, finished, progress_enabled(progress))
            else:
                course = source.resolve().parent
                spec = sandbox_settings(submissions, out, course, names, sources, Path(tmp), use_sandbox)
                factory = SandboxFactory(spec, limits)
                results = _run_pool(per_student, sources, factory, note, jobs, progress_enabled(progress), finished)
    finally:  # also on Ctrl-C: grades.csv holds every pair that finished, --resume grades the rest
        journal.close()
        if not results:  # interrupted: the pairs this run finished
            results = list(done_now)
        rows = sorted((r for res in kept + results for r in res.rows),
                      key=lambda r: (r.student, order[r.notebook], qorder.get((r.notebook, r.question), 0)))
        write_csv(rows, out / "grades.csv")
    elapsed = time.perf_counter() - start
    errors = [e for res in results if res.grader_error for e in [res.grader_error]]
    state = describe_sandbox(use_sandbox, limits, factory)
    echo(summary(rows))
    graded = sum(1 for u in work.units if u.path is not None)
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {jobs} job(s)"
    echo(f"\n{graded} notebooks of {len({u.student for u in work.units})} students graded in {elapsed:.1f} s {where}; "
         f"grades in {out / 'grades.csv'}, feedback in {out / 'feedback'}/")
    echo(f"sandbox: {state}")
    if errors:
        echo(f"ERROR: {len(errors)} notebook(s) could not be graded because of the grader, not the submission "
             f"(first: {short(errors[0], 300)}); their rows say 'grader error'.")
    return Outcome(rows, 1 if errors else 0, errors, state)


def describe_sandbox(use_sandbox: bool, limits: sandboxing.Limits, factory: SandboxFactory | None) -> str:
    if not use_sandbox:
        return ("OFF (--no-sandbox): student code ran with your rights, unconfined; every row's reason says so. "
                "Scores were still decided in the grader's process.")
    from aecourse.instructor.sandbox import ProcessLimit

    started = f"{factory.started} sandbox(es) started" if factory else "started on each Dask worker"
    probe = ProcessLimit(limits.processes)
    probe.close()
    return (f"on (bubblewrap: read-only file system, course, submissions and output hidden, no network, own PID "
            f"namespace; {limits.memory / 2**30:g} GB of memory per process; {probe.how}; {limits.timeout} s per cell; "
            f"{limits.output / 2**20:g} MB of output; {started})")


def _run_cluster(scheduler, per_student, sources, source_bytes, use_sandbox, limits, note, fingerprint,
                 finished, show_progress) -> list[PairResult]:
    """Grade each student's notebooks as one task on the Dask cluster at ``scheduler``
    (``cluster.grade_student_task``): one sandbox per student, as in the local pool."""
    from tqdm.auto import tqdm

    results, tasks = [], []
    for units in per_student.values():
        sent = []
        for unit in units:
            nb, why = (None, "not submitted") if unit.path is None else read_submission(unit.path)
            if nb is None:  # as in the local pool: a row of zeros with the reason, no feedback page
                results.append(_all(unit, sources, why, note))
            else:
                sent.append(unit)
        if sent:
            tasks.append(sent)
    arguments = [(units[0].student, {u.notebook: u.path.read_bytes() for u in units},
                  {u.notebook: source_bytes[u.notebook] for u in units}) for units in tasks]
    task = functools.partial(cluster.grade_student_task, use_sandbox=use_sandbox, limits=dataclasses.asdict(limits),
                             note=note, fingerprint=fingerprint)
    with tqdm(total=sum(len(u) for u in tasks), unit="notebook", disable=not show_progress, desc="grading",
              smoothing=0.1) as bar:
        for index, outcome in cluster.run_on_cluster(scheduler, task, arguments):
            if isinstance(outcome, cluster.ClusterError):
                raise outcome
            for unit in tasks[index]:
                if isinstance(outcome, BaseException):  # a bug of the grader on the worker: the run must fail
                    result = _all(unit, sources, short(f"grader error on a worker: {type(outcome).__name__}: "
                                                       f"{outcome}"), note)
                    result.grader_error = str(result.rows[0].reason)
                else:
                    result = outcome[unit.notebook]
                finished(unit, result)
                results.append(result)
            bar.update(len(tasks[index]))
    return results


def _run_pool(per_student, sources, factory, note, jobs, show_progress, finished) -> list[PairResult]:
    from tqdm.auto import tqdm

    todo: queue.Queue = queue.Queue()
    for student, units in per_student.items():
        todo.put((student, units))
    results: list[PairResult] = []
    lock = threading.Lock()
    bar = tqdm(total=sum(len(u) for u in per_student.values()), unit="notebook", disable=not show_progress,
               desc="grading", smoothing=0.1)

    def work() -> None:
        while True:
            try:
                student, units = todo.get_nowait()
            except queue.Empty:
                return
            done = grade_student(student, units, sources, factory, note, finished)
            with lock:
                results.extend(done)
                bar.update(len(units))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(jobs, max(1, len(per_student))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bar.close()
    return results


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
