"""Quiz questions: loaded from YAML data files and judged, with an explanation for every answer.

Each lesson's self-check questions live in ``aecourse/quizzes/NN_name.yaml`` (``NN_name`` is the
lesson's file stem, e.g. ``03_sparse``); the graded questions of the exercises live beside the
solutions, in ``solutions/quizzes/NN_name.yaml``, so that their answers never reach students.
Instructors edit these files; nothing about a question is written in code.

A file is a YAML list of questions. A multiple-choice question::

    - id: identity                  # unique in the lesson; the graded variable is answer_identity
      after: "text of the last cell of the section it tests"   # where the quiz cell goes
      source: "handout 002 quiz Q1"
      question: "What happens if the bottleneck $h$ equals the input dimension $d$?"
      options:
        A: {text: "It learns PCA", explanation: "If you chose A: PCA needs h < d ..."}
        B: {text: "It can learn the identity", explanation: "Right: ..."}
      answer: B

A numeric question has ``answer`` (a number), ``tolerance`` (absolute), ``explanation`` (shown
after any answer) and optional ``hints``, a map from a typical wrong number to the misconception
behind it (``"1.0": "If you got 1.0: ..."``), used when an answer lies within the tolerance of it.

The judgement (:meth:`Question.judge`) is plain Python on plain data: the quiz widget in JupyterLab
and the grader (in its own process) call the same function.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

QUIZ_DIR = Path(__file__).resolve().parent
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class QuizFileError(ValueError):
    """A quiz data file that cannot be used, with the file and the question named."""


@dataclass(frozen=True)
class Option:
    """One choice of a multiple-choice question, with the explanation shown when it is chosen."""

    key: str
    text: str
    explanation: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of one answer: right or not, and what to tell the student."""

    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """A quiz question, multiple choice (``options`` set) or numeric (``tolerance`` set)."""

    lesson: str
    id: str
    question: str
    answer: str | float
    after: str = ""
    source: str = ""
    options: tuple[Option, ...] = ()
    tolerance: float | None = None
    explanation: str = ""
    hints: tuple[tuple[float, str], ...] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        """``"choice"`` or ``"number"``."""
        return "choice" if self.options else "number"

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option:
        return next(o for o in self.options if o.key == key)

    def judge(self, response) -> Verdict:
        """Judge a student's answer: a letter for a choice question, a number for a numeric one.

        An answer of the wrong form is judged wrong, with a message that says what was expected.

        Examples
        --------
        >>> q = load("_example")["identity"]
        >>> q.judge("B").correct, q.judge(" b ").correct
        (True, True)
        >>> print(q.judge("A").explanation)
        If you chose A: PCA needs a bottleneck smaller than the input; with h = d nothing forces the model to drop any direction.
        >>> q.judge("E").explanation
        "The answer must be one of the letters A, B, C, D, got 'E'."
        >>> n = load("_example")["halves"]
        >>> n.judge(0.25).correct, n.judge("0.26").correct, n.judge(0.5).correct
        (True, True, False)
        >>> print(n.judge(1 / 16).explanation)
        If you got 0.0625: that is 1/16, the variance's factor, not the standard deviation's.
        """
        if self.kind == "choice":
            letters = ", ".join(self.keys)
            key = response.strip().upper() if isinstance(response, str) else None
            if key not in self.keys:
                return Verdict(False, f"The answer must be one of the letters {letters}, got {response!r}.")
            return Verdict(key == self.answer, self.option(key).explanation)
        number = _as_number(response)
        if number is None:
            return Verdict(False, f"The answer must be a number, got {response!r}.")
        if abs(number - self.answer) <= self.tolerance:
            return Verdict(True, f"Right: {self.answer:g}. {self.explanation}".strip())
        for wrong, hint in self.hints:
            if abs(number - wrong) <= self.tolerance:
                return Verdict(False, hint)
        return Verdict(False, f"Not {number:g}. {self.explanation}".strip())


def _as_number(response) -> float | None:
    if isinstance(response, bool):
        return None
    try:
        number = float(response.strip() if isinstance(response, str) else response)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def load(lesson: str, *, folder: str | Path | None = None) -> dict[str, Question]:
    """The questions of one lesson, by id, from ``folder / f"{lesson}.yaml"``.

    Parameters
    ----------
    lesson : str
        The lesson's file stem, e.g. ``"03_sparse"``.
    folder : path, optional
        Where the file lies; default the lessons' self-check quizzes (``aecourse/quizzes``). The
        grader passes ``solutions/quizzes`` for the exercises' graded questions.

    Examples
    --------
    >>> sorted(load("_example"))
    ['halves', 'identity']
    >>> load("_example")["identity"].answer
    'B'
    """
    path = Path(QUIZ_DIR if folder is None else folder) / f"{lesson}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"lesson {lesson!r} has no quiz file: {path} does not exist.")
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise QuizFileError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise QuizFileError(f"{path} must hold a non-empty list of questions, got {type(entries).__name__}.")
    questions = [_question(lesson, path, i, e) for i, e in enumerate(entries)]
    ids = [q.id for q in questions]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise QuizFileError(f"{path}: question ids must be unique, {twice} occur more than once.")
    return {q.id: q for q in questions}


def _question(lesson: str, path: Path, index: int, entry) -> Question:
    where = f"{path}, question {index + 1}"
    if not isinstance(entry, dict):
        raise QuizFileError(f"{where} must be a mapping with id, question, answer, got {entry!r}.")
    where = f"{path}, question {entry.get('id', index + 1)!r}"
    for key in ("id", "question", "answer"):
        if key not in entry:
            raise QuizFileError(f"{where} has no {key!r}.")
    if not isinstance(entry["id"], str) or not _ID.match(entry["id"]):
        raise QuizFileError(f"{where}: id must be snake_case (letters, digits, _), got {entry['id']!r}.")
    text = dict(lesson=lesson, id=entry["id"], question=str(entry["question"]).strip(),
                after=str(entry.get("after", "")), source=str(entry.get("source", "")))
    if "options" in entry:
        options = entry["options"]
        if not isinstance(options, dict) or len(options) < 2:
            raise QuizFileError(f"{where}: options must map at least two letters to choices.")
        parsed = []
        for key, option in options.items():
            if not (isinstance(option, dict) and option.get("text") and option.get("explanation")):
                raise QuizFileError(f"{where}: option {key} needs a text and an explanation of its own.")
            parsed.append(Option(str(key).upper(), str(option["text"]).strip(), str(option["explanation"]).strip()))
        answer = str(entry["answer"]).strip().upper()
        if answer not in [o.key for o in parsed]:
            raise QuizFileError(f"{where}: answer must be one of the options {[o.key for o in parsed]}, "
                                f"got {entry['answer']!r}.")
        return Question(**text, answer=answer, options=tuple(parsed))
    answer, tolerance = _as_number(entry["answer"]), _as_number(entry.get("tolerance"))
    if answer is None or tolerance is None or tolerance < 0:
        raise QuizFileError(f"{where}: a question without options needs a numeric answer and a tolerance "
                            f">= 0, got answer={entry['answer']!r}, tolerance={entry.get('tolerance')!r}.")
    hints = []
    for wrong, hint in (entry.get("hints") or {}).items():
        if _as_number(wrong) is None:
            raise QuizFileError(f"{where}: hint keys must be numbers, got {wrong!r}.")
        hints.append((_as_number(wrong), str(hint).strip()))
    return Question(**text, answer=answer, tolerance=tolerance,
                    explanation=str(entry.get("explanation", "")).strip(), hints=tuple(hints))
