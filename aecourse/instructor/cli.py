"""Command line: ``aecourse`` or ``python -m aecourse``.

    aecourse grade SUBMISSIONS --out DIR [--jobs N] [--timeout SECONDS]
    aecourse generate-exercises [--force]
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _megabytes(text: str) -> int:
    value = _positive_int(text)
    if value < 256:
        raise argparse.ArgumentTypeError(f"expected at least 256 (megabytes; torch alone needs that), got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aecourse", description="Tools of the autoencoder course.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__import__('aecourse').__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    grade = commands.add_parser(
        "grade", help="grade exercise notebooks in a sandbox (grades.csv, feedback HTML, a summary)",
        description="Grade one notebook, or a folder laid out as <student>/<notebook>.ipynb, against the source "
                    "notebooks in solutions/ (tests restored, hidden tests added). Writes DIR/grades.csv and "
                    "DIR/feedback/<student>/<notebook>.html and prints a summary. Student code runs in a bubblewrap sandbox; "
                    "every score is decided in the grader's own process. Never changes SUBMISSIONS. Exit status 1 "
                    "if some notebook could not be graded because of the grader.")
    grade.add_argument("submissions", metavar="SUBMISSIONS", type=Path,
                       help="a notebook such as 03_sparse.ipynb, or a folder of <student>/<notebook>.ipynb")
    grade.add_argument("--out", required=True, type=Path, metavar="DIR", help="where to write grades.csv and feedback/")
    grade.add_argument("--jobs", type=_positive_int, default=max(1, min(2, os.cpu_count() or 1)), metavar="N",
                       help="notebooks graded in parallel (default: 2, or 1 on a one-core machine)")
    grade.add_argument("--timeout", type=_positive_int, default=30, metavar="SECONDS",
                       help="longest run of one cell before it is interrupted (default: 30)")
    grade.add_argument("--memory", type=_megabytes, default=2048, metavar="MB",
                       help="address space of each student process in megabytes (default: 2048)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="grade without the bubblewrap sandbox where none is available (said in the summary and "
                            "in every row's reason); scores are still decided in the grader's process")
    grade.add_argument("--course", type=Path, default=None, metavar="DIR",
                       help="the course root holding solutions/ (default: the working directory or its nearest parent "
                            "with solutions/*.ipynb)")
    grade.add_argument("--source", type=Path, default=None, metavar="DIR",
                       help="the nbgrader source notebooks (default: COURSE/solutions)")

    gen = commands.add_parser(
        "generate-exercises", help="write exercises/ from solutions/ with nbgrader",
        description="Generate the student notebooks exercises/NN_topic.ipynb from solutions/ with nbgrader's "
                    "generate_assignment. A notebook edited since it was generated is kept unless --force.")
    gen.add_argument("--force", action="store_true", help="overwrite exercise notebooks even if someone edited them")
    gen.add_argument("--course", type=Path, default=None, metavar="DIR",
                     help="the course root (default: discovered from the working directory)")
    gen.add_argument("--source", type=Path, default=None, metavar="DIR", help="default: COURSE/solutions")
    gen.add_argument("--dest", type=Path, default=None, metavar="DIR", help="default: COURSE/exercises")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "grade":
        from aecourse.instructor.classroom import GradeArgumentError, grade
        from aecourse.instructor.course import CourseError, find_course_root

        try:
            source = args.source or find_course_root(args.course) / "solutions"
            outcome = grade(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout, source=source,
                            memory=args.memory * 2**20, use_sandbox=not args.no_sandbox)
        except (GradeArgumentError, CourseError) as error:
            parser.exit(2, f"aecourse grade: error: {error}\n")
        return outcome.exit_status
    if args.command == "generate-exercises":
        from aecourse.instructor.course import find_course_root
        from aecourse.instructor.exercises import generate_exercises

        try:
            if args.course is not None or args.source is None or args.dest is None:
                root = find_course_root(args.course)
                args.source, args.dest = args.source or root / "solutions", args.dest or root / "exercises"
            report = generate_exercises(args.source, args.dest, force=args.force)
        except ValueError as error:
            parser.exit(2, f"aecourse generate-exercises: error: {error}\n")
        for name in report.written:
            print(f"wrote     {name}")
        for name in report.unchanged:
            print(f"unchanged {name}")
        for name in report.kept:
            print(f"KEPT      {name}: edited since it was generated; not overwritten (use --force to replace it)")
        return 0
    parser.print_help()
    return 0
