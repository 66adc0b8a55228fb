"""The code-size slider of lesson 1, headless: what it draws comes from the results it is given."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from aecourse.widgets import BottleneckResults, bottleneck_explorer, draw_bottleneck


@pytest.fixture
def results():
    rng = np.random.default_rng(0)
    X = rng.random((5, 64))
    sizes = [1, 2, 4, 8]
    return BottleneckResults(sizes=sizes, ae_errors=[0.08, 0.06, 0.04, 0.02], pca_errors=[0.09, 0.07, 0.05, 0.03], X=X,
                reconstructions={K: np.clip(X + rng.normal(0, 0.3 / K, X.shape), 0, 1) for K in sizes})


def test_draw_marks_the_chosen_size_and_shows_its_reconstructions(results):
    fig = Figure()
    draw_bottleneck(fig, 4, results)
    left, right = fig.axes
    marker = left.lines[-1]
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (2, 0.04)  # the third size, at its error
    mosaic = right.images[0].get_array()
    np.testing.assert_allclose(mosaic[:8, :8], results.X[0].reshape(8, 8))
    np.testing.assert_allclose(mosaic[10:18, :8], results.reconstructions[4][0].reshape(8, 8))
    assert "K = 4" in fig._suptitle.get_text() and "0.0400" in fig._suptitle.get_text()
    assert all(ax.get_title() for ax in fig.axes) and left.get_xlabel() and left.get_ylabel()


def test_draw_rejects_a_size_that_was_not_trained(results):
    with pytest.raises(ValueError, match=r"K must be one of the trained code sizes \[1, 2, 4, 8\], got 3"):
        draw_bottleneck(Figure(), 3, results)


def test_slider_moves_change_the_figure(results, assert_shows_the_whole_figure):
    live = bottleneck_explorer(results)
    assert live.values == {"K": 4}  # the middle size
    for K in (1, 8, 2):
        live.update(K=K)
        mosaic = live.fig.axes[1].images[0].get_array()
        np.testing.assert_allclose(mosaic[10:18, :8], results.reconstructions[K][0].reshape(8, 8))
        assert f"K = {K}" in live.fig._suptitle.get_text()
        assert_shows_the_whole_figure(live)


def test_results_are_the_lessons_errors_and_reconstructions():
    from aecourse import linear, models, train
    from aecourse.data import load_digits
    from aecourse.widgets import bottleneck_results

    X = load_digits()[0]
    X_train, X_test = X[:300], X[300:360]
    trained = {K: models.Autoencoder([64, K], seed=K) for K in (4, 2)}  # untrained stand-ins: only read
    res = bottleneck_results(trained, X_train, X_test, n_show=3)
    assert res.sizes == [2, 4]
    for i, K in enumerate(res.sizes):
        x_tilde = train.reconstruct(trained[K], X_test)
        assert res.ae_errors[i] == pytest.approx(float(np.mean((x_tilde - X_test) ** 2)), rel=1e-6)
        pca = linear.pca(X_train, K)  # PCA of K components: the projection onto the top K directions
        assert res.pca_errors[i] == pytest.approx(pca.reconstruction_error(X_test))
        np.testing.assert_allclose(res.reconstructions[K], x_tilde[:3], atol=1e-6)  # float32, another batch
    np.testing.assert_array_equal(res.X, X_test[:3])


def test_results_and_explorer_reject_bad_input(results):
    from aecourse.widgets import bottleneck_results

    with pytest.raises(ValueError, match="models must be a non-empty mapping K -> trained autoencoder"):
        bottleneck_results({}, np.ones((3, 64)), np.ones((3, 64)))
    with pytest.raises(TypeError, match="n_show must be an integer"):
        bottleneck_results({2: None}, np.ones((3, 64)), np.ones((3, 64)), n_show=2.5)
    with pytest.raises(TypeError, match="results must be the BottleneckResults that bottleneck_results"):
        bottleneck_explorer(vars(results))
