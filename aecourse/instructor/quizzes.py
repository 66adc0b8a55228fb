"""Graded quiz questions in the solution notebooks, from ``solutions/quizzes/NN_name.yaml``.

``add_graded_quizzes`` appends, for every question of the data file, a markdown cell (the question
and its options), a solution cell that assigns ``answer_<id>`` and a test cell ``test_quiz_<id>``
whose visible half checks the answer's form and whose hidden half (kept out of ``exercises/`` by
nbgrader) holds the answer and the explanation of each option. Running it again replaces the
quiz cells it wrote before. ``aecourse generate-exercises`` then writes the student versions.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

PREFIXES = ("quiz_", "test_quiz_")


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, points: float = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def quiz_cells(question: dict, points: float = 1) -> list:
    qid = question["id"]
    name = f"answer_{qid}"
    options = question.get("options") or {}
    text = [f"### Quiz: `{qid}` ({points:g} point{'s' if points != 1 else ''})", "", question["question"].strip(), ""]
    if options:
        text += [f"- **{k}**: {v['text']}" for k, v in options.items()]
        text += ["", f'Assign one letter to `{name}`, e.g. `{name} = "A"`.']
        stub, right = f"{name} = None  # one letter: " + ", ".join(f'"{k}"' for k in options), repr(question["answer"])
        visible = f"grading.check_quiz_format({name}, options={''.join(options)!r}, name={name!r})"
        hidden = (f"grading.check_quiz({name}, question={qid!r}, answer_is={question['answer']!r},\n"
                  f"                   explanations={ {k: v['explanation'] for k, v in options.items()}!r})")
    else:
        text += ["", f"Assign the number to `{name}`, e.g. `{name} = 0.5`."]
        stub, right = f"{name} = None  # a number", repr(float(question["answer"]))
        visible = f"grading.check_quiz_format({name}, name={name!r})"
        hints = {str(k): v for k, v in (question.get("hints") or {}).items()}
        hidden = (f"grading.check_quiz({name}, question={qid!r}, answer_is={float(question['answer'])!r}, "
                  f"tolerance={float(question.get('tolerance', 0))!r},\n"
                  f"                   explanation={question.get('explanation', '')!r}, hints={hints!r})")
    return [
        nbformat.v4.new_markdown_cell("\n".join(text), metadata=_meta(f"quiz_{qid}_text")),
        nbformat.v4.new_code_cell(f"{stub}\n### BEGIN SOLUTION\n{name} = {right}\n### END SOLUTION",
                                  metadata=_meta(f"quiz_{qid}", solution=True)),
        nbformat.v4.new_code_cell(f"{visible}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS",
                                  metadata=_meta(f"test_quiz_{qid}", grade=True, points=points)),
    ]


def add_graded_quizzes(notebook: Path, questions: Path, *, points: float = 1, limit: int = 2) -> list[str]:
    """Replace the quiz cells of ``notebook`` by those of the first ``limit`` questions of ``questions``."""
    data = yaml.safe_load(Path(questions).read_text()) or []
    nb = nbformat.read(str(notebook), as_version=4)
    nb.cells = [c for c in nb.cells
                if not str(c.metadata.get("nbgrader", {}).get("grade_id", "")).startswith(PREFIXES)]
    for question in data[:limit]:
        nb.cells.extend(quiz_cells(question, points))
    nbformat.write(nb, str(notebook))
    return [q["id"] for q in data[:limit]]
