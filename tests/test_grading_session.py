"""The grader's side of one sandbox (aecourse.instructor.session): the output limit is per notebook.

Runs the worker without bubblewrap (``SandboxSpec(enabled=False)``), so it holds on any machine.
"""
from __future__ import annotations

import pytest

from aecourse.instructor.sandbox import Limits, SandboxSpec
from aecourse.instructor.session import Sandbox, TooMuchOutput

LIMIT = 300_000  # bytes a notebook may print
PRINT = "import sys\nsys.stdout.write('x' * {n})\nsys.stdout.flush()\n"


@pytest.fixture()
def box():
    sandbox = Sandbox(SandboxSpec(package=None, enabled=False), Limits(output=LIMIT, timeout=60))
    yield sandbox
    sandbox.close()


def notebook(box: Sandbox, n: int) -> dict:
    box.start_notebook([])
    reply = box.request({"op": "run", "code": PRINT.format(n=n)})
    box.request({"op": "run", "code": "pass"})  # the output is read by a thread: the next reply comes after it
    box.end_notebook()
    return reply


def test_each_notebook_of_a_student_may_print_up_to_the_limit(box):
    # fails if the count runs on over the student's notebooks: the second one (400 KB in all) is stopped
    assert notebook(box, 200_000)["ok"]
    assert notebook(box, 200_000)["ok"]


def test_a_notebook_that_prints_more_than_the_limit_is_stopped(box):
    # fails if the limit is not enforced at all
    with pytest.raises(TooMuchOutput):
        notebook(box, 2 * LIMIT)
