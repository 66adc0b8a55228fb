"""Put each lesson's quiz cells where its quiz file says (after the cell its ``after`` text is in).

    python scripts/insert_quizzes.py                 # every lesson with a quiz file
    python scripts/insert_quizzes.py notebooks/03_sparse.ipynb

Idempotent: the cells tagged ``quiz`` are taken out and put back from ``aecourse/quizzes/*.yaml``,
so editing a quiz file (adding a question, moving its anchor) and running this again is all an
instructor does; then re-execute the lesson (``make notebooks NB=...``). Quiz cells are code cells
tagged ``quiz`` with a stable cell id ``quiz-<id>``; they start a sub-slide in the slides.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from _course import lesson_paths
from aecourse.quizzes import QUIZ_DIR, load

TAG = "quiz"


def quiz_cell(lesson: str, question_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f'from aecourse.widgets import quiz\n\nquiz("{lesson}", "{question_id}")')
    cell.id = f"quiz-{question_id}".replace("_", "-")
    cell.metadata = {"tags": [TAG], "slideshow": {"slide_type": "subslide"}}
    return cell


def insert_quizzes(path: Path) -> int:
    """Rewrite ``path`` with its quiz cells in place; returns how many there are."""
    lesson = path.stem
    questions = load(lesson)
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    after: dict[int, list[str]] = {}
    for q in questions.values():
        hits = [i for i, c in enumerate(cells) if q.after and q.after in c.source]
        if len(hits) != 1:
            raise ValueError(f"{lesson}.yaml, question {q.id!r}: its 'after' text must occur in exactly one "
                             f"cell of {path.name}, found {len(hits)}: {q.after!r}")
        after.setdefault(hits[0], []).append(q.id)
    nb.cells = []
    for i, cell in enumerate(cells):
        nb.cells.append(cell)
        nb.cells.extend(quiz_cell(lesson, qid) for qid in after.get(i, []))
    nbformat.write(nb, path)
    return len(questions)


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or [p for p in lesson_paths() if (QUIZ_DIR / f"{p.stem}.yaml").exists()]
    for path in paths:
        print(f"{path}: {insert_quizzes(path)} quiz cells")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
