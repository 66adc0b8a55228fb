"""Every argument rule of the public API: a ValueError or TypeError that names the argument, says
what is allowed and shows what arrived (STYLE.md, "Errors a student can act on").

One case per rule. Each case lists the argument the message must name (checked with
``pytest.raises(..., match=...)``) and the fragments that must appear besides: what is allowed and
what arrived.
"""
from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
import pytest
import torch

import aecourse
from aecourse import corruption, data, denoising, geometry, linear, losses, models, penalties, plots, train
from aecourse.widgets import LiveFigure

X64 = np.random.default_rng(0).uniform(size=(20, 64)).astype(np.float32)
T64 = torch.as_tensor(X64)
NAN64 = X64.copy()
NAN64[3, 5] = np.nan
EMPTY64 = np.zeros((0, 64), dtype=np.float32)
AE = models.Autoencoder([64, 16, 4], seed=0)
LIN = models.LinearAutoencoder(64, 4, seed=0)
MIX = data.GaussianMixture([[0.0, 0.0], [2.0, 0.0]], stds=0.5)
PCA4 = linear.pca(X64, 4)
SIG = torch.rand(10, 4, generator=torch.Generator().manual_seed(0)) * 0.8 + 0.1  # codes in (0.1, 0.9)


def _fit(**kwargs):
    args = dict(model=models.Autoencoder([64, 16, 4], seed=0), X=X64, epochs=1, progress=False)
    args.update(kwargs)
    return train.fit(args.pop("model"), args.pop("X"), **args)


# (id, exception, argument the message names, call, fragments that must also appear)
CASES = [
    # setup
    ("setup-seed-negative", ValueError, "seed", lambda: aecourse.setup(seed=-1), [">= 0", "-1"]),
    ("setup-seed-float", TypeError, "seed", lambda: aecourse.setup(seed=1.5), ["integer", "1.5"]),
    ("setup-presenter-str", TypeError, "presenter", lambda: aecourse.setup(presenter="yes"), ["True or False", "'yes'"]),
    # data.train_val_test_split
    ("split-X-1d", ValueError, "X", lambda: data.train_val_test_split(np.zeros(10)), ["(n_samples, n_features)", "(10,)"]),
    ("split-X-empty", ValueError, "X", lambda: data.train_val_test_split(EMPTY64), ["n_samples > 0", "(0, 64)"]),
    ("split-val-zero", ValueError, "val", lambda: data.train_val_test_split(X64, val=0.0), ["(0, 1)", "0"]),
    ("split-val-big", ValueError, "val", lambda: data.train_val_test_split(X64, val=1.5), ["(0, 1)", "1.5"]),
    ("split-test-negative", ValueError, "test", lambda: data.train_val_test_split(X64, test=-0.1), ["(0, 1)", "-0.1"]),
    ("split-sum", ValueError, "val + test", lambda: data.train_val_test_split(X64, val=0.5, test=0.5), ["below 1", "0.5 + 0.5"]),
    ("split-seed", ValueError, "seed", lambda: data.train_val_test_split(X64, seed=-3), [">= 0", "-3"]),
    ("split-y-shape", ValueError, "y", lambda: data.train_val_test_split(X64, np.zeros(7)), ["(20,)", "(7,)"]),
    # data: manifolds
    ("circle-n-zero", ValueError, "n", lambda: data.circle(0), [">= 1", "0"]),
    ("circle-n-float", TypeError, "n", lambda: data.circle(10.5), ["integer", "10.5"]),
    ("circle-radius", ValueError, "radius", lambda: data.circle(10, radius=0.0), ["(0, inf)", "0"]),
    ("circle-arc", ValueError, "arc", lambda: data.circle(10, arc=7.0), ["6.28", "7"]),
    ("circle-noise", ValueError, "noise", lambda: data.circle(10, noise=-0.1), ["[0, inf)", "-0.1"]),
    ("circle-noise-nan", ValueError, "noise", lambda: data.circle(10, noise=float("nan")), ["finite", "nan"]),
    ("spiral-turns", ValueError, "turns", lambda: data.spiral(10, turns=0.0), ["(0, inf)", "0"]),
    ("spiral-noise", ValueError, "noise", lambda: data.spiral(10, noise=-1.0), ["[0, inf)", "-1"]),
    ("swiss-n", ValueError, "n", lambda: data.swiss_roll(0), [">= 1", "0"]),
    ("swiss-seed", ValueError, "seed", lambda: data.swiss_roll(10, seed=-1), [">= 0", "-1"]),
    # data.GaussianMixture
    ("mixture-means-1d", ValueError, "means", lambda: data.GaussianMixture([0.0, 1.0]), ["2 dimensions", "(2,)"]),
    ("mixture-means-nan", ValueError, "means", lambda: data.GaussianMixture([[0.0, np.nan]]), ["NaN"]),
    ("mixture-stds-negative", ValueError, "stds", lambda: data.GaussianMixture([[0.0], [1.0]], stds=-1.0), ["positive", "-1"]),
    ("mixture-stds-shape", ValueError, "stds", lambda: data.GaussianMixture([[0.0], [1.0]], stds=[1.0, 1.0, 1.0]), ["2 numbers", "(3,)"]),
    ("mixture-weights-count", ValueError, "weights", lambda: data.GaussianMixture([[0.0], [1.0]], weights=[1.0]), ["2 positive", "[1.]"]),
    ("mixture-weights-negative", ValueError, "weights", lambda: data.GaussianMixture([[0.0], [1.0]], weights=[1.0, -1.0]), ["positive", "-1"]),
    ("mixture-sample-n", ValueError, "n", lambda: MIX.sample(0), [">= 1", "0"]),
    ("mixture-density-features", ValueError, "X", lambda: MIX.log_density(np.zeros((5, 3))), ["3 features", "2 dimensions"]),
    ("mixture-score-nan", ValueError, "X", lambda: MIX.score(np.array([[0.0, np.nan]])), ["NaN"]),
    ("mixture-density-empty", ValueError, "X", lambda: MIX.log_density(np.zeros((0, 2))), ["empty", "(0, 2)"]),
    # models
    ("ae-sizes-short", ValueError, "sizes", lambda: models.Autoencoder([64]), ["at least two", "[64]"]),
    ("ae-sizes-str", ValueError, "sizes", lambda: models.Autoencoder("64"), ["list", "'64'"]),
    ("ae-sizes-zero", ValueError, "sizes[1]", lambda: models.Autoencoder([64, 0]), [">= 1", "0"]),
    ("ae-sizes-float", TypeError, "sizes[1]", lambda: models.Autoencoder([64, 2.5]), ["integer", "2.5"]),
    ("ae-activation", ValueError, "activation", lambda: models.Autoencoder([64, 32, 8], activation="relu6"), ["'sigmoid'", "'relu6'"]),
    ("ae-activation-no-hidden", ValueError, "activation", lambda: models.Autoencoder([64, 8], activation="relu6"), ["'tanh'", "'relu6'"]),
    ("ae-activation-none", ValueError, "activation", lambda: models.Autoencoder([64, 8], activation=None), ["LinearAutoencoder", "None"]),
    ("ae-out-activation", ValueError, "out_activation", lambda: models.Autoencoder([64, 8], out_activation="softmax"), ["'sigmoid'", "'softmax'"]),
    ("ae-code-activation", ValueError, "code_activation", lambda: models.Autoencoder([64, 8], code_activation="hard"), ["'relu'", "'hard'"]),
    ("ae-seed", ValueError, "seed", lambda: models.Autoencoder([64, 8], seed=-1), [">= 0", "-1"]),
    ("ae-encode-features", ValueError, "x", lambda: AE.encode(torch.zeros(3, 28 * 28)), ["784 features", "expects 64"]),
    ("ae-encode-images", ValueError, "x", lambda: AE.encode(torch.zeros(3, 8, 8)), ["(n_samples, n_features)", "(3, 8, 8)", "reshape"]),
    ("ae-encode-nan", ValueError, "x", lambda: AE.encode(torch.as_tensor(NAN64)), ["1 NaN"]),
    ("ae-encode-empty", ValueError, "x", lambda: AE.encode(torch.zeros(0, 64)), ["empty", "(0, 64)"]),
    ("ae-encode-int", TypeError, "x", lambda: AE.encode(torch.zeros(3, 64, dtype=torch.int64)), ["floating-point", "torch.int64"]),
    ("ae-encode-numpy", TypeError, "x", lambda: AE.encode(X64), ["torch.Tensor", "ndarray"]),
    ("ae-decode-features", ValueError, "z", lambda: AE.decode(torch.zeros(3, 5)), ["5 features", "expects 4"]),
    ("ae-forward-features", ValueError, "x", lambda: AE(torch.zeros(3, 10)), ["10 features", "expects 64"]),
    ("lin-d", ValueError, "d", lambda: models.LinearAutoencoder(0, 2), [">= 1", "0"]),
    ("lin-k", ValueError, "k", lambda: models.LinearAutoencoder(4, 0), [">= 1", "0"]),
    ("lin-encode-features", ValueError, "x", lambda: LIN.encode(torch.zeros(2, 3)), ["3 features", "expects 64"]),
    # losses
    ("mse-shape", ValueError, "x_tilde", lambda: losses.mse(torch.zeros(2, 3), torch.zeros(2, 4)), ["same shape", "(2, 3)", "(2, 4)"]),
    ("mse-nan", ValueError, "x", lambda: losses.mse(NAN64, X64), ["NaN"]),
    ("mse-empty", ValueError, "x", lambda: losses.mse(EMPTY64, EMPTY64), ["empty", "(0, 64)"]),
    ("mse-list", TypeError, "x", lambda: losses.mse([[1.0]], torch.zeros(1, 1)), ["torch.Tensor", "list"]),
    ("bce-x-range", ValueError, "x", lambda: losses.bce(torch.full((2, 2), 2.0), torch.full((2, 2), 0.5)), ["[0, 1]", "2"]),
    ("bce-x_tilde-range", ValueError, "x_tilde", lambda: losses.bce(torch.full((2, 2), 0.5), torch.full((2, 2), -0.5)), ["[0, 1]", "-0.5", "sigmoid"]),
    # penalties
    ("l1-1d", ValueError, "z", lambda: penalties.l1_sparsity(torch.zeros(5)), ["(n_samples, n_features)", "(5,)"]),
    ("l1-nan", ValueError, "z", lambda: penalties.l1_sparsity(torch.as_tensor(NAN64)), ["NaN"]),
    ("kl-rho-zero", ValueError, "rho", lambda: penalties.kl_sparsity(SIG, rho=0.0), ["(0, 1)", "0"]),
    ("kl-rho-one", ValueError, "rho", lambda: penalties.kl_sparsity(SIG, rho=1.0), ["(0, 1)", "1"]),
    ("kl-rho-negative", ValueError, "rho", lambda: penalties.kl_sparsity(SIG, rho=-0.05), ["(0, 1)", "-0.05"]),
    ("kl-codes-above-1", ValueError, "z", lambda: penalties.kl_sparsity(SIG * 3), ["(0, 1]", "ReLU"]),
    ("kl-codes-negative", ValueError, "z", lambda: penalties.kl_sparsity(SIG - 0.5), ["(0, 1]", "got values in [-"]),
    ("kl-relu-codes-below-1", ValueError, "z", lambda: penalties.kl_sparsity(torch.relu(SIG - 0.5)), ["(0, 1]", "[0,"]),
    ("jacobian-x-1d", ValueError, "x", lambda: geometry.encoder_jacobian(AE.encoder, torch.zeros(64)), ["(n_samples, n_features)", "(64,)"]),
    ("jacobian-encoder-shape", ValueError, "encoder", lambda: geometry.encoder_jacobian(lambda x: x.sum(1), torch.zeros(3, 4)), ["(B, K)", "(3,)"]),
    ("contractive-x-nan", ValueError, "x", lambda: penalties.contractive_penalty(AE.encoder, torch.as_tensor(NAN64)), ["NaN"]),
    ("sigmoid-cae-weight-1d", ValueError, "weight", lambda: penalties.sigmoid_contractive_penalty(torch.zeros(4), torch.zeros(4), torch.zeros(2, 4)), ["(K, D)", "(4,)"]),
    ("sigmoid-cae-weight-transposed", ValueError, "weight", lambda: penalties.sigmoid_contractive_penalty(torch.zeros(64, 4), torch.zeros(64), T64), ["transposed", "(64, 4)"]),
    ("sigmoid-cae-bias", ValueError, "bias", lambda: penalties.sigmoid_contractive_penalty(torch.zeros(4, 64), torch.zeros(3), T64), ["(4,)", "(3,)"]),
    ("sigmoid-cae-x", ValueError, "x", lambda: penalties.sigmoid_contractive_penalty(torch.zeros(4, 64), torch.zeros(4), torch.zeros(2, 10)), ["10 features", "expecting 64"]),
    # corruption
    ("gauss-sigma-negative", ValueError, "sigma", lambda: corruption.gaussian_noise(T64, -0.1), ["[0, inf)", "-0.1"]),
    ("gauss-sigma-nan", ValueError, "sigma", lambda: corruption.gaussian_noise(T64, float("nan")), ["finite", "nan"]),
    ("gauss-sigma-str", TypeError, "sigma", lambda: corruption.gaussian_noise(T64, "0.1"), ["real number", "'0.1'"]),
    ("gauss-x-numpy", TypeError, "x", lambda: corruption.gaussian_noise(X64, 0.1), ["torch.Tensor", "ndarray"]),
    ("gauss-x-nan", ValueError, "x", lambda: corruption.gaussian_noise(torch.as_tensor(NAN64), 0.1), ["NaN"]),
    ("mask-p-one", ValueError, "p", lambda: corruption.masking_noise(T64, 1.0), ["[0, 1)", "1"]),
    ("mask-p-negative", ValueError, "p", lambda: corruption.masking_noise(T64, -0.2), ["[0, 1)", "-0.2"]),
    ("salt-p-big", ValueError, "p", lambda: corruption.salt_and_pepper(T64, 1.5), ["[0, 1)", "1.5"]),
    ("salt-x-empty", ValueError, "x", lambda: corruption.salt_and_pepper(torch.zeros(0, 4), 0.1), ["empty"]),
    # train.fit and helpers
    ("fit-model", TypeError, "model", lambda: train.fit(torch.nn.Linear(64, 64), X64, progress=False), [".encoder and .decoder", "Linear"]),
    ("fit-X-features", ValueError, "X", lambda: _fit(X=np.zeros((10, 784), np.float32)), ["784 features", "expects 64"]),
    ("fit-X-nan", ValueError, "X", lambda: _fit(X=NAN64), ["1 NaN"]),
    ("fit-X-empty", ValueError, "X", lambda: _fit(X=EMPTY64), ["empty", "(0, 64)"]),
    ("fit-X-list", TypeError, "X", lambda: _fit(X=X64.tolist()), ["numpy array", "list"]),
    ("fit-X_val-features", ValueError, "X_val", lambda: _fit(X_val=np.zeros((5, 63), np.float32)), ["63 features", "expects 64"]),
    ("fit-epochs-zero", ValueError, "epochs", lambda: _fit(epochs=0), [">= 1", "0"]),
    ("fit-epochs-float", TypeError, "epochs", lambda: _fit(epochs=2.5), ["integer", "2.5"]),
    ("fit-lr-zero", ValueError, "lr", lambda: _fit(lr=0.0), ["(0, inf)", "0"]),
    ("fit-lr-negative", ValueError, "lr", lambda: _fit(lr=-1e-3), ["(0, inf)", "-0.001"]),
    ("fit-batch-size", ValueError, "batch_size", lambda: _fit(batch_size=0), [">= 1", "0"]),
    ("fit-lam-negative", ValueError, "lam", lambda: _fit(penalty="l1", lam=-0.1), ["[0, inf)", "-0.1"]),
    ("fit-rho", ValueError, "rho", lambda: _fit(rho=1.5), ["(0, 1)", "1.5"]),
    ("fit-seed", ValueError, "seed", lambda: _fit(seed=-1), [">= 0", "-1"]),
    ("fit-loss-name", ValueError, "loss", lambda: _fit(loss="mae"), ["'mse' or 'bce'", "'mae'"]),
    ("fit-penalty-name", ValueError, "penalty", lambda: _fit(penalty="l2"), ["'l1'", "'l2'"]),
    ("fit-corruption", TypeError, "corruption", lambda: _fit(corruption=0.3), ["function", "0.3"]),
    ("fit-bce-linear-output", ValueError, "out_activation", lambda: _fit(loss="bce"), ["sigmoid"]),
    ("fit-bce-X-range", ValueError, "X", lambda: _fit(model=models.Autoencoder([64, 4], out_activation="sigmoid"), X=X64 * 2, loss="bce"), ["[0, 1]", "2"]),
    ("encode-features", ValueError, "X", lambda: train.encode(AE, np.zeros((3, 10), np.float32)), ["10 features", "expects 64"]),
    ("reconstruct-nan", ValueError, "X", lambda: train.reconstruct(AE, NAN64), ["NaN"]),
    ("reconstruction-error-empty", ValueError, "X", lambda: train.reconstruction_error(AE, EMPTY64), ["empty"]),
    # linear
    ("pca-k-zero", ValueError, "k", lambda: linear.pca(X64, 0), [">= 1", "0"]),
    ("pca-k-too-big", ValueError, "k", lambda: linear.pca(X64, 65), ["at most", "20", "65"]),
    ("pca-X-nan", ValueError, "X", lambda: linear.pca(NAN64, 2), ["NaN"]),
    ("pca-X-1d", ValueError, "X", lambda: linear.pca(np.zeros(5), 1), ["2 dimensions", "(5,)"]),
    ("pca-X-empty", ValueError, "X", lambda: linear.pca(EMPTY64, 1), ["empty"]),
    ("pca-transform-features", ValueError, "X", lambda: PCA4.transform(np.zeros((3, 10))), ["10 features", "64"]),
    ("pca-inverse-columns", ValueError, "Z", lambda: PCA4.inverse_transform(np.zeros((3, 5))), ["5 columns", "k = 4"]),
    ("angles-A-wide", ValueError, "A", lambda: linear.subspace_angles(np.eye(3)[:2], np.eye(3)[:, :1]), ["k <= D", "(2, 3)"]),
    ("angles-B-dependent", ValueError, "B", lambda: linear.subspace_angles(np.eye(3)[:, :2], np.ones((3, 2))), ["linearly dependent", "2-dimensional"]),
    ("angles-rows", ValueError, "rows", lambda: linear.subspace_angles(np.eye(3)[:, :2], np.eye(4)[:, :2]), ["3 and 4"]),
    ("angles-nan", ValueError, "A", lambda: linear.subspace_angles(np.full((3, 1), np.nan), np.eye(3)[:, :1]), ["NaN"]),
    ("dae-square", ValueError, "second_moment", lambda: denoising.optimal_linear_dae(np.zeros((2, 3)), 0.1), ["square", "(2, 3)"]),
    ("dae-symmetric", ValueError, "second_moment", lambda: denoising.optimal_linear_dae(np.array([[1.0, 2.0], [0.0, 1.0]]), 0.1), ["symmetric"]),
    ("dae-sigma", ValueError, "sigma", lambda: denoising.optimal_linear_dae(np.eye(2), -0.5), ["[0, inf)", "-0.5"]),
    # plots
    ("grid-shape", ValueError, "images", lambda: plots.image_grid(np.zeros((3, 10))), ["10 values", "64", "shape="]),
    ("grid-ncols", ValueError, "ncols", lambda: plots.image_grid(X64, ncols=0), [">= 1", "0"]),
    ("grid-labels", ValueError, "labels", lambda: plots.image_grid(X64, labels=[1, 2]), ["20", "2"]),
    ("recgrid-lengths", ValueError, "X_tilde", lambda: plots.reconstruction_grid(X64[:3], X64[:2]), ["same number", "3 and 2"]),
    ("comparison-labels", ValueError, "row_labels", lambda: plots.comparison_grid([X64, X64], ["a"]), ["same length", "2 and 1"]),
    ("scatter-columns", ValueError, "Z", lambda: plots.latent_scatter(np.zeros((5, 3))), ["2 columns", "3"]),
    ("scatter-labels", ValueError, "labels", lambda: plots.latent_scatter(np.zeros((5, 2)), labels=np.zeros(4)), ["(5,)", "(4,)"]),
    # widgets
    ("live-draw", TypeError, "draw", lambda: LiveFigure(None, {"a": widgets.IntSlider()}), ["function", "None"]),
    ("live-controls", ValueError, "controls", lambda: LiveFigure(lambda fig, **v: None, {}), ["at least one"]),
]


@pytest.mark.parametrize("error, argument, call, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_is_named_with_what_was_expected_and_what_arrived(error, argument, call, fragments):
    with pytest.raises(error, match=re.escape(argument)) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def test_case_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
