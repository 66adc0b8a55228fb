"""Grades out of ``grades.csv`` into what a learning management system imports.

    aecourse export canvas OUT/grades.csv --out canvas.csv [--roster ROSTER.csv]
    aecourse export wide OUT/grades.csv --out wide.csv
    aecourse export feedback OUT --out ZIPS/          # one zip of feedback pages per student

``grades.csv`` (written by ``aecourse grade``) has one row per (student, notebook, question):
``student, notebook, question, score, max_score, reason``; ``student`` is the submission folder.

Canvas's gradebook import takes a CSV whose first columns identify the student (``Student, ID,
SIS User ID, SIS Login ID, Section``), then one column per assignment, and, as in a file Canvas
exports, a second row ``Points Possible`` with each assignment's maximum. The roster maps
submission folders to those identities: a CSV with the same five columns (a gradebook exported
from Canvas is one) and, optionally, a ``Submission`` column naming each student's folder; without
it a folder is matched to the SIS Login ID, then the SIS User ID, then the ID.
"""
from __future__ import annotations

import csv
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

GRADE_COLUMNS = ("student", "notebook", "question", "score", "max_score", "reason")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"


@dataclass(frozen=True)
class Grade:
    student: str
    notebook: str
    question: str
    score: float
    max_score: float


@dataclass
class CanvasExport:
    """What ``canvas_gradebook`` wrote, and who is missing on either side."""

    rows: int
    no_submission: list[str]  # roster students with no graded notebook
    not_in_roster: list[str]  # submission folders the roster does not know


def read_grades(path: str | Path) -> list[Grade]:
    """The rows of a ``grades.csv``, checked: the header, and numbers where numbers belong."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"GRADES_CSV must be a grades.csv written by 'aecourse grade', got {path} "
                                "(no such file).")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = tuple(next(reader, ()))
        if header != GRADE_COLUMNS:
            raise ValueError(f"GRADES_CSV must start with the header {','.join(GRADE_COLUMNS)}, "
                             f"got {','.join(header) or 'an empty file'} in {path}.")
        grades = []
        for line, row in enumerate(reader, start=2):
            try:
                grades.append(Grade(row[0], row[1], row[2], float(row[3]), float(row[4])))
            except (IndexError, ValueError):
                raise ValueError(f"{path}, line {line}: expected student, notebook, question, score, "
                                 f"max_score, reason with numeric scores, got {row!r}.") from None
    return grades


def _notebooks(grades: list[Grade]) -> dict[str, float]:
    """Each notebook's maximum points (the sum over its questions, as graded for anyone)."""
    maxima: dict[str, dict[str, float]] = defaultdict(dict)
    for g in grades:
        maxima[g.notebook][g.question] = max(g.max_score, maxima[g.notebook].get(g.question, 0.0))
    return {nb: sum(q.values()) for nb, q in sorted(maxima.items())}


def _points(grades: list[Grade]) -> dict[str, dict[str, float]]:
    points: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for g in grades:
        points[g.student][g.notebook] += g.score
    return points


def _number(x: float) -> str:
    return f"{x:g}"


def read_roster(path: str | Path) -> list[dict[str, str]]:
    """A roster CSV with Canvas's identity columns (and optionally ``Submission``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--roster must be a CSV file, got {path} (no such file).")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in CANVAS_IDENTITY if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"--roster must have the columns {', '.join(CANVAS_IDENTITY)} (a gradebook "
                             f"exported from Canvas has them); {path} lacks {', '.join(missing)}.")
        return [r for r in reader if r["Student"].strip() and POINTS_POSSIBLE not in r["Student"]]


def _folder_of(student: dict[str, str], folders: set[str]) -> str | None:
    for column in ("Submission", "SIS Login ID", "SIS User ID", "ID"):
        name = (student.get(column) or "").strip()
        if name and name in folders:
            return name
    return None


def canvas_gradebook(grades_csv: str | Path, out: str | Path, roster: str | Path | None = None) -> CanvasExport:
    """Write a Canvas gradebook import file: one row per student, one column per notebook (points).

    Without a roster every submission folder becomes a student whose SIS Login ID is the folder
    name. With one, the roster's students are written in its order (blank where they submitted
    nothing), and folders it does not know are listed in the result, not written.
    """
    grades = read_grades(grades_csv)
    notebooks, points = _notebooks(grades), _points(grades)
    folders = set(points)
    if roster is None:
        students = [({"Student": f, "ID": "", "SIS User ID": "", "SIS Login ID": f, "Section": ""}, f)
                    for f in sorted(folders)]
    else:
        students = [(s, _folder_of(s, folders)) for s in read_roster(roster)]
    matched = {folder for _, folder in students if folder}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*CANVAS_IDENTITY, *notebooks])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", *map(_number, notebooks.values())])
        for student, folder in students:
            marks = points.get(folder, {}) if folder else {}
            writer.writerow([*(student.get(c, "") for c in CANVAS_IDENTITY),
                             *(_number(marks[nb]) if nb in marks else "" for nb in notebooks)])
    return CanvasExport(rows=len(students),
                        no_submission=[s["Student"] for s, folder in students if folder is None],
                        not_in_roster=sorted(folders - matched))


def wide_table(grades_csv: str | Path, out: str | Path) -> int:
    """Write one row per student and one column per question (``notebook/question``), then a total.

    A second row gives each column's maximum. Returns the number of students written.
    """
    grades = read_grades(grades_csv)
    columns: dict[tuple[str, str], float] = {}
    for g in grades:
        columns[(g.notebook, g.question)] = max(g.max_score, columns.get((g.notebook, g.question), 0.0))
    columns = dict(sorted(columns.items()))
    marks: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for g in grades:
        marks[g.student][(g.notebook, g.question)] = g.score
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *(f"{nb}/{q}" for nb, q in columns), "total"])
        writer.writerow(["max_score", *map(_number, columns.values()), _number(sum(columns.values()))])
        for student in sorted(marks):
            row = marks[student]
            writer.writerow([student, *(_number(row[c]) if c in row else "" for c in columns),
                             _number(sum(row.values()))])
    return len(marks)


def feedback_zips(graded: str | Path, out: str | Path) -> list[Path]:
    """One zip per student, ``OUT/<student>.zip``, of the feedback pages in ``GRADED/feedback/<student>/``."""
    feedback = Path(graded) / "feedback"
    if not feedback.is_dir():
        raise FileNotFoundError(f"GRADED must be the --out folder of 'aecourse grade' (it holds feedback/), "
                                f"got {graded}: {feedback} does not exist.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for folder in sorted(p for p in feedback.iterdir() if p.is_dir()):
        target = out / f"{folder.name}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for page in sorted(folder.glob("*.html")):
                z.write(page, arcname=f"{folder.name}/{page.name}")
        written.append(target)
    return written
