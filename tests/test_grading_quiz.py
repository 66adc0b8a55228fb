"""Graded quiz questions: the trusted grader scores a right and a wrong answer (letter and number), the
reason of a wrong one is the explanation of the option chosen, and the answers never reach exercises/."""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from aecourse import grading
from aecourse.grading import GradingError
from aecourse.instructor.sandbox import available

ROOT = Path(__file__).resolve().parent.parent
QUIZZES = ROOT / "solutions" / "quizzes"


def quiz(name: str) -> list[dict]:
    return yaml.safe_load((QUIZZES / f"{name}.yaml").read_text())


def test_check_quiz_letter_right_wrong_and_form(capsys):
    grading.check_quiz("B", question="q", answer_is="B", explanations={"A": "If you chose A: no.", "B": "Right: yes."})
    assert "Right: yes." in capsys.readouterr().out
    with pytest.raises(GradingError, match="If you chose A: no."):
        grading.check_quiz("a", question="q", answer_is="B", explanations={"A": "If you chose A: no.", "B": "Right"})
    with pytest.raises(GradingError, match="one letter among A, B"):
        grading.check_quiz("Z", question="q", answer_is="B", explanations={"A": "", "B": ""})
    with pytest.raises(GradingError, match="still the stub"):
        grading.check_quiz_format(None, options="AB")


def test_check_quiz_number_uses_tolerance_and_hints():
    grading.check_quiz(0.752, question="q", answer_is=0.75, tolerance=0.005)
    with pytest.raises(GradingError, match="subtracted"):
        grading.check_quiz(0.5, question="q", answer_is=0.75, tolerance=0.005, hints={"0.5": "you subtracted"})
    with pytest.raises(GradingError, match="must be a number"):
        grading.check_quiz("0.75", question="q", answer_is=0.75)


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "exercises").glob("*.ipynb")))
def test_quiz_answers_never_reach_the_exercises(name):
    text = (ROOT / "exercises" / f"{name}.ipynb").read_text()
    source = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    quiz_tests = [c for c in source.cells if "quiz" in c.metadata.get("nbgrader", {}).get("grade_id", "")
                  and c.metadata["nbgrader"].get("grade")]
    assert 1 <= len(quiz_tests) <= 2
    assert "check_quiz(" not in text and "answer_is" not in text and "Right:" not in text
    for q in quiz(name)[:2]:
        assert re.search(rf"answer_{q['id']} = None", text)


@pytest.mark.skipif(bool(available()), reason=f"no sandbox here: {available()}")
def test_the_grader_scores_a_right_and_a_wrong_quiz_answer(tmp_path):
    klass = tmp_path / "class"
    questions = {q["id"]: q for q in quiz("01_bottleneck")}
    for student, letter, number in (("right", "B", 0.1891), ("wrong", "A", 0.5674)):
        nb = nbformat.read(ROOT / "solutions" / "01_bottleneck.ipynb", as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if gid == "quiz_dropout_effect":
                cell.source = f"answer_dropout_effect = {letter!r}"
            elif gid == "quiz_bce_three_pixels":
                cell.source = f"answer_bce_three_pixels = {number!r}"
        (klass / student).mkdir(parents=True)
        nbformat.write(nb, klass / student / "01_bottleneck.ipynb")
    result = subprocess.run([sys.executable, "-m", "aecourse", "grade", str(klass), "--out", str(tmp_path / "out"),
                             "--jobs", "1"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {(r["student"], r["question"]): r for r in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    for q in ("test_quiz_dropout_effect", "test_quiz_bce_three_pixels"):
        assert float(rows[("right", q)]["score"]) == 1 and rows[("right", q)]["reason"] == ""
        assert float(rows[("wrong", q)]["score"]) == 0
    assert questions["dropout_effect"]["options"]["A"]["explanation"][:60] in rows[("wrong", "test_quiz_dropout_effect")]["reason"]
    assert "If you got 0.5674" in rows[("wrong", "test_quiz_bce_three_pixels")]["reason"]
    page = (tmp_path / "out" / "feedback" / "wrong" / "01_bottleneck.html").read_text()
    assert "If you chose A" in page
