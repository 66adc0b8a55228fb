"""Redraw latency of lesson 3's lambda slider (``aecourse.widgets.sparsity_explorer``).

``make_live_figure()`` is what the course benchmark calls: it returns the live figure and the
slider values to sweep. The models are trained for two epochs only: a redraw costs the same
whatever the weights, so the setup stays cheap. Time it with ``python scripts/bench.py --only widgets``.
"""
from __future__ import annotations

LAMS = (0.0, 3e-4, 1e-3, 3e-3, 1e-2)  # the grid of notebooks/03_sparse.ipynb


def make_live_figure():
    import aecourse
    from aecourse.data import load_digits, train_val_test_split
    from aecourse.models import Autoencoder
    from aecourse.train import fit
    from aecourse.widgets import sparsity_explorer, sparsity_results

    aecourse.setup()
    split = train_val_test_split(*load_digits())
    models = {}
    for lam in LAMS:
        models[lam] = Autoencoder([64, 100], code_activation="relu", seed=0)
        fit(models[lam], split.X_train, epochs=2, lr=5e-3, batch_size=64, penalty="l1", lam=lam, progress=False)
    live = sparsity_explorer(sparsity_results(models, split.X_test))
    return live, [{"lam": lam} for lam in LAMS]

