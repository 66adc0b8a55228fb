"""Every exercise's reference declarations name functions that exist, and the stripped package hides them."""
from __future__ import annotations

import importlib
import inspect

import pytest

from aecourse import grading
from aecourse.grading.references import REFERENCES, course_functions
from aecourse.instructor.sandbox import _resolve, strip_package


def test_every_check_declares_its_shortcuts():
    checks = {n for n in grading.__all__ if n.startswith("check_") and not n.startswith("check_quiz")}
    assert checks <= set(REFERENCES), sorted(checks - set(REFERENCES))


@pytest.mark.parametrize("dotted", sorted(course_functions(REFERENCES)))
def test_declared_course_functions_exist(dotted):
    assert inspect.isfunction(_resolve(dotted)), dotted


def test_the_stripped_package_raises_naming_the_call(tmp_path, monkeypatch):
    package, stripped = strip_package({"aecourse.penalties.l1_sparsity"}, tmp_path)
    assert stripped == ["penalties.l1_sparsity"]
    text = (package / "penalties.py").read_text()
    assert "calls aecourse.penalties.l1_sparsity, the course's reference implementation" in text
    assert ".abs()" not in text.split("def l1_sparsity")[1].split("def ")[0]  # the body is gone
    assert importlib.import_module("aecourse.penalties").l1_sparsity.__doc__  # the original is untouched
