"""Command line: ``aecourse`` or ``python -m aecourse``.

    aecourse grade SUBMISSIONS --out DIR [--jobs N | --scheduler tcp://HOST:PORT] [--resume] [--timeout SECONDS]
    aecourse export canvas|wide GRADES_CSV --out FILE [--roster ROSTER_CSV]
    aecourse export feedback OUT --out DIR
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
    grade.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="grade on this Dask cluster's workers (pip install 'aecourse[cluster]'; the cluster is left "
                            "running) instead of --jobs sandboxes on this machine")
    grade.add_argument("--resume", action="store_true",
                       help="keep the notebooks already graded into DIR whose submission and course are unchanged "
                            "(DIR/graded.jsonl) and grade only the others")

    export = commands.add_parser(
        "export", help="grades.csv for a learning management system (Canvas, a wide table) or feedback zips",
        description="canvas: a Canvas gradebook import file (one column per notebook); wide: one row per student "
                    "and one column per question; feedback: one zip of feedback pages per student.")
    export.add_argument("format", choices=["canvas", "wide", "feedback"])
    export.add_argument("grades", type=Path, metavar="GRADES_CSV_OR_DIR",
                        help="OUT/grades.csv of aecourse grade (for feedback: the OUT folder)")
    export.add_argument("--out", required=True, type=Path, metavar="PATH", help="the file (a folder for feedback) to write")
    export.add_argument("--roster", type=Path, default=None, metavar="ROSTER_CSV",
                        help="canvas: a CSV with Student, ID, SIS User ID, SIS Login ID, Section (a Canvas gradebook "
                             "export works) and optionally Submission, the student's folder name")

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
        from aecourse.instructor.cluster import ClusterError, connect

        if args.scheduler:  # first, before the grader's imports: an unreachable cluster is said within seconds
            try:
                connect(args.scheduler).close()
            except ClusterError as error:
                parser.exit(2, f"aecourse grade: error: {error}\n")
        from aecourse.instructor.classroom import GradeArgumentError, grade
        from aecourse.instructor.course import CourseError, find_course_root

        try:
            source = args.source or find_course_root(args.course) / "solutions"
            outcome = grade(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout, source=source,
                            memory=args.memory * 2**20, use_sandbox=not args.no_sandbox, scheduler=args.scheduler,
                            resume=args.resume)
        except (GradeArgumentError, CourseError, ClusterError) as error:
            parser.exit(2, f"aecourse grade: error: {error}\n")
        except KeyboardInterrupt:
            parser.exit(130, f"aecourse grade: interrupted; {args.out / 'grades.csv'} holds the notebooks that were "
                             f"finished; run the same command with --resume to grade the rest\n")
        return outcome.exit_status
    if args.command == "export":
        from aecourse.instructor import export

        try:
            if args.format == "canvas":
                result = export.canvas_gradebook(args.grades, args.out, roster=args.roster)
                print(f"wrote {args.out}: {result.rows} students")
                for name in result.no_submission:
                    print(f"on the roster, no submission: {name}")
                for name in result.not_in_roster:
                    print(f"submission not on the roster (not written): {name}")
            elif args.format == "wide":
                print(f"wrote {args.out}: {export.wide_table(args.grades, args.out)} students")
            else:
                print(f"wrote {len(export.feedback_zips(args.grades, args.out))} zips to {args.out}/")
        except (OSError, ValueError) as error:
            parser.exit(2, f"aecourse export: error: {error}\n")
        return 0
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
