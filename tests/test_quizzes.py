"""Quiz data: every lesson's self-check questions and every exercise's graded ones load, are
complete (each wrong option explains its own misconception), and sit where their anchor says.
The judging rule is tested against answers worked out by hand."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from _course import lesson_paths
from aecourse import quizzes
from aecourse.quizzes import QuizFileError, load

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [p.stem for p in lesson_paths()]
GRADED = ROOT / "solutions" / "quizzes"


def cells_containing(notebook: Path, text: str) -> list[int]:
    cells = json.loads(notebook.read_text())["cells"]
    return [i for i, c in enumerate(cells) if text in "".join(c["source"])]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_two_to_four_self_check_questions(lesson):
    questions = load(lesson)
    assert 2 <= len(questions) <= 4, f"{lesson}.yaml has {len(questions)} questions"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_wrong_option_explains_itself(lesson):
    for folder in (None, GRADED):
        if folder is not None and not (GRADED / f"{lesson}.yaml").exists():
            continue
        for q in load(lesson, folder=folder).values():
            if q.kind != "choice":
                assert q.explanation, f"{lesson}/{q.id}: a numeric question needs an explanation"
                continue
            texts = [o.explanation for o in q.options]
            assert len(set(texts)) == len(texts), f"{lesson}/{q.id}: two options share one explanation"
            for o in q.options:
                assert q.judge(o.key).correct == (o.key == q.answer)


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_question_is_anchored_to_exactly_one_cell(lesson):
    notebook = ROOT / "notebooks" / f"{lesson}.ipynb"
    for q in load(lesson).values():
        assert q.after, f"{lesson}/{q.id} has no 'after' anchor"
        assert len(cells_containing(notebook, q.after)) == 1, (
            f"{lesson}/{q.id}: the anchor {q.after!r} must occur in exactly one cell of {notebook.name}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_quiz_cell_follows_its_anchor_and_shows_its_fallback(lesson):
    # fails if a question has no cell (scripts/insert_quizzes.py not run), a cell sits elsewhere
    # than after its anchor (and that anchor's other quiz cells), or the stored output lacks the
    # static fallback the site and the slides show (the question with its answer folded away)
    cells = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text())["cells"]
    for q in load(lesson).values():
        at = [i for i, c in enumerate(cells) if c.get("id") == f"quiz-{q.id}".replace("_", "-")]
        assert len(at) == 1, f"{lesson}/{q.id}: {len(at)} quiz cells (run scripts/insert_quizzes.py)"
        cell = cells[at[0]]
        assert "quiz" in cell["metadata"].get("tags", [])
        before = at[0] - 1
        while "quiz" in cells[before]["metadata"].get("tags", []):
            before -= 1
        assert q.after in "".join(cells[before]["source"]), f"{lesson}/{q.id} is not after its anchor"
        html = [o["data"]["text/html"] for o in cell.get("outputs", []) if "text/html" in o.get("data", {})]
        assert html and "<details>" in "".join(html[0]), f"{lesson}/{q.id}: no stored fallback (re-execute)"


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_has_one_or_two_graded_questions_apart_from_the_lessons(lesson):
    graded = load(lesson, folder=GRADED)
    assert 1 <= len(graded) <= 2
    lesson_questions = {q.question for q in load(lesson).values()}
    assert not lesson_questions & {q.question for q in graded.values()}, (
        "a graded question is also a self-check question, whose answer students have")


def test_choice_answers_are_letters_in_any_case_and_nothing_else():
    q = load("_example")["identity"]
    assert q.judge("b").correct and q.judge(" B\n").correct
    for wrong in ["A", "E", "", "BB", 2, None, ["B"]]:
        verdict = q.judge(wrong)
        assert not verdict.correct, wrong
    assert "one of the letters A, B, C, D" in q.judge("E").explanation


def test_numeric_answers_within_the_tolerance_and_hints_for_known_wrong_numbers():
    q = load("_example")["halves"]  # answer 0.25, tolerance 0.03, hint at 0.0625
    assert q.judge(0.25).correct and q.judge(0.279).correct and q.judge("0.22").correct
    assert not q.judge(0.281).correct
    assert q.judge(0.07).explanation.startswith("If you got 0.0625")  # within 0.03 of the hint
    assert not q.judge(float("nan")).correct and not q.judge(True).correct
    assert "must be a number" in q.judge("a quarter").explanation


@pytest.mark.parametrize("bad, message", [
    ("- id: x\n  question: q\n", "no 'answer'"),
    ("- id: Bad-Id\n  question: q\n  answer: 1\n  tolerance: 0\n", "snake_case"),
    ("- id: x\n  question: q\n  answer: C\n  options:\n    A: {text: a, explanation: e}\n"
     "    B: {text: b, explanation: f}\n", "answer must be one of the options"),
    ("- id: x\n  question: q\n  answer: A\n  options:\n    A: {text: a, explanation: e}\n    B: {text: b}\n",
     "option B needs a text and an explanation"),
    ("- id: x\n  question: q\n  answer: 1\n", "needs a numeric answer and a tolerance"),
    ("- id: x\n  question: q\n  answer: 1\n  tolerance: 0\n- id: x\n  question: r\n  answer: 2\n  tolerance: 0\n",
     "unique"),
    ("{}", "non-empty list"),
])
def test_a_broken_quiz_file_names_the_file_the_question_and_the_problem(tmp_path, bad, message):
    (tmp_path / "01_x.yaml").write_text(bad)
    with pytest.raises(QuizFileError, match=message):
        load("01_x", folder=tmp_path)


def test_a_lesson_without_a_quiz_file_says_which_file_is_missing():
    with pytest.raises(FileNotFoundError, match="99_nothing.yaml does not exist"):
        load("99_nothing")


def test_the_quiz_files_are_plain_yaml():
    for path in sorted(Path(quizzes.QUIZ_DIR).glob("*.yaml")):
        assert isinstance(yaml.safe_load(path.read_text()), list), path
