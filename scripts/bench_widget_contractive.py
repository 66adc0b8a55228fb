"""Lesson 5's contractive-weight slider for the course benchmark: make_live_figure() -> (figure, sweep)."""
import numpy as np

import aecourse
from aecourse import data, models, penalties, train, widgets


def make_live_figure():
    aecourse.setup()
    X, y = data.load_digits()
    split = data.train_val_test_split(X, y, seed=0)
    arc = data.circle(200, arc=1.5 * np.pi, seed=0)
    lams = [0.0, 1e-3, 1e-2, 3e-2]
    digit_models, curve_models = {}, {}
    for lam in lams:  # few epochs: the benchmark times redraws, not training
        digit_models[lam] = models.Autoencoder([64, 16], code_activation="sigmoid", seed=0)
        train.fit(digit_models[lam], split.X_train, epochs=3, lr=1e-2, batch_size=256, lam=lam, progress=False,
                  penalty=lambda m, x, z: penalties.sigmoid_contractive_penalty(m.encoder[0].weight,
                                                                                m.encoder[0].bias, x))
        curve_models[lam] = models.Autoencoder([2, 32, 32, 1], activation="tanh", seed=0)
        train.fit(curve_models[lam], arc.X, epochs=10, lr=2e-2, batch_size=None, penalty="contractive", lam=lam,
                  progress=False)
    results = widgets.contractive_results(digit_models, curve_models, split.X_test[:100], arc)
    return widgets.contractive_explorer(results), [{"lam": lam} for lam in lams]


if __name__ == "__main__":  # this widget's redraw latency alone
    from bench import bench_widgets

    bench_widgets(only=["contractive"])
