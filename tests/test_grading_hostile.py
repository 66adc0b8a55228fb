"""The trusted grader against a class of hostile students (tests/fixtures/hostile.py), graded in one run.

Asserts every row, the honest students' full marks, that no file outside the output folder changed
(the package, solutions/, SUBMISSIONS), that the sandbox reached no network and leaked no classmate's
notebook into the feedback, and that no process of the run is left.
"""
from __future__ import annotations

import csv
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import aecourse
from fixtures.hostile import NAME, SECRET, make_class
from aecourse.instructor.sandbox import PIDS_CGROUPS, available

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(aecourse.__file__).resolve().parent

pytestmark = pytest.mark.skipif(bool(available()), reason=f"no sandbox here: {available()}")


def digest(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def workers() -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and b"aecourse.instructor.worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def cgroups() -> list[Path]:
    """The pids cgroups of sandboxes (aecourse.instructor.sandbox.ProcessLimit), where there are any."""
    return [p for root in PIDS_CGROUPS if root.is_dir() for p in root.glob("aecourse-*")]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    klass, out = base / "class", base / "out"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    targets = {"solutions": ROOT / "solutions", "out": out, "package": PACKAGE,
               "classmate": klass / "honest_a" / NAME, "port": listener.getsockname()[1]}
    expected = make_class(klass, targets)
    before = digest(klass, ROOT / "solutions")
    workers_before, cgroups_before = set(workers()), set(cgroups())
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(out), "--jobs", "2",
                             "--timeout", "20", "--memory", "1500"], capture_output=True, text=True, timeout=900,
                            cwd=ROOT)
    seconds = time.perf_counter() - start
    time.sleep(0.5)
    stop.set()
    thread.join()
    listener.close()
    rows = list(csv.DictReader(open(out / "grades.csv", newline="")))
    return {"result": result, "rows": rows, "expected": expected, "before": before, "out": out,
            "after": digest(klass, ROOT / "solutions"), "package": [p for p in PACKAGE.rglob("*.py")
                                                                 if p.read_bytes() == b"owned"], "received": received, "seconds": seconds,
            "left": set(workers()) - workers_before, "cgroups_left": set(cgroups()) - cgroups_before}


def test_the_run_ends_with_status_0_and_says_the_sandbox_was_on(hostile):
    result = hostile["result"]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "sandbox: on (bubblewrap" in result.stdout


def test_every_row_of_every_student(hostile):
    got = {(r["student"], r["question"]): r for r in hostile["rows"]}
    assert len(got) == len(hostile["rows"]) == sum(len(q) for q in hostile["expected"].values())
    for student, questions in hostile["expected"].items():
        for question, (score, reason) in questions.items():
            row = got[(student, question)]
            assert float(row["score"]) == score, row
            assert reason in row["reason"] if reason else row["reason"] == "", row


def test_honest_students_get_full_marks(hostile):
    for r in hostile["rows"]:
        if r["student"].startswith("honest"):
            assert float(r["score"]) == float(r["max_score"]) > 0 and r["reason"] == "", r


def test_no_file_of_the_package_solutions_or_submissions_changed(hostile):
    # (the package is shared with engineers editing it: checked for the attack's content, not by hash)
    assert hostile["after"] == hostile["before"]
    assert hostile["package"] == []
    assert not list(hostile["out"].rglob("*owned*"))
    assert "owned" not in (hostile["out"] / "grades.csv").read_text()


def test_no_classmate_or_solution_reaches_the_feedback(hostile):
    for page in (hostile["out"] / "feedback").rglob("*.html"):
        text = page.read_text()
        if "honest_a" not in page.parts:
            assert SECRET not in text, page
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "def l1_sparsity" not in text, page


def test_no_network(hostile):
    assert hostile["received"] == []


def test_no_process_of_the_run_is_left(hostile):
    assert hostile["left"] == set()
    assert hostile["cgroups_left"] == set()
