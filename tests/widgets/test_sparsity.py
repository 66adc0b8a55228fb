"""Lesson 3's lambda slider: sparsity_results, the pure draw function, and a headless LiveFigure."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from aecourse.data import load_digits
from aecourse.models import Autoencoder
from aecourse.train import encode, fit, reconstruct
from aecourse.widgets import draw_sparsity, sparsity_explorer, sparsity_results

LAMS = (0.0, 1e-3, 1e-2)


@pytest.fixture(scope="module")
def trained():
    X, _ = load_digits()
    X_train, X_test = X[:400], X[400:460]
    models = {}
    for lam in LAMS:
        models[lam] = Autoencoder([64, 32], code_activation="relu", seed=0)
        fit(models[lam], X_train, epochs=4, lr=1e-2, batch_size=64, penalty="l1", lam=lam, progress=False)
    return models, X_test


@pytest.fixture(scope="module")
def results(trained):
    models, X_test = trained
    return sparsity_results(models, X_test, n_show=5, n_atoms=12)


def test_results_match_the_models(trained, results):
    models, X_test = trained
    for i, lam in enumerate(LAMS):
        Z = encode(models[lam], X_test)
        X_tilde = reconstruct(models[lam], X_test)
        assert results.mse[i] == pytest.approx(float(np.mean((X_tilde - X_test) ** 2)))
        assert results.active[i] == pytest.approx(float(np.mean((Z > 1e-3).sum(axis=1))))
        np.testing.assert_allclose(results.reconstructions[lam], X_tilde[:5])
        # atoms are decoder columns: decoding the unit vector e_j gives atom_j + bias
        W = models[lam].decoder[0].weight.detach().numpy()  # (64, K)
        for atom in results.atoms[lam]:
            assert np.min(np.abs(W.T - atom).max(axis=1)) == 0.0
    assert results.lams == list(LAMS) and results.K == 32


def test_atoms_are_ordered_by_usage(trained, results):
    models, X_test = trained
    lam = LAMS[1]
    usage = (encode(models[lam], X_test) > 1e-3).mean(axis=0)
    W = models[lam].decoder[0].weight.detach().numpy().T
    shown_usage = [usage[np.argmin(np.abs(W - atom).max(axis=1))] for atom in results.atoms[lam]]
    assert shown_usage == sorted(shown_usage, reverse=True) and min(shown_usage) > 0


def test_results_reject_a_deep_decoder(trained):
    _, X_test = trained
    with pytest.raises(ValueError, match="one-layer decoder"):
        sparsity_results({0.0: Autoencoder([64, 16, 8], seed=0)}, X_test)


def test_results_reject_an_empty_grid(trained):
    with pytest.raises(ValueError, match="models"):
        sparsity_results({}, trained[1])


def _images(fig):
    return [ax.images[0].get_array() for ax in fig.axes if ax.images]


def test_draw_shows_the_chosen_lam(results):
    fig = Figure(figsize=(12, 5.2))
    draw_sparsity(fig, 1e-2, results)
    assert len(fig.axes) == 3
    assert "1e-02" in fig._suptitle.get_text() and f"{results.active[2]:.1f}" in fig._suptitle.get_text()
    mosaic = _images(fig)[0]
    # the bottom-left tile of the mosaic is the first reconstruction, the top-left the first input
    np.testing.assert_allclose(mosaic[10:18, 0:8], results.reconstructions[1e-2][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[0:8, 0:8], results.X[0].reshape(8, 8))
    values, edges, _ = fig.axes[2].patches[0].get_data()  # the code histogram, drawn with stairs
    counts, _ = np.histogram(results.codes[1e-2].ravel(), bins=edges)
    np.testing.assert_array_equal(values, np.maximum(counts, 0.5))
    assert counts.sum() == results.codes[1e-2].size


def test_draw_rejects_an_untrained_lam(results):
    with pytest.raises(ValueError, match="lam must be one of"):
        draw_sparsity(Figure(), 0.5, results)


def test_slider_redraws_the_figure(results):
    live = sparsity_explorer(results)
    before_png = live.image.value
    live.update(lam=0.0)
    images_0 = [a.copy() for a in _images(live.fig)]
    title_0 = live.fig._suptitle.get_text()
    hist_0 = live.fig.axes[2].patches[0].get_path().vertices.copy()
    live.update(lam=1e-2)
    images_2 = _images(live.fig)
    assert live.values == {"lam": 1e-2}
    assert "1e-02" in live.fig._suptitle.get_text() and title_0 != live.fig._suptitle.get_text()
    np.testing.assert_allclose(images_2[0][10:18, 0:8], results.reconstructions[1e-2][0].reshape(8, 8))
    assert not np.allclose(np.nan_to_num(images_0[0]), np.nan_to_num(images_2[0]))  # reconstructions changed
    assert images_0[1].shape != images_2[1].shape or not np.allclose(np.nan_to_num(images_0[1]),
                                                                      np.nan_to_num(images_2[1]))  # atoms
    assert not np.array_equal(hist_0, live.fig.axes[2].patches[0].get_path().vertices)  # histogram
    assert live.image.value != before_png


def test_slider_rejects_unknown_controls(results):
    with pytest.raises(ValueError, match="unknown control"):
        sparsity_explorer(results).update(sigma=0.1)


def test_the_slider_image_is_the_whole_figure(results, assert_shows_the_whole_figure):
    live = sparsity_explorer(results)
    for lam in (0.0, 1e-2, results.lams[1]):
        live.update(lam=lam)
        assert_shows_the_whole_figure(live)


def test_results_reject_models_of_different_code_sizes(trained):
    models, X_test = trained
    with pytest.raises(ValueError, match="every model must have the same code size, got 32 and 16"):
        sparsity_results({0.0: models[0.0], 1.0: Autoencoder([64, 16], code_activation="relu", seed=0)}, X_test)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, inf\)"):
        sparsity_results(models, X_test, threshold=-1.0)
