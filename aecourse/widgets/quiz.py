"""A self-check quiz question in a lesson: choices, a Check button, the explanation of the answer.

``quiz("03_sparse", "l1_vs_kl")`` shows one question of ``aecourse/quizzes/03_sparse.yaml`` (see
:mod:`aecourse.quizzes` for the format). In JupyterLab it is an ipywidgets form: radio buttons (or
a text box for a numeric answer), a Check button, and the explanation of the answer given, headed
"Right." or "Not quite." (in words, never colour alone). It needs no network: the widgets and the
math renderer ship with JupyterLab. Everywhere widgets do not run (the static site, slides, a
notebook preview), the same output shows a readable fallback: the question, the options, and the
answer with every option's explanation in a collapsed ``<details>`` section.

Built on ipywidgets rather than jupyterquiz: jupyterquiz (and nbgrader-jupyterquiz on top of it)
draws with a Javascript output, which JupyterLab runs only in trusted notebooks and nbval cannot
test, loads MathJax from a CDN, and keeps the answers in the notebook's outputs.
"""
from __future__ import annotations

import html
import re

import ipywidgets as widgets

from aecourse.quizzes import Question, load

RIGHT, WRONG = "Right.", "Not quite."


def quiz(lesson: str, question_id: str) -> "Quiz":
    """The quiz widget for question ``question_id`` of ``lesson`` (a lesson file stem, e.g. ``"01_bottleneck"``).

    Examples
    --------
    >>> q = quiz("_example", "identity")
    >>> q.answer("A"); q.feedback_text.startswith("Not quite. If you chose A")
    True
    >>> q.answer("B"); q.feedback_text
    'Right. With h = d the decoder can undo the encoder exactly, so the loss reaches zero without learning anything about the data.'
    """
    questions = load(lesson)
    if question_id not in questions:
        raise ValueError(f"question_id must be one of {sorted(questions)} (the ids in {lesson}.yaml), "
                         f"got {question_id!r}.")
    return Quiz(questions[question_id])


def _html(text: str) -> str:
    """Question text (plain text with ``$math$`` and ``code``) as HTML; math left for MathJax."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def _static_math(text: str) -> str:
    """``$...$`` as ``\\(...\\)``, the inline delimiter every MathJax set-up accepts."""
    return re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", r"\\(\1\\)", text)


class Quiz:
    """One question as a form. ``answer(response)`` answers it from code, as the Check button does."""

    def __init__(self, question: Question):
        self.question = question
        math_in_options = any("$" in o.text for o in question.options)
        prompt = f"<p><strong>Quiz.</strong> {_html(question.question)}</p>"
        if question.kind == "choice":
            if math_in_options:  # radio labels are plain text: list the options where math renders
                prompt += "".join(f"<p>{o.key}. {_html(o.text)}</p>" for o in question.options)
            labels = [(o.key if math_in_options else f"{o.key}. {o.text}", o.key) for o in question.options]
            self.choice = widgets.RadioButtons(options=labels, value=None, description="Answer:",
                                               layout=widgets.Layout(width="auto"))
        else:
            self.choice = widgets.Text(placeholder="a number", description="Answer:")
        self.check = widgets.Button(description="Check", tooltip="Check my answer", icon="check")
        self.feedback = widgets.HTMLMath(value="")
        self.check.on_click(lambda _: self.answer(self.choice.value))
        self.widget = widgets.VBox([widgets.HTMLMath(prompt), self.choice, self.check, self.feedback])

    def answer(self, response) -> None:
        """Judge ``response`` and show the explanation below the form."""
        if response is None or response == "":
            self.feedback.value = "<p>Choose an answer first, then press Check.</p>"
            return
        verdict = self.question.judge(response)
        explanation = re.sub(r"^(right|correct)\b[:.!]?\s*", "", verdict.explanation, flags=re.I)
        explanation = explanation[:1].upper() + explanation[1:]
        self.feedback.value = (f"<p><strong>{RIGHT if verdict.correct else WRONG}</strong> "
                               f"{_html(explanation)}</p>")

    @property
    def feedback_text(self) -> str:
        """The feedback shown now, as plain text (what a screen reader reads)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.feedback.value)).strip()

    def fallback_html(self) -> str:
        """The question with its answer in a collapsed section, for pages where widgets do not run."""
        q = self.question
        parts = [f'<div class="aecourse-quiz"><p><strong>Quiz.</strong> {_html(q.question)}</p>']
        if q.kind == "choice":
            parts.append('<ol type="A">' + "".join(f"<li>{_html(o.text)}</li>" for o in q.options) + "</ol>")
            right = q.option(q.answer)
            others = "".join(f"<li>{_html(o.explanation)}</li>" for o in q.options if o.key != q.answer)
            parts.append(f"<details><summary>Answer</summary><p><strong>{q.answer}.</strong> "
                         f"{_html(right.explanation)}</p><ul>{others}</ul></details>")
        else:
            hints = "".join(f"<li>{_html(h)}</li>" for _, h in q.hints)
            parts.append(f"<details><summary>Answer</summary><p><strong>{q.answer:g}</strong> "
                         f"(within {q.tolerance:g}). {_html(q.explanation)}</p>"
                         + (f"<ul>{hints}</ul>" if hints else "") + "</details>")
        return _static_math("".join(parts) + "</div>")

    def fallback_text(self) -> str:
        """The question and its options as plain text (the notebook's text/plain output)."""
        q = self.question
        lines = [f"Quiz: {q.question}"] + [f"  {o.key}. {o.text}" for o in q.options]
        return "\n".join(lines + ([] if q.options else ["  (answer with a number)"]))

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self.fallback_html()
        bundle["text/plain"] = self.fallback_text()
        return bundle
