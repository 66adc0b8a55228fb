"""fit_plain_and_denoising and fit_together: each model trained together is the model train.fit trains alone."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import aecourse
from functools import partial

from aecourse.batched import fit_plain_and_denoising, fit_together
from aecourse.corruption import gaussian_noise
from aecourse.data import load_digits
from aecourse.models import Autoencoder, LinearAutoencoder
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


# fit_together: copies of one architecture, minibatches, a penalty weight per model (lesson 3)
X_SMALL = X[:200]
STEPS = dict(epochs=3, lr=5e-3, batch_size=64)  # 12 minibatch steps, the last batch short


def wide(code_activation="relu", sizes=(64, 100)):
    return Autoencoder(list(sizes), code_activation=code_activation, seed=0).double()


@pytest.mark.parametrize("penalty, code_activation, lams, corruption", [
    ("l1", "relu", [0.0, 1e-3, 1e-2], None),
    ("kl", "sigmoid", [0.0, 1e-2], None),
    ("l1", "relu", [0.0, 3e-3], partial(gaussian_noise, sigma=0.3)),  # the same noise as fit draws alone
    (None, None, [0.0, 0.0], None),
])
def test_fit_together_takes_the_steps_of_fit(penalty, code_activation, lams, corruption):
    together = [wide(code_activation) for _ in lams]
    histories = fit_together(together, X_SMALL, penalty=penalty, lam=lams, corruption=corruption, **STEPS)
    for lam, net, history in zip(lams, together, histories):
        alone = wide(code_activation)
        reference = fit(alone, X_SMALL, penalty=penalty, lam=lam, corruption=corruption, progress=False, **STEPS)
        assert gap(net, alone) < 1e-12  # fails if another model's lam, batches or noise leaked in
        # fit sums its history in float32: agreement to its rounding
        assert np.allclose(history.train_loss, reference.train_loss, rtol=1e-5)
        assert np.allclose(history.penalty, reference.penalty, rtol=1e-5, atol=1e-9)


def test_fit_together_handles_deeper_models_and_full_batches():
    sizes = (64, 32, 8)
    together = [Autoencoder(list(sizes), seed=s).double() for s in (0, 1)]
    fit_together(together, X_SMALL, epochs=5, lr=1e-2, batch_size=None)
    for s, net in zip((0, 1), together):
        alone = Autoencoder(list(sizes), seed=s).double()
        fit(alone, X_SMALL, epochs=5, lr=1e-2, batch_size=None, progress=False)
        assert gap(net, alone) < 1e-12
        assert not net.training


def test_fit_together_one_lam_for_all():
    a, b = wide(), wide()
    fit_together([a, b], X_SMALL, penalty="l1", lam=1e-3, **STEPS)
    assert gap(a, b) == 0.0


@pytest.mark.parametrize("models_, kwargs, match", [
    ([], {}, "models must be a non-empty list"),
    ([LinearAutoencoder(64, 8)], {}, r"models\[0\] must have nn.Sequential"),
    ([wide(), wide(sizes=(64, 50))], {}, r"models\[1\] differs"),
    ([wide(), Autoencoder([64, 100], code_activation="relu", seed=0)], {}, r"models\[1\] differs"),
    ([wide(), wide()], dict(penalty="contractive"), "penalty must be one of"),
    ([wide(), wide()], dict(penalty="kl"), "code_activation='sigmoid'"),
    ([wide(), wide()], dict(penalty="l1", lam=[0.1]), "one per model"),
    ([wide(), wide()], dict(penalty="l1", lam=[0.1, -1.0]), r"lam\[1\]"),
    ([wide()], dict(epochs=0), "epochs"),
    ([wide()], dict(corruption="noise"), "corruption"),
])
def test_fit_together_names_bad_arguments(models_, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fit_together(models_, X_SMALL, **kwargs)


def test_fit_together_checks_the_data_against_the_models():
    with pytest.raises(ValueError, match="X has 10 features but the model expects 64"):
        fit_together([wide()], np.zeros((5, 10)))
