"""The course a command works on: its root folder, the source notebooks and their graded questions.

A course root is a folder holding ``solutions/*.ipynb`` (the nbgrader source notebooks). Commands
take it as ``--course DIR`` or discover it from the working directory and its parents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CSV_COLUMNS = ("student", "notebook", "question", "score", "max_score", "reason")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class CourseError(ValueError):
    """The course root or a folder in it cannot be used: a message for the instructor, exit status 2."""


def is_course_root(folder: Path) -> bool:
    return any((Path(folder) / "solutions").glob("*.ipynb"))


def find_course_root(course: Path | None = None, start: Path | None = None) -> Path:
    """``course`` if given (checked), else the working directory or its nearest parent holding solutions/*.ipynb."""
    if course is not None:
        course = Path(course).resolve()
        if not is_course_root(course):
            raise CourseError(f"--course {str(course)!r} is not a course root: expected {course / 'solutions'}/*.ipynb "
                              "(the nbgrader source notebooks).")
        return course
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_course_root(folder):
            return folder
    raise CourseError(f"no course root found in {str(here)!r} or its parents (a folder with solutions/*.ipynb); "
                      "run the command inside the course folder or pass --course DIR.")


def notebook_names(source: Path) -> list[str]:
    """The notebook names (file stems) of the source folder, sorted."""
    return sorted(p.stem for p in Path(source).glob("*.ipynb"))


def short(text: str, limit: int = 300) -> str:
    """One line of at most ``limit`` characters, terminal colours removed."""
    text = " ".join(ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Question:
    grade_id: str
    max_score: float


@dataclass
class Row:
    student: str
    notebook: str
    question: str
    score: float
    max_score: float
    reason: str = ""


@dataclass
class Unit:
    """One submitted notebook to grade; ``path`` None means not submitted."""

    student: str
    notebook: str
    path: Path | None


def questions_of(source_notebook: Path) -> list[Question]:
    """The graded test cells of a source notebook, in order."""
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            out.append(Question(meta["grade_id"], float(meta.get("points", 0))))
    return out
