"""Benchmark `aecourse grade --jobs 2` against plain sequential `nbgrader autograde`, on the same class.

`aecourse grade` runs twice, with its bubblewrap sandbox and with --no-sandbox, so that the sandbox's
cost per notebook is measured in the same run (where bubblewrap is missing, only --no-sandbox runs).

A class of N generated students (default 20) submits the 7 notebooks; student i submits the solution of
notebook j when (i + j) % 3 != 0 and the untouched exercise otherwise, so about two thirds are right.
Both graders run in this one invocation; the script prints both throughputs (notebooks graded per
minute), their ratio and the seconds per student, and checks that both gave the same total score.

    .venv/bin/python scripts/bench_grading.py [--students 20] [--jobs 2]

The nbgrader baseline is what an instructor would run by hand: one course directory, the assignments
released once (not timed), then `nbgrader autograde NB` for each notebook, one after the other. It
writes no feedback; `aecourse grade` also writes feedback HTML for every notebook. The script fails
(exit 1) when the two graders disagree or when the sandboxed grader is less than 4x faster.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"


def make_class(folder: Path, n_students: int, names: list[str]) -> None:
    for i in range(n_students):
        student = folder / f"student{i:02d}"
        student.mkdir(parents=True)
        for j, name in enumerate(names):
            origin = SOLUTIONS if (i + j) % 3 else EXERCISES
            shutil.copy(origin / f"{name}.ipynb", student / f"{name}.ipynb")


def run(cmd: list[str], cwd: Path | None = None) -> float:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return seconds


def nbgrader_baseline(klass: Path, course: Path, names: list[str]) -> tuple[float, float]:
    """Seconds of sequential `nbgrader autograde` over every notebook, and the total score it gave."""
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    for name in names:  # release once, not timed
        (course / "source" / name).mkdir(parents=True)
        shutil.copy(SOLUTIONS / f"{name}.ipynb", course / "source" / name)
        run([nbgrader, "generate_assignment", name, "--force", "--CourseDirectory.root=" + str(course)])
    for student in sorted(klass.iterdir()):
        for nb in student.glob("*.ipynb"):
            dest = course / "submitted" / student.name / nb.stem
            dest.mkdir(parents=True)
            shutil.copy(nb, dest)
    seconds = sum(run([nbgrader, "autograde", name, "--force", "--CourseDirectory.root=" + str(course)])
                  for name in names)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        total = sum(gb.find_submission_notebook(name, name, s.name).score
                    for s in klass.iterdir() for name in names)
    return seconds, float(total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    names = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb") if (EXERCISES / p.name).exists())
    n_notebooks = args.students * len(names)
    with tempfile.TemporaryDirectory(prefix="aecourse-bench-") as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", args.students, names)
        print(f"class: {args.students} students x {len(names)} notebooks = {n_notebooks} submissions; "
              f"{os.cpu_count()} CPUs")

        def ours(*extra: str) -> tuple[float, float]:
            out = tmp / ("out" + "".join(extra))
            seconds = run([sys.executable, "-m", "aecourse", "grade", str(tmp / "class"), "--out", str(out),
                           "--jobs", str(args.jobs), *extra], cwd=ROOT)
            with open(out / "grades.csv", newline="") as f:
                return seconds, sum(float(r["score"]) for r in csv.DictReader(f))

        from aecourse.instructor.sandbox import available

        sandboxed = ours() if not available() else None
        plain_seconds, plain_total = ours("--no-sandbox")
        theirs, their_total = nbgrader_baseline(tmp / "class", tmp / "course", names)

    seconds, our_total = sandboxed or (plain_seconds, plain_total)
    rate_ours, rate_theirs = n_notebooks / seconds * 60, n_notebooks / theirs * 60
    label = "aecourse grade" + ("" if sandboxed else " --no-sandbox") + f" --jobs {args.jobs}:"
    print(f"{label:33s}{seconds:7.1f} s  {rate_ours:6.1f} notebooks/min  {seconds / args.students:5.1f} s/student  "
          "(scores decided in the grader, feedback HTML)")
    if sandboxed:
        print(f"{'  the same with --no-sandbox:':33s}{plain_seconds:7.1f} s  -> the sandbox costs "
              f"{(seconds - plain_seconds) / n_notebooks * 1000 * args.jobs:+.0f} ms of wall time per notebook and job "
              f"({(seconds / plain_seconds - 1) * 100:+.0f} %)")
    else:
        print(f"no sandbox here ({available()}): the sandbox's cost was not measured")
    print(f"{'nbgrader autograde (sequential):':33s}{theirs:7.1f} s  {rate_theirs:6.1f} notebooks/min  "
          f"{theirs / args.students:5.1f} s/student")
    ratio = rate_ours / rate_theirs
    print(f"speed-up: {ratio:.2f}x (at least 4x required)   total score: aecourse {our_total:g} "
          f"(--no-sandbox {plain_total:g}), nbgrader {their_total:g}")
    if not our_total == plain_total == their_total:
        print("WARNING: the graders disagree on the total score")
        return 1
    return 0 if ratio >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
