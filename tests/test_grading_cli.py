"""`aecourse grade` (the sandboxed, trusted grader): solutions score full marks, untouched exercises 0, every bad submission gets its rows
and a reason, SUBMISSIONS is never changed, and bad arguments exit non-zero with a clear message.

One class is graded once (module fixture, --jobs 2): a student who submits the solutions, one who submits
the untouched exercises, and one student per bad case of tests/fixtures/bad_submissions/.
"""
from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aecourse.instructor.course import questions_of

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
BAD = Path(__file__).resolve().parent / "fixtures" / "bad_submissions"
NAMES = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb"))
TIMEOUT = 30  # seconds per cell (busy CI machines import torch slowly); the infinite loop costs this much
FULL = {"test_mse_loss": 3, "test_bce_loss": 3, "test_n_parameters": 2,  # exercises 01
        "test_quiz_bce_three_pixels": 1, "test_quiz_dropout_effect": 1}  # its graded quiz questions

# (score of mse, bce, n_parameters and the two quiz questions; a fragment of the reason of each question
# that is not full)
EXPECTED = {
    "correct": ((3, 3, 2, 1, 1), {}),
    "raises": ((0, 3, 2, 1, 1), {"test_mse_loss": "ZeroDivisionError"}),
    "infinite_loop": ((3, 0, 2, 1, 1), {"test_bce_loss": "timeout"}),
    # the cell that calls os._exit is skipped on the second try: only the function it defined is missing
    "os_exit": ((3, 3, 0, 1, 1), {"test_n_parameters": "NameError"}),
    "megabytes_of_output": ((3, 3, 2, 1, 1), {}),
    "deleted_cells": ((3, 0, 2, 1, 1), {"test_bce_loss": "missing"}),
    "renamed_function": ((0, 3, 2, 1, 1), {"test_mse_loss": "NameError: name 'mse_loss' is not defined"}),
    "edited_test": ((0, 3, 2, 1, 1), {"test_mse_loss": "summed over the whole batch"}),
    "not_a_notebook": ((0, 0, 0, 0, 0), dict.fromkeys(FULL, "not a valid notebook")),
}


def aecourse(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aecourse", *args], capture_output=True, text=True, timeout=timeout)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    klass = base / "class"
    shutil.copytree(BAD, klass)
    (klass / "zz_solutions").mkdir()
    (klass / "zz_stubs").mkdir()
    for name in NAMES:
        shutil.copy(SOLUTIONS / f"{name}.ipynb", klass / "zz_solutions")
        shutil.copy(EXERCISES / f"{name}.ipynb", klass / "zz_stubs")
    (klass / "zz_stubs" / "notes.txt").write_text("not a notebook name: ignored with a warning")
    before = digest(klass)
    result = aecourse("grade", str(klass), "--out", str(base / "out"), "--jobs", "2", "--timeout", str(TIMEOUT))
    with open(base / "out" / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {"result": result, "rows": rows, "before": before, "after": digest(klass), "out": base / "out"}


def rows_of(graded, student, notebook=None):
    return [r for r in graded["rows"] if r["student"] == student and (notebook is None or r["notebook"] == notebook)]


def test_grading_finishes_with_exit_status_0_and_a_summary(graded):
    result = graded["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "question" in result.stdout and "full marks" in result.stdout
    assert "ignored zz_stubs/notes.txt" in result.stdout


def test_csv_columns(graded):
    assert list(graded["rows"][0].keys()) == ["student", "notebook", "question", "score", "max_score", "reason"]


def test_solutions_score_full_marks(graded):
    rows = rows_of(graded, "zz_solutions")
    expected = {(n, q.grade_id) for n in NAMES for q in questions_of(SOLUTIONS / f"{n}.ipynb")}
    assert {(r["notebook"], r["question"]) for r in rows} == expected
    for r in rows:
        assert float(r["score"]) == float(r["max_score"]) > 0, r


def test_untouched_exercises_score_zero_with_a_reason(graded):
    rows = rows_of(graded, "zz_stubs")
    assert len(rows) == len(rows_of(graded, "zz_solutions"))
    for r in rows:
        assert float(r["score"]) == 0 and "still the stub" in r["reason"], r


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_submission_gets_expected_rows(graded, case):
    scores, reasons = EXPECTED[case]
    rows = rows_of(graded, case, "01_bottleneck")
    assert [r["question"] for r in rows] == list(FULL)
    assert [float(r["score"]) for r in rows] == [float(s) for s in scores], rows
    assert [float(r["max_score"]) for r in rows] == [float(s) for s in FULL.values()]
    for r in rows:
        if r["question"] in reasons:
            assert reasons[r["question"]] in r["reason"], r
        else:
            assert r["reason"] == "", r


def test_a_notebook_anyone_submitted_is_expected_from_every_student(graded):
    # the bad-case students submitted only 01: they get "not submitted" rows, score 0, for 02..08
    rows = rows_of(graded, "raises", "02_linear_ae_vs_pca")
    assert rows and all(r["reason"] == "not submitted" and float(r["score"]) == 0 for r in rows)


def test_feedback_html_per_student_and_notebook(graded):
    out = graded["out"]
    for name in NAMES:
        page = (out / "feedback" / "zz_solutions" / f"{name}.html").read_text()
        assert "OK " in page and all(q.grade_id in page for q in questions_of(SOLUTIONS / f"{name}.ipynb"))
    assert (out / "feedback" / "raises" / "01_bottleneck.html").exists()


def test_submissions_are_byte_identical_after_grading(graded):
    assert graded["after"] == graded["before"]


def test_one_notebook_can_be_graded_alone(tmp_path):
    submission = tmp_path / "me" / "01_bottleneck.ipynb"
    submission.parent.mkdir()
    shutil.copy(BAD / "not_a_notebook" / "01_bottleneck.ipynb", submission)
    result = aecourse("grade", str(submission), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv")))
    assert [(r["student"], r["question"]) for r in rows] == [("me", q) for q in FULL]


@pytest.mark.parametrize("args, message", [
    (["grade", "no/such/folder", "--out", "OUT"], "does not exist"),
    (["grade", "EXERCISE_FILE", "--out", "OUT"], "unknown notebook name 'lesson.ipynb'"),
    (["grade", "EMPTY", "--out", "OUT"], "no submissions found"),
    (["grade", "EMPTY", "--out", "EMPTY/out"], "inside SUBMISSIONS"),
    (["grade", "EMPTY", "--out", "OUT", "--jobs", "0"], "--jobs"),
    (["grade", "EMPTY", "--out", "OUT", "--timeout", "soon"], "--timeout"),
    (["grade", "EMPTY"], "--out"),
])
def test_bad_arguments_exit_non_zero_with_a_clear_message(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "lesson.ipynb").write_text("{}")
    names = {"EMPTY": str(tmp_path / "empty"), "OUT": str(tmp_path / "out"),
             "EXERCISE_FILE": str(tmp_path / "lesson.ipynb"), "EMPTY/out": str(tmp_path / "empty" / "out")}
    result = aecourse(*[names.get(a, a) for a in args], timeout=120)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "empty" / "out").exists()


@pytest.mark.parametrize("out, message", [("grades.csv", "is a file"), ("grades.csv/run1", "which is a file")])
def test_out_that_is_a_file_is_refused_before_any_work(tmp_path, out, message):
    # fails if the grader starts grading (a traceback from mkdir, or grades written over the file)
    (tmp_path / "grades.csv").write_text("last year's grades\n")
    submission = tmp_path / "me" / "01_bottleneck.ipynb"
    submission.parent.mkdir()
    shutil.copy(BAD / "correct" / "01_bottleneck.ipynb", submission)
    result = aecourse("grade", str(tmp_path / "me"), "--out", str(tmp_path / out), timeout=120)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"--out {str(tmp_path / out)!r} " in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert (tmp_path / "grades.csv").read_text() == "last year's grades\n"


def test_console_script_and_version():
    script = Path(sys.executable).parent / "aecourse"
    if script.exists():
        result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "aecourse" in result.stdout
    result = aecourse("--version", timeout=60)
    assert result.returncode == 0 and "aecourse" in result.stdout


def test_without_bubblewrap_the_grader_refuses_unless_no_sandbox(tmp_path):
    submission = tmp_path / "me" / "01_bottleneck.ipynb"
    submission.parent.mkdir()
    shutil.copy(BAD / "correct" / "01_bottleneck.ipynb", submission)
    env = {"PATH": str(tmp_path / "no-bin"), "CI": "true"}  # no bwrap on PATH
    refused = subprocess.run([sys.executable, "-m", "aecourse", "grade", str(submission), "--out", str(tmp_path / "out")],
                             capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert refused.returncode == 2 and "bubblewrap (bwrap) is not installed" in refused.stderr
    assert "--no-sandbox" in refused.stderr and not (tmp_path / "out").exists()
    graded = subprocess.run([sys.executable, "-m", "aecourse", "grade", str(submission), "--out", str(tmp_path / "out"),
                             "--no-sandbox"], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert "sandbox: OFF (--no-sandbox)" in graded.stdout
    rows = list(csv.DictReader(open(tmp_path / "out" / "grades.csv")))
    assert [float(r["score"]) for r in rows] == [float(s) for s in FULL.values()]
    assert all(r["reason"].endswith("graded without a sandbox (--no-sandbox)") for r in rows), rows
