"""Grade one (student, notebook) pair the trusted way: the score is decided in the grader's process.

The submission is read as JSON (never executed here). Its code cells, with the locked cells and
test cells restored from the source notebook, run in a sandboxed process (``session``): the
student's cells there, the test cells *here*. A test cell such as
``grading.check_l1_penalty(l1_penalty, shape=(1, 7))`` is executed by the grader with the
trusted ``aecourse.grading``, numpy and torch, and every name it does not know (``l1_penalty``)
stands for the student's object: a function becomes a ``RemoteFunction`` that sends the grader's
inputs to the sandbox and returns the result as plain data; any other value is fetched as plain
data. The checks' comparisons, diagnoses and messages therefore all happen in this process;
nothing the student's code patched can reach them.

``grade_pair`` is a pure function of its arguments (the pair, the source notebook, the settings)
that returns the pair's rows: it is what a process pool or a cluster task calls.
"""
from __future__ import annotations

import ast
import builtins
import io
import json
import math
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

import aecourse
from aecourse import grading
from aecourse.grading.core import GradingError
from aecourse.grading.references import library_functions, message
from aecourse.instructor import plain
from aecourse.instructor.course import Question, Row, short
from aecourse.instructor.session import CellTimeout, ChildDied, Garbled, Sandbox, TooMuchOutput, WorkerDied

HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
KILLED = "the submission killed its grading process (tried twice)"


# ----------------------------------------------------------------------------- the notebook plan

@dataclass
class Cell:
    kind: str  # "student" (run in the sandbox) or "test" (evaluated by the grader)
    source: str
    grade_id: str = ""


@dataclass
class SourceNotebook:
    """What the grader takes from the source notebook: locked cells, test cells (hidden tests included)."""

    name: str
    questions: list[Question]
    locked: dict[str, str]  # grade_id -> source of locked code cells (setup) and test cells
    tests: set[str]
    checks: dict[str, list[str]]  # grade_id of a test cell -> the check_* functions it calls

    @classmethod
    def read(cls, path: Path) -> "SourceNotebook":
        """Read a source notebook of the course (nbformat 4 JSON) with ``json``: importing nbformat
        takes over a second, paid at every start of the grader and of every cluster worker."""
        nb = json.loads(Path(path).read_bytes())
        questions, locked, tests, checks = [], {}, set(), {}
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            gid = meta.get("grade_id")
            if cell["cell_type"] != "code" or not gid:
                continue
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if meta.get("grade"):
                questions.append(Question(gid, float(meta.get("points", 0))))
                source = "\n".join(ln for ln in text.splitlines() if ln.strip() not in HIDDEN_MARKERS)
                locked[gid], tests = source, tests | {gid}
                checks[gid] = sorted({n.func.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                                      and isinstance(n.func, ast.Attribute) and n.func.attr.startswith("check_")})
            elif meta.get("locked") and not meta.get("solution"):
                locked[gid] = text
        return cls(Path(path).stem, questions, locked, tests, checks)

    def cells_of(self, submission: dict) -> list[Cell]:
        """The cells to run, in the submission's order, locked and test cells restored from the source."""
        cells, seen = [], set()
        for cell in submission.get("cells", []):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
            gid = meta.get("grade_id") if isinstance(meta, dict) else None
            source = cell.get("source", "")
            source = "".join(map(str, source)) if isinstance(source, list) else str(source)
            if isinstance(gid, str) and gid in self.locked:
                if gid in seen:
                    continue
                seen.add(gid)
                cells.append(Cell("test" if gid in self.tests else "student", self.locked[gid], gid))
            else:
                cells.append(Cell("student", source, gid if isinstance(gid, str) else ""))
        return cells


# ----------------------------------------------------------------------------- the student's objects, remotely

class RemoteFunction:
    """The student's function, called in the sandbox on the grader's inputs; results come back as plain data."""

    def __init__(self, sandbox: Sandbox, name: str):
        self.sandbox, self.name = sandbox, name

    def __repr__(self) -> str:
        return f"<the student's function {self.name}>"

    def __call__(self, *args, **kwargs):
        reply = self.sandbox.request({"op": "call", "name": self.name, "args": plain.encode(list(args)),
                                      "kwargs": plain.encode(dict(kwargs))})
        if not reply.get("ok"):
            if reply.get("error") == "NotImplementedError":
                raise NotImplementedError()
            raise GradingError(f"{self.name} raised {short(reply.get('message', reply.get('error', '?')), 400)}")
        try:
            result = plain.decode(reply.get("result"))
            after = plain.decode(reply.get("args"))
        except (plain.NotPlainData, ValueError, TypeError) as error:
            raise GradingError(f"{self.name} returned something the grader cannot read as plain data ({error}); "
                               "it scores 0.") from None
        _copy_back(args, after)
        return _plain_or_fail(self.name, result)


def _plain_or_fail(name: str, value):
    if isinstance(value, plain.Unsupported):
        raise GradingError(f"{name} returned a {value.what}, which is not plain data (a tensor, an array, a number, "
                           "a string, or a list or tuple of them); the grader scores it 0.")
    if isinstance(value, (list, tuple)):
        for item in value:
            _plain_or_fail(name, item)
    return value


def _copy_back(args, after) -> None:
    """Apply the student's in-place changes of array arguments to the grader's copies (the checks look)."""
    if not isinstance(after, list) or len(after) != len(args):
        return
    for before, now in zip(args, after):
        if isinstance(before, torch.Tensor) and isinstance(now, torch.Tensor) and before.shape == now.shape:
            with torch.no_grad():
                before.copy_(now.to(before.dtype))
        elif isinstance(before, np.ndarray) and isinstance(now, np.ndarray) and before.shape == now.shape:
            before[...] = now


class StudentNames(dict):
    """The test cell's local names: assigned ones, else the student's object of that name (remote)."""

    def __init__(self, sandbox: Sandbox, trusted: dict):
        super().__init__()
        self.sandbox, self.trusted = sandbox, trusted

    def __missing__(self, name: str):
        if name in self.trusted or hasattr(builtins, name):
            raise KeyError(name)  # the grader's own module or builtin
        reply = self.sandbox.request({"op": "get", "name": name})
        if not reply.get("ok"):
            raise KeyError(name)  # NameError in the test cell, as in the kernel
        if reply.get("callable"):
            value = RemoteFunction(self.sandbox, name)
        else:
            try:
                value = _plain_or_fail(name, plain.decode(reply.get("value")))
            except plain.NotPlainData as error:
                raise GradingError(f"{name} is not plain data ({error}); it scores 0.") from None
        self[name] = value
        return value


def _trusted_names() -> dict:
    return {"__builtins__": builtins, "grading": grading, "aecourse": aecourse, "np": np, "numpy": np,
            "torch": torch, "math": math}


class _ThreadOutput(io.TextIOBase):
    """sys.stdout for the grader: a thread that is evaluating a test cell prints into that cell's buffer."""

    def __init__(self, fallback):
        self.fallback, self.local = fallback, threading.local()

    def write(self, text: str) -> int:
        buffer = getattr(self.local, "buffer", None)
        return (buffer or self.fallback).write(text)

    def flush(self) -> None:
        self.fallback.flush()


_OUTPUT_LOCK = threading.Lock()


def _capture() -> _ThreadOutput:
    with _OUTPUT_LOCK:
        if not isinstance(sys.stdout, _ThreadOutput):
            sys.stdout = _ThreadOutput(sys.stdout)
        return sys.stdout


def evaluate_test(sandbox: Sandbox, source: str) -> tuple[bool, str, str]:
    """Run a test cell in the grader; (passed, reason, printed)."""
    out = _capture()
    out.local.buffer = io.StringIO()
    try:
        exec(compile(source, "<test cell>", "exec"), _trusted_names(), StudentNames(sandbox, _trusted_names()))
        return True, "", out.local.buffer.getvalue()
    except NameError as error:
        return False, short(f"NameError: {error} (did you rename or delete the function, or not run its cell?)"), ""
    except (GradingError, AssertionError) as error:
        return False, short(str(error) or type(error).__name__, 600), out.local.buffer.getvalue()
    except Exception as error:  # a test cell that fails otherwise: the student's value made the check fail
        return False, short(f"{type(error).__name__}: {error}", 600), out.local.buffer.getvalue()
    finally:
        out.local.buffer = None


# ----------------------------------------------------------------------------- one pair

@dataclass
class PairResult:
    rows: list[Row]
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (title, text) for the feedback page
    grader_error: str = ""  # not the submission's fault: the run must not exit 0


def shortcut_calls(cells: list[Cell], checks: list[str]) -> list[str]:
    """Declared library shortcuts named in the student's cells (attribute access or import)."""
    tails = {n.rpartition(".")[2]: n for n in library_functions(checks)}
    found = set()
    for cell in cells:
        if cell.kind != "student":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else None
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in tails:
                        found.add(tails[alias.name])
            if name in tails:
                found.add(tails[name])
    return sorted(found)


def grade_pair(student: str, notebook: str, submission: dict, source: SourceNotebook, new_sandbox,
               sandbox: Sandbox | None = None, note: str = "") -> tuple[PairResult, Sandbox | None]:
    """Grade one notebook; returns its result and the sandbox if it may serve this student's next notebook.

    ``new_sandbox()`` starts a sandbox; ``note`` is added to every row's reason (e.g. no sandbox).
    """
    cells = source.cells_of(submission)
    present = {c.grade_id for c in cells if c.kind == "test"}
    all_checks = sorted({c for q in source.questions for c in source.checks.get(q.grade_id, [])})
    shortcuts = sorted(library_functions(all_checks))
    decided: dict[str, tuple[float, str]] = {}
    feedback: list[tuple[str, str]] = []
    skip: dict[int, str] = {}  # cells not to run again (they timed out or killed their process)
    for q in source.questions:
        if q.grade_id not in present:
            decided[q.grade_id] = (0.0, "test cell missing from the submission (deleted or its metadata changed)")
        for call in shortcut_calls(cells, source.checks.get(q.grade_id, [])):
            decided.setdefault(q.grade_id, (0.0, message(call)))
    static = dict(decided)
    killed = 0
    while True:
        try:
            if sandbox is None or not sandbox.alive():
                sandbox = new_sandbox()
        except WorkerDied as error:
            rows = _rows(student, notebook, source, decided, f"grader error: {error}", note)
            return PairResult(rows, feedback, grader_error=str(error)), None
        where: list = [None]
        try:
            _run(sandbox, cells, source, decided, feedback, skip, where, shortcuts)
            sandbox.end_notebook()
            break
        except (CellTimeout, ChildDied, Garbled) as error:
            sandbox.kill()
            sandbox = None
            why = (f"a cell ran longer than the {new_sandbox.limits.timeout} s timeout and was stopped (an infinite loop?)"
                   if isinstance(error, CellTimeout) else _death(error.exit) if isinstance(error, ChildDied) else
                   f"the submission sent the grader {error}, not a plain-data reply; it scores 0")
            index, cell = where[0]
            if cell.kind == "test":
                decided[cell.grade_id] = (0.0, why)
            else:
                skip[index] = why
        except TooMuchOutput:
            sandbox.kill()
            sandbox = None
            rows = _rows(student, notebook, source, decided,
                         f"the notebook printed more than {new_sandbox.limits.output / 2**20:g} MB and was stopped", note)
            return PairResult(rows, feedback), None
        except WorkerDied:
            sandbox.kill()
            sandbox = None
            killed += 1
            if killed >= 2:  # nothing of an attempt whose sandbox died is trusted: every question scores 0
                return PairResult(_rows(student, notebook, source, {}, KILLED, note), feedback), None
            decided, feedback[:] = dict(static), []  # the pair again from the start, once
            skip.clear()
    return PairResult(_rows(student, notebook, source, decided, "test failed", note), feedback), sandbox


def _death(status) -> str:
    how = f"killed by signal {-status}" if isinstance(status, int) and status < 0 else f"exit status {status}"
    return (f"the notebook's process ended ({how}) before the test finished: os._exit, a crash or out of memory "
            "(the limit is --memory)")


def _run(sandbox, cells, source, decided, feedback, skip, where, shortcuts) -> None:
    sandbox.start_notebook(shortcuts)
    failed_cells: list[str] = []
    for index, cell in enumerate(cells):
        where[0] = (index, cell)
        if cell.kind == "student":
            if index in skip:
                failed_cells.append(skip[index])
                continue
            reply = sandbox.request({"op": "run", "code": cell.source, "cell": cell.grade_id or f"cell {index}"})
            if not reply.get("ok"):
                failed_cells.append(short(reply.get("message", "?"), 300))
            continue
        if cell.grade_id in decided:
            continue
        passed, reason, printed = evaluate_test(sandbox, cell.source)
        q = next(q for q in source.questions if q.grade_id == cell.grade_id)
        if not passed and reason.startswith("NameError") and failed_cells:
            reason = f"{reason}; an earlier cell failed: {failed_cells[-1]}"
        decided[cell.grade_id] = (q.max_score if passed else 0.0, reason)
        feedback.append((cell.grade_id, printed + ("" if passed else reason)))


def _rows(student, notebook, source: SourceNotebook, decided, default: str, note: str) -> list[Row]:
    rows = []
    for q in source.questions:
        score, reason = decided.get(q.grade_id, (0.0, default))
        if score >= q.max_score:
            reason = ""
        rows.append(Row(student, notebook, q.grade_id, score, q.max_score, "; ".join(r for r in (reason, note) if r)))
    return rows
