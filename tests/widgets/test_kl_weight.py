"""The KL-weight slider of lesson 8, headless: what it draws comes from the results it is given."""
import numpy as np
import pytest
import torch
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from aecourse import vae
from aecourse.widgets import KlWeightResults, draw_kl_weight, kl_weight_explorer, kl_weight_results
from widget_cases import make_widget

BETAS = [0.0, 1.0, 5.0]


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(0)
    X = rng.random((30, 64))
    y = np.arange(30) % 3
    models = {b: vae.VAE([64, 8, 2], seed=i).double() for i, b in enumerate(BETAS)}  # untrained: only read
    return kl_weight_results(models, X, y, n_show=4, seed=1)


def _scatter_offsets(fig):
    return np.concatenate([c.get_offsets() for c in fig.axes[2].collections if not isinstance(c, ContourSet)])


def test_draw_shows_the_chosen_beta(results):
    fig = Figure()
    draw_kl_weight(fig, 1.0, results)
    error_ax, kl_ax, scatter_ax, image_ax = fig.axes  # the KL axis is the error axis's twin
    error_mark = kl_ax.lines[-2]  # drawn in the twin axes, in the error axes' coordinates
    assert error_mark.get_transform() == error_ax.transData
    assert (error_mark.get_xdata()[0], error_mark.get_ydata()[0]) == (1, results.errors[1])
    assert (kl_ax.lines[-1].get_xdata()[0], kl_ax.lines[-1].get_ydata()[0]) == (1, results.kls[1])
    offsets = _scatter_offsets(fig)
    np.testing.assert_allclose(np.sort(offsets, axis=0), np.sort(results.codes[1.0], axis=0))
    mosaic = image_ax.images[0].get_array()
    np.testing.assert_allclose(mosaic[:8, :8], results.X[0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[9:17, :8], results.reconstructions[1.0][0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[18:26, :8], results.samples[1.0][0].reshape(8, 8))
    assert "β = 1" in fig._suptitle.get_text() and f"{results.kls[1]:.2f}" in fig._suptitle.get_text()
    for ax in (error_ax, scatter_ax, image_ax):
        assert ax.get_title() and ax.get_xlabel()
    assert error_ax.get_ylabel() and kl_ax.get_ylabel() and scatter_ax.get_ylabel()
    assert error_ax.get_legend() is None and kl_ax.get_legend() and scatter_ax.get_legend()


def test_draw_rejects_a_beta_that_was_not_trained(results):
    with pytest.raises(ValueError, match=r"beta must be one of the trained KL weights \[0.0, 1.0, 5.0\], got 0.5"):
        draw_kl_weight(Figure(), 0.5, results)


def test_slider_moves_change_the_figure(results, assert_shows_the_whole_figure):
    live = kl_weight_explorer(results)
    assert live.values == {"beta": 1.0}  # the middle beta
    for beta in (0.0, 5.0, 1.0):
        live.update(beta=beta)
        np.testing.assert_allclose(np.sort(_scatter_offsets(live.fig), axis=0), np.sort(results.codes[beta], axis=0))
        assert f"β = {beta:g}" in live.fig._suptitle.get_text()
        assert_shows_the_whole_figure(live)


def test_results_are_the_models_errors_kls_and_samples(results):
    rng = np.random.default_rng(0)
    X = rng.random((30, 64))
    models = {b: vae.VAE([64, 8, 2], seed=i).double() for i, b in enumerate(BETAS)}  # as in the fixture
    for i, beta in enumerate(BETAS):
        with torch.no_grad():
            x_tilde, mu, logvar = models[beta](torch.as_tensor(X))  # eps None: decodes the mean
        q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
        kl = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).sum(dim=1).mean()
        assert results.kls[i] == pytest.approx(kl.item(), rel=1e-10)
        assert results.errors[i] == pytest.approx(float(((x_tilde.numpy() - X) ** 2).mean()), rel=1e-10)
        np.testing.assert_allclose(results.codes[beta], mu.numpy())
        np.testing.assert_allclose(results.reconstructions[beta], x_tilde.numpy()[:4])
        np.testing.assert_allclose(results.samples[beta], vae.sample(models[beta], 4, seed=1))
    # the scatter's square holds the prior's 3-sd contour and 99 % of the codes of every beta > 0
    assert results.limit >= 3.5
    assert all(np.quantile(np.abs(Z), 0.99) <= results.limit for beta, Z in results.codes.items() if beta > 0)


def test_the_lesson_case_sweeps_every_beta():
    live, sweep = make_widget("kl_weight")
    assert [v["beta"] for v in sweep] == [0.0, 0.2, 1.0, 5.0]
    live.update(**sweep[0])
    assert live.values == sweep[0]


def test_results_and_explorer_reject_bad_input(results):
    X, y = np.random.default_rng(0).random((5, 64)), np.zeros(5)
    with pytest.raises(ValueError, match="models must be a non-empty mapping beta -> trained VAE"):
        kl_weight_results({}, X, y)
    with pytest.raises(ValueError, match=r"models\[1.0\] must be a vae.VAE with a 2-D code and 64 inputs"):
        kl_weight_results({1.0: vae.VAE([64, 8, 3], seed=0)}, X, y)
    with pytest.raises(ValueError, match=r"the KL weight -1.0 \(a key of models\) must be"):
        kl_weight_results({-1.0: vae.VAE([64, 8, 2], seed=0)}, X, y)
    with pytest.raises(ValueError, match=r"y_test must hold one class per test digit, shape \(5,\), got shape \(4,\)"):
        kl_weight_results({1.0: vae.VAE([64, 8, 2], seed=0)}, X, y[:4])
    with pytest.raises(TypeError, match="n_show must be an integer"):
        kl_weight_results({1.0: vae.VAE([64, 8, 2], seed=0)}, X, y, n_show=2.5)
    with pytest.raises(TypeError, match="results must be the KlWeightResults that kl_weight_results"):
        kl_weight_explorer(vars(results))
    assert isinstance(results, KlWeightResults)
