"""Checks of graded quiz answers: ``answer_<id> = "B"`` (one letter) or ``answer_<id> = 0.75`` (a number).

The visible test of an exercise notebook only checks the form of the answer
(``check_quiz_format``); the hidden test, which never reaches ``exercises/``, holds the right answer
and the explanation of every wrong option (``check_quiz``). A wrong answer fails with the
explanation of the option chosen, the misconception behind it, which becomes the reason in
grades.csv and the feedback page. Questions come from ``solutions/quizzes/NN_name.yaml``.
"""
from __future__ import annotations

import math

from aecourse.grading.core import GradingError, passed

__all__ = ["check_quiz_format", "check_quiz"]


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def check_quiz_format(answer, *, options: str = "", name: str = "answer") -> None:
    """The answer is one letter among ``options`` (multiple choice) or, without options, a finite number."""
    if answer is None:
        raise GradingError(f"{name} is still the stub (None): replace None by your answer.")
    if options:
        if not isinstance(answer, str) or answer.strip().upper() not in options:
            raise GradingError(f"{name} must be one letter among {', '.join(options)} (a string such as "
                               f"{options[0]!r}), got {answer!r}.")
    elif _number(answer) is None or not math.isfinite(float(answer)):
        raise GradingError(f"{name} must be a number (e.g. 0.5), got {answer!r}.")
    print(f"{name} = {answer!r} has the right form; the grader checks the answer itself")


def check_quiz(answer, *, question: str, answer_is, explanations: dict | None = None, tolerance: float = 0.0,
               explanation: str = "", hints: dict | None = None) -> None:
    """Fail with the chosen option's explanation unless ``answer`` is ``answer_is`` (within ``tolerance``)."""
    name = f"answer_{question}"
    if isinstance(answer_is, str):
        check_quiz_format(answer, options="".join(sorted(explanations or {answer_is: ""})), name=name)
        chosen = answer.strip().upper()
        if chosen != answer_is:
            raise GradingError(f"{name} = {chosen!r} is wrong. " + (explanations or {}).get(chosen, ""))
        passed(name, (explanations or {}).get(chosen, "right"))
        return
    check_quiz_format(answer, name=name)
    value = float(answer)
    if abs(value - float(answer_is)) > tolerance:
        hint = next((h for k, h in (hints or {}).items() if abs(value - float(k)) <= max(tolerance, 1e-12)), "")
        raise GradingError(f"{name} = {value:g} is wrong. " + (hint or "Work it through again with the lesson's numbers."))
    passed(name, explanation or "right")
