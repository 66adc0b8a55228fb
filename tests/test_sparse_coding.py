"""sparse_coding: FISTA / ISTA against scikit-learn's Lasso (an independent solver) and closed forms."""
import numpy as np
import pytest
from sklearn.linear_model import Lasso

from aecourse.sparse_coding import sparse_codes, sparse_coding_objective


def _problem(seed=0, n=5, D=12, K=20):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, D)), rng.normal(size=(D, K)) / np.sqrt(D), rng.normal(size=D) * 0.1


def _lasso(X, W, c, lam, positive=False):
    # (1/D)||x - c - W h||^2 + lam ||h||_1 = 2 [ (1/(2D))||.||^2 + (lam/2) ||h||_1 ]: Lasso with alpha = lam/2
    lasso = Lasso(alpha=lam / 2, fit_intercept=False, positive=positive, tol=1e-12, max_iter=100_000)
    return np.stack([lasso.fit(W, x - c).coef_.copy() for x in X])


@pytest.mark.parametrize("positive", [False, True])
def test_fista_matches_lasso(positive):
    X, W, c = _problem()
    H = sparse_codes(X, W, c, lam=0.05, n_iter=3000, nonnegative=positive)
    np.testing.assert_allclose(H, _lasso(X, W, c, 0.05, positive), atol=1e-5)


def test_ista_reaches_the_same_objective_more_slowly():
    X, W, c = _problem(1)
    best = sparse_coding_objective(X, W, c, _lasso(X, W, c, 0.05), 0.05)
    fista = sparse_coding_objective(X, W, c, sparse_codes(X, W, c, lam=0.05, n_iter=100), 0.05)
    ista = sparse_coding_objective(X, W, c, sparse_codes(X, W, c, lam=0.05, n_iter=100, accelerated=False), 0.05)
    assert np.all(fista - best < 1e-5) and np.all(ista >= best - 1e-12)
    assert (ista - best).sum() > (fista - best).sum()
    np.testing.assert_allclose(sparse_codes(X, W, c, lam=0.05, n_iter=20000, accelerated=False),
                               _lasso(X, W, c, 0.05), atol=1e-5)


def test_lam_above_the_closed_form_limit_gives_zero_codes():
    # h = 0 is optimal iff lam >= (2/D) max_j |W_j^T (x - c)| (the subgradient condition at 0)
    X, W, c = _problem(2, n=1)
    lam_max = 2 / X.shape[1] * np.abs((X - c) @ W).max()
    assert np.all(sparse_codes(X, W, c, lam=1.01 * lam_max) == 0)
    assert np.any(sparse_codes(X, W, c, lam=0.9 * lam_max) != 0)


def test_lam_zero_is_least_squares():
    X, W, c = _problem(3, K=8)  # K < D: a unique least-squares solution
    H = sparse_codes(X, W, c, lam=0.0, n_iter=5000)
    np.testing.assert_allclose(H, np.linalg.lstsq(W, (X - c).T, rcond=None)[0].T, atol=1e-6)


def test_warm_start_at_the_optimum_stays_there():
    X, W, c = _problem(4)
    H_star = _lasso(X, W, c, 0.05)
    np.testing.assert_allclose(sparse_codes(X, W, c, lam=0.05, n_iter=5, H0=H_star), H_star, atol=1e-6)


def test_objective_matches_a_loop():
    X, W, c = _problem(5)
    H = np.random.default_rng(0).normal(size=(5, 20))
    loop = [np.mean((x - c - W @ h) ** 2) + 0.1 * np.abs(h).sum() for x, h in zip(X, H)]
    np.testing.assert_allclose(sparse_coding_objective(X, W, c, H, 0.1), loop)


def test_bad_arguments_are_named():
    X, W, c = _problem()
    with pytest.raises(ValueError, match="W_dec must have shape"):
        sparse_codes(X, W.T, c, lam=0.1)
    with pytest.raises(ValueError, match="lam"):
        sparse_codes(X, W, c, lam=-0.1)
    with pytest.raises(ValueError, match="c must be a vector"):
        sparse_codes(X, W, c[:3], lam=0.1)
    with pytest.raises(ValueError, match="H0 must have shape"):
        sparse_codes(X, W, c, lam=0.1, H0=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="H must have shape"):
        sparse_coding_objective(X, W, c, np.zeros((5, 3)), 0.1)
    with pytest.raises(TypeError, match="n_iter"):
        sparse_codes(X, W, c, lam=0.1, n_iter=2.5)
