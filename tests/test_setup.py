"""aecourse.setup(): seeds, one thread, a readable style, quiet progress under CI."""
from __future__ import annotations

import os
import random

import matplotlib as mpl
import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

import aecourse


@pytest.fixture(autouse=True)
def restore_style():
    with mpl.rc_context():  # setup() changes rcParams; give them back after each test
        yield


def draws() -> tuple:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_setup_seeds_python_numpy_and_torch():
    aecourse.setup(7)
    first = draws()
    aecourse.setup(7)
    assert draws() == first
    aecourse.setup(8)
    assert all(a != b for a, b in zip(draws(), first))


def test_setup_uses_one_thread_for_torch_and_blas():
    aecourse.setup()
    assert torch.get_num_threads() == 1
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_setup_sets_a_readable_style():
    mpl.rcdefaults()
    aecourse.setup()
    assert mpl.rcParams["font.size"] >= 12 and mpl.rcParams["axes.titlesize"] >= 13
    assert mpl.rcParams["lines.linewidth"] >= 2


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_presenter_mode_enlarges_fonts_and_figures(how, monkeypatch):
    monkeypatch.delenv("AECOURSE_PRESENTER", raising=False)
    aecourse.setup()
    normal_font, normal_size = mpl.rcParams["font.size"], mpl.rcParams["figure.figsize"]
    if how == "argument":
        aecourse.setup(presenter=True)
    else:
        monkeypatch.setenv("AECOURSE_PRESENTER", "1")
        aecourse.setup()
    assert mpl.rcParams["font.size"] > normal_font
    assert mpl.rcParams["figure.figsize"][0] > normal_size[0]


def test_progress_enabled_follows_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert not aecourse.progress_enabled(True)
    monkeypatch.delenv("CI")
    assert aecourse.progress_enabled(True)
    assert not aecourse.progress_enabled(False)


def test_setup_under_ci_silences_tqdm_in_child_processes(monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    aecourse.setup()
    assert os.environ["TQDM_DISABLE"] == "1"


def test_setup_cycles_colour_blind_safe_colours_each_with_a_line_style():
    from aecourse._setup import OKABE_ITO

    mpl.rcdefaults()
    aecourse.setup()
    cycle = list(mpl.rcParams["axes.prop_cycle"])
    assert [c["color"] for c in cycle] == OKABE_ITO  # fails on matplotlib's default tab10
    assert [c["linestyle"] for c in cycle[:4]] == ["-", "--", "-.", ":"]  # the first four lines differ in style too
