"""Every lesson slider, built as its lesson builds it, for the benchmark and the widget tests.

``make_widget(name)`` returns ``(live, sweep)``: the lesson's ``LiveFigure`` and the slider values
to move through (what ``scripts/bench.py --only widgets`` times and what the first-frame test
moves through). Models are trained for a few epochs only: a redraw costs the same whatever the
weights, so building every case stays cheap. ``CASES`` names them in lesson order.

    python scripts/widget_cases.py [name ...]    # the redraw latency of these widgets (default: all)
"""
from __future__ import annotations

import sys

import numpy as np

import aecourse
from aecourse import anomaly, data, linear, models, penalties, train, vae, widgets


def _digits():
    aecourse.setup()
    X, y = data.load_digits()
    return data.train_val_test_split(X, y, seed=0)


def bottleneck():
    """Lesson 1: the code size K (notebooks/01_bottleneck.ipynb's sizes and training)."""
    split = _digits()
    sizes = [1, 2, 4, 8]
    hourglasses = {}
    for k in sizes:
        hourglasses[k] = models.Autoencoder([64, 64, k], seed=0)
        train.fit(hourglasses[k], split.X_train, epochs=15, lr=1e-2, batch_size=128, progress=False)
    live = widgets.bottleneck_explorer(widgets.bottleneck_results(hourglasses, split.X_train, split.X_test))
    return live, [{"K": k} for k in sizes]


def sparsity():
    """Lesson 3: the L1 weight lam (the grid of notebooks/03_sparse.ipynb, two epochs each)."""
    split = _digits()
    lams = (0.0, 3e-4, 1e-3, 3e-3, 1e-2)
    trained = {}
    for lam in lams:
        trained[lam] = models.Autoencoder([64, 100], code_activation="relu", seed=0)
        train.fit(trained[lam], split.X_train, epochs=2, lr=5e-3, batch_size=64, penalty="l1", lam=lam,
                  progress=False)
    live = widgets.sparsity_explorer(widgets.sparsity_results(trained, split.X_test))
    return live, [{"lam": lam} for lam in lams]


def denoising():
    """Lesson 4: the noise level sigma (closed forms, no training)."""
    split = _digits()
    sigmas = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]  # the noise levels of the lesson's slider
    live = widgets.denoising_explorer(widgets.denoising_results(split.X_train, split.X_test[:8], sigmas, seed=0))
    return live, [{"sigma": s} for s in sigmas + sigmas[::-1]]


def contractive():
    """Lesson 5: the contractive weight lam, on digits and on an arc of the circle."""
    split = _digits()
    arc = data.circle(200, arc=1.5 * np.pi, seed=0)
    lams = [0.0, 1e-3, 1e-2, 3e-2]
    digit_models, curve_models = {}, {}
    for lam in lams:
        digit_models[lam] = models.Autoencoder([64, 16], code_activation="sigmoid", seed=0)
        train.fit(digit_models[lam], split.X_train, epochs=3, lr=1e-2, batch_size=256, lam=lam, progress=False,
                  penalty=lambda m, x, z: penalties.sigmoid_contractive_penalty(m.encoder[0].weight,
                                                                                m.encoder[0].bias, x))
        curve_models[lam] = models.Autoencoder([2, 32, 32, 1], activation="tanh", seed=0)
        train.fit(curve_models[lam], arc.X, epochs=10, lr=2e-2, batch_size=None, penalty="contractive", lam=lam,
                  progress=False)
    results = widgets.contractive_results(digit_models, curve_models, split.X_test[:100], arc)
    return widgets.contractive_explorer(results), [{"lam": lam} for lam in lams]


def anomaly_threshold():
    """Lesson 7: the threshold tau, on PCA reconstruction errors of the lesson's task (digits 0-4
    normal, 5-9 anomalous): real data of the lesson's size, computed in milliseconds."""
    split = _digits()
    pca = linear.pca(split.X_train[split.y_train < 5], 12)
    s_normal = anomaly.reconstruction_scores(pca, split.X_test[split.y_test < 5])
    s_anomalous = anomaly.reconstruction_scores(pca, split.X_test[split.y_test >= 5])
    live = widgets.threshold_explorer(widgets.threshold_results(s_normal, s_anomalous))
    taus = np.quantile(np.concatenate([s_normal, s_anomalous]), np.linspace(0.05, 0.95, 10))
    return live, [{"tau": float(t)} for t in taus]


def kl_weight():
    """Lesson 8: the KL weight beta of a VAE with a 2-D code (the lesson's grid, 20 steps each)."""
    split = _digits()
    vaes = {}
    for beta in (0.0, 0.2, 1.0, 5.0):
        vaes[beta] = vae.VAE([64, 32, 2], seed=0).double()
        vae.fit_vae(vaes[beta], split.X_train[:400], epochs=20, lr=2e-2, beta=beta, seed=0, adam_eps=1e-3)
    live = widgets.kl_weight_explorer(widgets.kl_weight_results(vaes, split.X_test, split.y_test))
    return live, [{"beta": beta} for beta in sorted(vaes)]


CASES = {"bottleneck": bottleneck, "sparsity": sparsity, "denoising": denoising, "contractive": contractive,
         "anomaly": anomaly_threshold, "kl_weight": kl_weight}


def make_widget(name: str):
    """``(live, sweep)`` of the widget ``name`` (a key of ``CASES``)."""
    if name not in CASES:
        raise ValueError(f"name must be one of {list(CASES)}, got {name!r}.")
    return CASES[name]()


if __name__ == "__main__":  # the redraw latency of the named widgets alone
    from bench import bench_widgets

    bench_widgets(only=sys.argv[1:] or None)
