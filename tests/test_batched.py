"""fit_plain_and_denoising: each model trained together is the model train.fit trains alone."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import aecourse
from aecourse.batched import fit_plain_and_denoising
from aecourse.data import load_digits
from aecourse.models import Autoencoder
from aecourse.train import fit

aecourse.setup()
X, y = load_digits()
SETS = [X[y == 8][:60], X[y == 9][:45]]  # two sizes, so the padding takes part


def gap(a, b) -> float:
    return max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


def test_plain_models_take_the_steps_of_fit():
    plain, _ = fit_plain_and_denoising(SETS, epochs=10)
    for X_m, net in zip(SETS, plain):
        alone = Autoencoder([64, 32, 8], seed=0)
        fit(alone, X_m, epochs=10, lr=1e-2, batch_size=None, progress=False)
        assert gap(net, alone) < 1e-5  # fails if the padding or the other dataset leaked into its loss


def test_deeper_sizes_take_the_steps_of_fit_too():
    plain, _ = fit_plain_and_denoising(SETS[:1], sizes=(64, 32, 16, 4), epochs=5)
    alone = Autoencoder([64, 32, 16, 4], seed=0)
    fit(alone, SETS[0], epochs=5, lr=1e-2, batch_size=None, progress=False)
    assert gap(plain[0], alone) < 1e-5


def test_zero_noise_makes_the_denoising_models_plain():
    plain, denoising = fit_plain_and_denoising(SETS, sigma=0.0, epochs=5)
    assert all(gap(a, b) == 0.0 for a, b in zip(plain, denoising))


def test_noise_changes_the_denoising_models():
    plain, denoising = fit_plain_and_denoising(SETS, sigma=0.2, epochs=5)
    assert all(gap(a, b) > 1e-4 for a, b in zip(plain, denoising))


def test_models_come_back_in_eval_mode():
    plain, denoising = fit_plain_and_denoising(SETS, epochs=1)
    assert not any(net.training for net in plain + denoising)


@pytest.mark.parametrize("kwargs, match", [
    (dict(datasets=[]), "datasets"),
    (dict(datasets=[np.zeros((5, 10), np.float32)]), "features"),
    (dict(datasets=SETS, sigma=-0.1), "sigma"),
    (dict(datasets=SETS, epochs=0), "epochs"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fit_plain_and_denoising(**kwargs)
