"""Data the course uses, all offline: scikit-learn's bundled digits and synthetic sets with known
geometry (a circle and a spiral with their tangents, a swiss roll, a Gaussian mixture with a
closed-form density and score).
"""
from __future__ import annotations

import gzip
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecourse._checks import check_array, check_float, check_int

# the digits as scikit-learn ships them (1797 rows: 64 pixel values 0..16, then the label)
SKLEARN_DIR = Path(importlib.util.find_spec("sklearn").submodule_search_locations[0])
DIGITS_CSV = SKLEARN_DIR / "datasets" / "data" / "digits.csv.gz"


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten 8x8 digits bundled with scikit-learn (no download).

    Returns
    -------
    X : ndarray of shape (1797, 64), float32
        Pixel intensities scaled from 0..16 to [0, 1]; reshape a row to (8, 8) to see it.
    y : ndarray of shape (1797,), int64
        The digit, 0 to 9.
    """
    # A speed stand-in for sklearn.datasets.load_digits(): it opens the file that function reads,
    # by its path inside scikit-learn, without importing scikit-learn and scipy (1.5-2 s, a fifth
    # of a lesson's time budget; tests check the result equals scikit-learn's). If a release of
    # scikit-learn moves the file, it falls back to load_digits() itself.
    try:
        with gzip.open(DIGITS_CSV) as f:
            table = np.loadtxt(f, delimiter=",")
        X, y = table[:, :-1], table[:, -1]
    except OSError:
        from sklearn.datasets import load_digits as sklearn_load_digits

        X, y = sklearn_load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y.astype(np.int64)


@dataclass
class Split:
    """Train, validation and test parts of a data set (``y_*`` are None without labels)."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray | None = None
    y_val: np.ndarray | None = None
    y_test: np.ndarray | None = None


def train_val_test_split(X, y=None, *, val: float = 0.15, test: float = 0.15, seed: int = 0) -> Split:
    """Split ``X`` (and labels ``y``, stratified) into train / validation / test, reproducibly.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,), optional
        Labels; when given the split keeps the class proportions.
    val, test : float
        Fractions of the data for validation and test; both in (0, 1), sum below 1.
    seed : int
        The same seed gives the same split.
    """
    X = np.asarray(X)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (n_samples, n_features) with n_samples > 0, got {X.shape}.")
    val = check_float("val", val, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    test = check_float("test", test, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    if val + test >= 1.0:
        raise ValueError(f"val + test must be below 1 to leave training data, got {val} + {test}.")
    seed = check_int("seed", seed, minimum=0)
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}.")
    idx = np.arange(len(X))
    rest, test_idx = _shuffle_split(idx, test, seed, y)
    train_idx, val_idx = _shuffle_split(rest, val / (1.0 - test), seed, None if y is None else y[rest])
    if y is None:
        return Split(X[train_idx], X[val_idx], X[test_idx])
    return Split(X[train_idx], X[val_idx], X[test_idx], y[train_idx], y[val_idx], y[test_idx])


def _shuffle_split(idx: np.ndarray, test: float, seed: int, y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``sklearn.model_selection.train_test_split(idx, test_size=test, random_state=seed, stratify=y)``,
    the same indices in the same order (tests compare them), without importing scikit-learn.

    Without labels: one seeded permutation, the first ceil(test * n) indices are the test part.
    With labels: per class, a share of the training and test sizes proportional to the class size
    (rounded by largest remainder, ties broken at random), then a permutation within each class.
    """
    n = len(idx)
    n_test = math.ceil(test * n)
    n_train = n - n_test
    rng = np.random.RandomState(seed)
    if y is None:
        order = rng.permutation(n)
        return idx[order[n_test:]], idx[order[:n_test]]
    classes, y_codes, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    if class_counts.min() < 2 or min(n_train, n_test) < len(classes):
        raise ValueError(f"a stratified split needs at least 2 samples per class and at least {len(classes)} "
                         f"(the number of classes) in each part; got class counts {class_counts.tolist()} "
                         f"and parts of {n_train} and {n_test} samples.")
    members = np.split(np.argsort(y_codes, kind="stable"), np.cumsum(class_counts)[:-1])
    n_train_per_class = _share_out(class_counts, n_train, rng)
    n_test_per_class = _share_out(class_counts - n_train_per_class, n_test, rng)
    train, test_part = [], []
    for i in range(len(classes)):
        shuffled = members[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.extend(shuffled[:n_train_per_class[i]])
        test_part.extend(shuffled[n_train_per_class[i]:n_train_per_class[i] + n_test_per_class[i]])
    return idx[rng.permutation(train)], idx[rng.permutation(test_part)]


def _share_out(counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """Split ``n_draws`` among classes in proportion to ``counts``: floors first, then one more for
    the largest remainders (ties drawn at random), as scikit-learn's stratified splits do."""
    continuous = counts / counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if need_to_add <= 0:
            break
        (ties,) = np.where(remainder == value)
        add_now = min(len(ties), need_to_add)
        floored[rng.choice(ties, size=add_now, replace=False)] += 1
        need_to_add -= add_now
    return floored.astype(int)


@dataclass
class Manifold:
    """Points sampled near a curve or surface, with its geometry at each clean point.

    Attributes
    ----------
    X : (n, D) float32, the (possibly noisy) points.
    clean : (n, D) float32, the points on the manifold before noise.
    t : (n,) or (n, 2), the intrinsic coordinate(s) of each point.
    tangents : (n, D) or (n, 2, D), unit tangent vector(s) at each clean point.
    normals : (n, D), unit normal at each clean point (curves in the plane only), else None.
    """

    X: np.ndarray
    clean: np.ndarray
    t: np.ndarray
    tangents: np.ndarray
    normals: np.ndarray | None


def _finish(clean, t, tangents, normals, noise, rng) -> Manifold:
    X = clean + noise * rng.standard_normal(clean.shape)
    f32 = lambda a: None if a is None else a.astype(np.float32)  # noqa: E731
    return Manifold(f32(X), f32(clean), t, f32(tangents), f32(normals))


def circle(n: int = 500, *, radius: float = 1.0, arc: float = 2 * np.pi, noise: float = 0.0,
           seed: int = 0) -> Manifold:
    """Points on a circle (or an arc of it) in the plane, with unit tangents and outward normals.

    The point at angle t is r (cos t, sin t); its tangent is (-sin t, cos t) and its normal
    (cos t, sin t). An arc shorter than 2*pi can be coded by one number without a cut.
    """
    n = check_int("n", n)
    radius = check_float("radius", radius, minimum=0.0, include_min=False)
    arc = check_float("arc", arc, minimum=0.0, maximum=2 * np.pi, include_min=False)
    noise = check_float("noise", noise, minimum=0.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    t = np.sort(rng.uniform(0.0, arc, n))
    normals = np.stack([np.cos(t), np.sin(t)], axis=1)
    tangents = np.stack([-np.sin(t), np.cos(t)], axis=1)
    return _finish(radius * normals, t, tangents, normals, noise, rng)


def spiral(n: int = 500, *, turns: float = 1.5, noise: float = 0.0, seed: int = 0) -> Manifold:
    """Points on the Archimedean spiral r = t / (2 pi), t in [pi/2, pi/2 + 2 pi turns].

    The curve is c(t) = r(t) (cos t, sin t); its unit tangent is c'(t) / |c'(t)| with
    c'(t) = (cos t / (2 pi) - r sin t, sin t / (2 pi) + r cos t), and its unit normal is the
    tangent turned by -90 degrees.
    """
    n = check_int("n", n)
    turns = check_float("turns", turns, minimum=0.0, include_min=False)
    noise = check_float("noise", noise, minimum=0.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    t = np.sort(rng.uniform(np.pi / 2, np.pi / 2 + 2 * np.pi * turns, n))
    r = t / (2 * np.pi)
    clean = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    d = np.stack([np.cos(t) / (2 * np.pi) - r * np.sin(t), np.sin(t) / (2 * np.pi) + r * np.cos(t)], axis=1)
    tangents = d / np.linalg.norm(d, axis=1, keepdims=True)
    normals = np.stack([tangents[:, 1], -tangents[:, 0]], axis=1)
    return _finish(clean, t, tangents, normals, noise, rng)


def swiss_roll(n: int = 1000, *, noise: float = 0.0, seed: int = 0) -> Manifold:
    """A 2-D sheet rolled up in 3-D: (t cos t, h, t sin t), t in [1.5 pi, 4.5 pi], h in [0, 10].

    Same parametrisation as ``sklearn.datasets.make_swiss_roll``, with the two unit tangents
    (d/dt and d/dh) at each point; ``t`` holds (t, h).
    """
    n = check_int("n", n)
    noise = check_float("noise", noise, minimum=0.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    t = rng.uniform(1.5 * np.pi, 4.5 * np.pi, n)
    h = rng.uniform(0.0, 10.0, n)
    clean = np.stack([t * np.cos(t), h, t * np.sin(t)], axis=1)
    dt = np.stack([np.cos(t) - t * np.sin(t), np.zeros(n), np.sin(t) + t * np.cos(t)], axis=1)
    dt /= np.linalg.norm(dt, axis=1, keepdims=True)
    dh = np.tile([0.0, 1.0, 0.0], (n, 1))
    return _finish(clean, np.stack([t, h], axis=1), np.stack([dt, dh], axis=1), None, noise, rng)


class GaussianMixture:
    """A mixture of isotropic Gaussians with a closed-form density and score.

    p(x) = sum_m w_m N(x; mu_m, s_m^2 I), and the score is
    grad log p(x) = sum_m gamma_m(x) (mu_m - x) / s_m^2, with gamma_m(x) the posterior
    responsibility of component m (handout 000 §17 and handout 002 use the score).

    Parameters
    ----------
    means : array of shape (M, D)
    stds : float or array of shape (M,), the standard deviation of each component
    weights : array of shape (M,), optional; positive, normalised to sum to 1 (default equal)
    """

    def __init__(self, means, stds=0.5, weights=None):
        self.means = check_array("means", means)
        M, self.dim = self.means.shape
        stds = np.asarray(stds, dtype=np.float64)
        if stds.shape not in ((), (M,)):
            raise ValueError(f"stds must be one number or {M} numbers (one per mean), got shape {stds.shape}.")
        stds = np.broadcast_to(stds, (M,)).copy()
        if not np.all(np.isfinite(stds)) or np.any(stds <= 0):
            raise ValueError(f"stds must be positive, got {stds}.")
        self.stds = stds
        weights = np.full(M, 1.0 / M) if weights is None else np.asarray(weights, dtype=np.float64)
        if weights.shape != (M,) or np.any(weights <= 0) or not np.all(np.isfinite(weights)):
            raise ValueError(f"weights must be {M} positive numbers, got {weights}.")
        self.weights = weights / weights.sum()

    def sample(self, n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Draw n points; returns (X of shape (n, D) float32, component index of shape (n,))."""
        n = check_int("n", n)
        rng = np.random.default_rng(check_int("seed", seed, minimum=0))
        comp = rng.choice(len(self.weights), size=n, p=self.weights)
        X = self.means[comp] + self.stds[comp, None] * rng.standard_normal((n, self.dim))
        return X.astype(np.float32), comp

    def log_components(self, X) -> np.ndarray:
        """log w_m + log N(x; mu_m, s_m^2 I) for each row of X and each component; shape (n, M)."""
        X = self._check_points(X)
        sq = ((X[:, None, :] - self.means[None]) ** 2).sum(-1)
        var = self.stds**2
        return np.log(self.weights) - 0.5 * sq / var - 0.5 * self.dim * np.log(2 * np.pi * var)

    def _check_points(self, X) -> np.ndarray:
        X = check_array("X", X)
        if X.shape[1] != self.dim:
            raise ValueError(f"X has {X.shape[1]} features but the mixture lives in {self.dim} dimensions.")
        return X

    def log_density(self, X) -> np.ndarray:
        """log p(x) for each row of X; shape (n,), float64.

        Two unit Gaussians at 0 and 2 are equally dense at x = 1, so the mixture's log density
        there is log N(1; 0, 1) = -1/2 - log(2 pi)/2:

        >>> mixture = GaussianMixture([[0.0], [2.0]], stds=1.0)
        >>> round(float(mixture.log_density([[1.0]])[0]), 4), round(-0.5 - 0.5 * math.log(2 * math.pi), 4)
        (-1.4189, -1.4189)
        """
        L = self.log_components(X)
        top = L.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(L - top).sum(axis=1, keepdims=True)))[:, 0]

    def score(self, X) -> np.ndarray:
        """grad_x log p(x) for each row of X; shape (n, D), float64."""
        X = self._check_points(X)
        L = self.log_components(X)
        gamma = np.exp(L - L.max(axis=1, keepdims=True))
        gamma /= gamma.sum(axis=1, keepdims=True)  # (n, M) responsibilities
        pull = (self.means[None] - X[:, None, :]) / (self.stds**2)[None, :, None]  # (n, M, D)
        return (gamma[:, :, None] * pull).sum(axis=1)
