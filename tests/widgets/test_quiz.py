"""The quiz widget, headless: every option of every lesson's questions shows its own explanation
when checked, the right one says so in words, and the static fallback holds the answer collapsed."""
from __future__ import annotations

import pytest

from _course import lesson_paths
from aecourse.quizzes import load
from aecourse.widgets import quiz
from aecourse.widgets.quiz import RIGHT, WRONG

LESSONS = [p.stem for p in lesson_paths()]


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_option_checked_shows_its_own_explanation(lesson):
    for q in load(lesson).values():
        widget = quiz(lesson, q.id)
        if q.kind == "choice":
            for option in q.options:
                widget.choice.value = option.key
                widget.check.click()  # what the Check button does in JupyterLab
                shown = widget.feedback_text
                assert shown.startswith(RIGHT if option.key == q.answer else WRONG), (lesson, q.id, option.key)
                # its explanation, not another option's (the right one loses its leading "Right:")
                assert option.explanation.split(":", 1)[-1].strip()[1:40] in shown, (lesson, q.id, option.key)
        else:
            widget.choice.value = f"{q.answer}"
            widget.check.click()
            assert widget.feedback_text.startswith(RIGHT)
            widget.choice.value = f"{q.answer + 10 * q.tolerance + 1}"
            widget.check.click()
            assert widget.feedback_text.startswith(WRONG)


def test_checking_without_an_answer_asks_for_one():
    widget = quiz("_example", "identity")
    widget.check.click()
    assert widget.feedback_text == "Choose an answer first, then press Check."


def test_the_fallback_shows_question_options_and_the_answer_collapsed():
    widget = quiz("_example", "identity")
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab: the live form
    html = bundle["text/html"]  # the site and the slides: readable without widgets
    assert "What happens if the bottleneck dimension \\(h\\)" in html  # math for any MathJax set-up
    assert html.count("<li>") == 4 + 3  # four options, then the three wrong options' explanations
    answer = html.index("<details>")
    assert html.index("<strong>B.</strong>") > answer  # the answer only inside the collapsed section
    assert bundle["text/plain"].splitlines()[0].startswith("Quiz: What happens")


def test_an_unknown_question_names_the_known_ones():
    with pytest.raises(ValueError, match=r"question_id must be one of \['halves', 'identity'\]"):
        quiz("_example", "nope")
