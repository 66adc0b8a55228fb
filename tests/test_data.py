"""Data sets: digits, splits, manifolds with their tangents, the Gaussian mixture's density and score."""
from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets
from scipy.stats import multivariate_normal

from aecourse.data import GaussianMixture, circle, load_digits, spiral, swiss_roll, train_val_test_split

# --- digits ---------------------------------------------------------------------------------------

def test_load_digits_shape_dtype_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (1797,) and y.dtype == np.int64 and set(np.unique(y)) == set(range(10))


def test_load_digits_is_sklearn_digits_over_16():
    X, y = load_digits()
    bunch = sklearn.datasets.load_digits()
    np.testing.assert_array_equal(X * 16, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_load_digits_falls_back_to_sklearn_when_the_csv_moves(monkeypatch, tmp_path):
    """The fast path opens scikit-learn's CSV by its path; if a release moves it, the digits still load."""
    from aecourse import data

    expected = load_digits()
    monkeypatch.setattr(data, "DIGITS_CSV", tmp_path / "moved" / "digits.csv.gz")  # no such file
    X, y = load_digits()
    assert X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, expected[0])
    np.testing.assert_array_equal(y, expected[1])


# --- splits ---------------------------------------------------------------------------------------

def indexed(n=1000, classes=4, seed=0):
    """X whose first column is the row number, so a split can be traced back; y with 4 classes."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.arange(n), rng.normal(size=n)])
    return X, rng.integers(0, classes, size=n)


@pytest.mark.parametrize("stratified", [True, False])
@pytest.mark.parametrize("seed, val, test", [(0, 0.15, 0.15), (3, 0.2, 0.1), (11, 0.3, 0.25)])
def test_split_is_sklearns_train_test_split_twice(seed, val, test, stratified):
    """The split reproduces scikit-learn's (same indices, same order) without importing it."""
    from sklearn.model_selection import train_test_split

    X, y = load_digits()
    if not stratified:
        X, y = X[:997], y[:997]
    strat = y if stratified else None
    rest, test_idx = train_test_split(np.arange(len(X)), test_size=test, random_state=seed, stratify=strat)
    train_idx, val_idx = train_test_split(rest, test_size=val / (1 - test), random_state=seed,
                                          stratify=y[rest] if stratified else None)
    s = train_val_test_split(X, y if stratified else None, val=val, test=test, seed=seed)
    np.testing.assert_array_equal(s.X_train, X[train_idx])
    np.testing.assert_array_equal(s.X_val, X[val_idx])
    np.testing.assert_array_equal(s.X_test, X[test_idx])


def test_split_refuses_a_class_with_one_sample():
    X, y = np.zeros((20, 2)), np.array([0] * 10 + [1] * 9 + [2])
    with pytest.raises(ValueError, match="at least 2 samples per class"):
        train_val_test_split(X, y)


def test_split_sizes():
    X, y = indexed()
    s = train_val_test_split(X, y, val=0.2, test=0.1)
    assert (len(s.X_train), len(s.X_val), len(s.X_test)) == (700, 200, 100)
    assert len(s.y_train) == 700 and len(s.y_val) == 200 and len(s.y_test) == 100


def test_split_parts_are_disjoint_and_cover_the_data():
    X, y = indexed()
    s = train_val_test_split(X, y)
    parts = [set(part[:, 0].astype(int)) for part in (s.X_train, s.X_val, s.X_test)]
    assert sum(len(p) for p in parts) == len(X)
    assert set.union(*parts) == set(range(len(X)))


def test_split_keeps_labels_with_their_rows():
    X, y = indexed()
    s = train_val_test_split(X, y)
    for part, labels in ((s.X_train, s.y_train), (s.X_val, s.y_val), (s.X_test, s.y_test)):
        np.testing.assert_array_equal(y[part[:, 0].astype(int)], labels)


def test_split_is_stratified():
    X, y = indexed()
    s = train_val_test_split(X, y, val=0.15, test=0.15)
    overall = np.bincount(y) / len(y)
    for labels in (s.y_train, s.y_val, s.y_test):
        # stratification rounds each class to within one sample or so of its share
        assert np.abs(np.bincount(labels, minlength=4) - overall * len(labels)).max() <= 2


def test_split_is_deterministic_for_a_seed():
    X, y = indexed()
    a, b, c = (train_val_test_split(X, y, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_split_without_labels():
    X, _ = indexed()
    s = train_val_test_split(X)
    assert s.y_train is None and s.y_val is None and s.y_test is None
    assert len(s.X_train) + len(s.X_val) + len(s.X_test) == len(X)


# --- manifolds ------------------------------------------------------------------------------------

def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def finite_difference_tangent(curve, t, h=1e-6):
    return unit((curve(t + h) - curve(t - h)) / (2 * h))


def test_circle_points_lie_on_the_circle():
    m = circle(300, radius=2.5, arc=np.pi, seed=1)
    np.testing.assert_allclose(np.linalg.norm(m.clean, axis=1), 2.5, rtol=1e-6)
    assert m.t.min() >= 0 and m.t.max() <= np.pi


def test_circle_tangents_match_finite_differences():
    m = circle(200, radius=2.0, seed=2)
    curve = lambda t: 2.0 * np.stack([np.cos(t), np.sin(t)], axis=-1)  # noqa: E731
    np.testing.assert_allclose(m.tangents, finite_difference_tangent(curve, m.t), atol=1e-6)


def test_circle_normals_are_unit_outward_and_orthogonal_to_tangents():
    m = circle(200, seed=3)
    np.testing.assert_allclose(np.linalg.norm(m.normals, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose((m.normals * m.tangents).sum(1), 0.0, atol=1e-6)
    assert ((m.normals * m.clean).sum(1) > 0).all()


def test_manifold_noise_has_the_requested_size():
    m = circle(20000, noise=0.05, seed=4)
    residual = (m.X - m.clean).astype(np.float64)
    # sample std of 40,000 normal draws: standard error 0.05 / sqrt(2 * 40000)
    assert abs(residual.std() - 0.05) < 5 * 0.05 / np.sqrt(2 * residual.size)


def test_spiral_points_and_tangents_match_the_curve():
    m = spiral(300, turns=2.0, seed=5)
    curve = lambda t: (t / (2 * np.pi))[..., None] * np.stack([np.cos(t), np.sin(t)], axis=-1)  # noqa: E731
    np.testing.assert_allclose(m.clean, curve(m.t), atol=1e-6)
    np.testing.assert_allclose(m.tangents, finite_difference_tangent(curve, m.t), atol=1e-5)


def test_spiral_normals_are_unit_and_orthogonal_to_tangents():
    m = spiral(300, seed=6)
    np.testing.assert_allclose(np.linalg.norm(m.normals, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose((m.normals * m.tangents).sum(1), 0.0, atol=1e-6)


def test_swiss_roll_points_and_tangents_match_the_surface():
    m = swiss_roll(300, seed=7)
    t, h = m.t[:, 0], m.t[:, 1]
    surface = lambda t, h: np.stack([t * np.cos(t), h, t * np.sin(t)], axis=-1)  # noqa: E731
    np.testing.assert_allclose(m.clean, surface(t, h), rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(m.tangents[:, 0], finite_difference_tangent(lambda s: surface(s, h), t), atol=1e-5)
    np.testing.assert_allclose(m.tangents[:, 1], finite_difference_tangent(lambda s: surface(t, s), h), atol=1e-5)
    np.testing.assert_allclose((m.tangents[:, 0] * m.tangents[:, 1]).sum(1), 0.0, atol=1e-6)
    assert m.normals is None


@pytest.mark.parametrize("make", [circle, spiral, swiss_roll])
def test_manifolds_are_deterministic_for_a_seed(make):
    a, b, c = make(50, noise=0.1, seed=1), make(50, noise=0.1, seed=1), make(50, noise=0.1, seed=2)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.X.dtype == np.float32


# --- Gaussian mixture -----------------------------------------------------------------------------

def mixture():
    return GaussianMixture([[0.0, 0.0], [3.0, 1.0], [-1.0, 2.5]], stds=[0.5, 1.0, 0.7], weights=[1.0, 2.0, 1.0])


def test_mixture_log_density_matches_scipy():
    gm = mixture()
    X = np.random.default_rng(0).normal(size=(50, 2)) * 2
    reference = sum(w * multivariate_normal(mu, s**2 * np.eye(2)).pdf(X)
                    for w, mu, s in zip([0.25, 0.5, 0.25], gm.means, gm.stds))
    np.testing.assert_allclose(gm.log_density(X), np.log(reference), rtol=1e-10)


def test_mixture_density_integrates_to_one():
    gm = mixture()
    grid = np.linspace(-6, 8, 401)
    xx, yy = np.meshgrid(grid, grid)
    p = np.exp(gm.log_density(np.column_stack([xx.ravel(), yy.ravel()])))
    step = grid[1] - grid[0]
    assert p.sum() * step**2 == pytest.approx(1.0, abs=1e-3)


def test_mixture_score_matches_finite_differences_of_log_density():
    gm = mixture()
    X = np.random.default_rng(1).normal(size=(30, 2)) * 2
    h = 1e-5
    fd = np.stack([(gm.log_density(X + h * e) - gm.log_density(X - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(gm.score(X), fd, rtol=1e-5, atol=1e-6)


def test_mixture_score_matches_autograd():
    import torch

    gm = mixture()
    X = np.random.default_rng(2).normal(size=(30, 2)) * 2
    x = torch.tensor(X, requires_grad=True)
    means, var = torch.tensor(gm.means), torch.tensor(gm.stds**2)
    sq = ((x[:, None, :] - means[None]) ** 2).sum(-1)
    log_p = torch.logsumexp(torch.log(torch.tensor(gm.weights)) - 0.5 * sq / var - torch.log(2 * np.pi * var), dim=1)
    (grad,) = torch.autograd.grad(log_p.sum(), x)
    np.testing.assert_allclose(gm.score(X), grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mixture_weights_are_normalised():
    np.testing.assert_allclose(mixture().weights, [0.25, 0.5, 0.25])


def test_mixture_samples_follow_the_weights_and_means():
    gm = mixture()
    X, comp = gm.sample(20000, seed=3)
    assert X.shape == (20000, 2) and X.dtype == np.float32
    freq = np.bincount(comp, minlength=3) / len(comp)
    assert np.abs(freq - gm.weights).max() < 5 * np.sqrt(0.25 / len(comp))
    for m in range(3):
        Xm = X[comp == m].astype(np.float64)
        assert np.abs(Xm.mean(0) - gm.means[m]).max() < 5 * gm.stds[m] / np.sqrt(len(Xm))
    np.testing.assert_array_equal(gm.sample(10, seed=3)[0], gm.sample(10, seed=3)[0])
