"""Benchmark `aecourse grade --jobs 2` against plain sequential `nbgrader autograde`, on the same class.

`aecourse grade` runs with its bubblewrap sandbox and with --no-sandbox, alternately, ``--repeats``
times each, so that the sandbox's cost per notebook is measured in the same run (where bubblewrap is
missing, only --no-sandbox runs). nbgrader runs once (it takes minutes); its spread is that of its
per-notebook `autograde` calls.

A class of N generated students (default 20) submits every exercise notebook; student i submits the
solution of notebook j when (i + j) % 3 != 0 and the untouched exercise otherwise, so about two thirds
are right. Both graders run in this one invocation; the script prints both throughputs (notebooks
graded per minute; for aecourse the median run and the range), their ratio, the seconds per student,
the machine's load average before and after (a busy machine slows both, not always alike), and
checks that both graders gave the same total score.

    .venv/bin/python scripts/bench_grading.py [--students 20] [--jobs 2] [--repeats 3]

The nbgrader baseline is what an instructor would run by hand: one course directory, the assignments
released once (not timed), then `nbgrader autograde NB` for each notebook, one after the other. It
writes no feedback; `aecourse grade` also writes feedback HTML for every notebook. The script fails
(exit 1) when the graders disagree or when the sandboxed grader's median run is less than 4x faster.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
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


def nbgrader_baseline(klass: Path, course: Path, names: list[str]) -> tuple[dict[str, float], float]:
    """Seconds of sequential `nbgrader autograde` for each notebook (every student), and the total score."""
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
    seconds = {name: run([nbgrader, "autograde", name, "--force", "--CourseDirectory.root=" + str(course)])
               for name in names}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        total = sum(gb.find_submission_notebook(name, name, s.name).score
                    for s in klass.iterdir() for name in names)
    return seconds, float(total)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="runs of aecourse grade per setting (default 3)")
    args = parser.parse_args(argv)
    names = sorted(p.stem for p in SOLUTIONS.glob("*.ipynb") if (EXERCISES / p.name).exists())
    n_notebooks = args.students * len(names)
    from aecourse.instructor.sandbox import available

    settings = [["--no-sandbox"]] if available() else [[], ["--no-sandbox"]]  # available(): '' or why not
    times: dict[str, list[float]] = {" ".join(s): [] for s in settings}
    totals: dict[str, set[float]] = {" ".join(s): set() for s in settings}
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="aecourse-bench-") as tmp:
        tmp = Path(tmp)
        make_class(tmp / "class", args.students, names)
        print(f"class: {args.students} students x {len(names)} notebooks = {n_notebooks} submissions; "
              f"{os.cpu_count()} CPUs; load average before: {load_before}")
        for i in range(args.repeats):  # alternated, so that a change of load hits both settings
            for extra in settings:
                out = tmp / f"out{i}{''.join(extra)}"
                seconds = run([sys.executable, "-m", "aecourse", "grade", str(tmp / "class"), "--out", str(out),
                               "--jobs", str(args.jobs), *extra], cwd=ROOT)
                with open(out / "grades.csv", newline="") as f:
                    totals[" ".join(extra)].add(sum(float(r["score"]) for r in csv.DictReader(f)))
                times[" ".join(extra)].append(seconds)
        theirs, their_total = nbgrader_baseline(tmp / "class", tmp / "course", names)
    load_after = load()

    key = "" if "" in times else "--no-sandbox"
    ours = statistics.median(times[key])
    their_seconds = sum(theirs.values())
    rate_ours, rate_theirs = n_notebooks / ours * 60, n_notebooks / their_seconds * 60
    label = "aecourse grade" + ("" if key == "" else " --no-sandbox") + f" --jobs {args.jobs}:"
    spread = lambda xs: f"(range {min(xs):.1f}-{max(xs):.1f} s over {len(xs)} runs)"  # noqa: E731
    print(f"{label:33s}{ours:7.1f} s  {rate_ours:6.1f} notebooks/min  {ours / args.students:5.1f} s/student  "
          f"{spread(times[key])}; scores decided in the grader, feedback HTML")
    if key == "":
        bare = statistics.median(times["--no-sandbox"])
        cost = [(s - b) / n_notebooks * args.jobs * 1000 for s, b in zip(times[""], times["--no-sandbox"])]
        print(f"{'  the same with --no-sandbox:':33s}{bare:7.1f} s  {spread(times['--no-sandbox'])}")
        print(f"  -> the sandbox costs {statistics.median(cost):+.0f} ms of wall time per notebook and job "
              f"(run by run: {', '.join(f'{c:+.0f}' for c in cost)}; {(ours / bare - 1) * 100:+.0f} % of the run)")
    else:
        print(f"no sandbox here ({available()}): the sandbox's cost was not measured")
    per_nb = [s / args.students for s in theirs.values()]
    print(f"{'nbgrader autograde (sequential):':33s}{their_seconds:7.1f} s  {rate_theirs:6.1f} notebooks/min  "
          f"{their_seconds / args.students:5.1f} s/student  (one run; {min(per_nb):.1f}-{max(per_nb):.1f} s per "
          f"submission across the {len(names)} notebooks)")
    ratio = rate_ours / rate_theirs
    print(f"speed-up: {ratio:.2f}x, median run (slowest run: {their_seconds / max(times[key]):.2f}x; at least 4x "
          f"required)   load average after: {load_after}")
    all_totals = set().union(*totals.values())
    print(f"total score: aecourse {', '.join(f'{t:g}' for t in sorted(all_totals))} (every run), "
          f"nbgrader {their_total:g}")
    if all_totals != {their_total}:
        print("WARNING: the graders disagree on the total score")
        return 1
    return 0 if ratio >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
