"""aecourse.logistic: multinomial logistic regression, checked against scikit-learn's LogisticRegression."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.preprocessing import StandardScaler

from aecourse.logistic import fit_logistic_regression


def _problem(seed, n_per_class=20, D=8, K=4):
    """Overlapping Gaussian classes (not separable), float64, with one constant feature."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=0.5, size=(K, D))
    X = np.concatenate([c + rng.normal(size=(n_per_class, D)) for c in centres]) * rng.uniform(0.5, 3, size=D)
    X[:, 0] = 2.0  # constant: StandardScaler leaves its scale at 1
    y = np.repeat(np.arange(K), n_per_class)
    return X, y


def _sklearn(X, y, C=1.0, standardize=True):
    scaler = StandardScaler(with_mean=standardize, with_std=standardize).fit(X)
    model = SklearnLogisticRegression(C=C, tol=1e-12, max_iter=100_000).fit(scaler.transform(X), y)
    return scaler, model


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("C", [1.0, 0.05])
def test_matches_sklearn_pipeline(solver, C):
    X, y = _problem(0)
    X_new, _ = _problem(1)
    scaler, reference = _sklearn(X, y, C=C)
    fitted = fit_logistic_regression(X, y, C=C, solver=solver, tol=1e-9)
    np.testing.assert_allclose(fitted.mean, scaler.mean_, atol=1e-12)
    np.testing.assert_allclose(fitted.scale, scaler.scale_, atol=1e-12)
    # Both optimisers stop near, not at, the minimum: agreement to ~1e-5 (float32 inputs or the
    # objective without its 1/N would differ by ~1e-3).
    np.testing.assert_allclose(fitted.weight, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(fitted.bias, reference.intercept_, atol=1e-4)
    np.testing.assert_allclose(fitted.predict_proba(X_new), reference.predict_proba(scaler.transform(X_new)),
                               atol=1e-5)
    np.testing.assert_array_equal(fitted.predict(X_new), reference.predict(scaler.transform(X_new)))


def test_matches_sklearn_without_standardising():
    X, y = _problem(2, D=3, K=3)
    _, reference = _sklearn(X, y, standardize=False)
    fitted = fit_logistic_regression(X, y, standardize=False, tol=1e-9)
    np.testing.assert_array_equal(fitted.mean, 0.0)
    np.testing.assert_allclose(fitted.predict_proba(X), reference.predict_proba(X), atol=1e-5)


def test_labels_need_not_be_0_to_K():
    X, y = _problem(3, K=3)
    fitted = fit_logistic_regression(X, 10 * y + 5)
    np.testing.assert_array_equal(fitted.classes, [5, 15, 25])
    np.testing.assert_array_equal(fitted.predict(X), 10 * fit_logistic_regression(X, y).predict(X) + 5)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_a_batch_gives_the_separate_fits(solver):
    problems = [_problem(seed) for seed in (4, 5, 6)]
    batch = fit_logistic_regression(np.stack([X for X, _ in problems]), np.stack([y for _, y in problems]),
                                    solver=solver, tol=1e-9)
    assert len(batch) == 3
    for (X, y), fitted in zip(problems, batch):
        alone = fit_logistic_regression(X, y, solver=solver, tol=1e-9)
        np.testing.assert_allclose(fitted.predict_proba(X), alone.predict_proba(X), atol=1e-5)


def test_the_two_solvers_agree_on_digits_pixels():
    from aecourse import data
    X, y = data.load_digits()
    X, y = X[:300], y[:300]
    newton = fit_logistic_regression(X, y, solver="newton", tol=1e-8)
    lbfgs = fit_logistic_regression(X, y, solver="lbfgs", tol=1e-8)
    np.testing.assert_allclose(newton.predict_proba(X), lbfgs.predict_proba(X), atol=1e-5)


def test_score_is_the_accuracy():
    X, y = _problem(7)
    fitted = fit_logistic_regression(X, y)
    assert fitted.score(X, y) == np.mean(fitted.predict(X) == y)
    assert 0.5 < fitted.score(X, y) < 1.0  # overlapping classes: good, not perfect


@pytest.mark.parametrize("kwargs, match", [
    (dict(C=0.0), "C"),
    (dict(solver="sgd"), "solver"),
    (dict(max_iter=0), "max_iter"),
    (dict(tol=-1.0), "tol"),
    (dict(standardize="yes"), "standardize"),
])
def test_bad_options_are_rejected(kwargs, match):
    X, y = _problem(8)
    with pytest.raises((ValueError, TypeError), match=match):
        fit_logistic_regression(X, y, **kwargs)


def test_bad_labels_are_rejected():
    X, y = _problem(9)
    with pytest.raises(ValueError, match="one per row"):
        fit_logistic_regression(X, y[:-1])
    with pytest.raises(ValueError, match="integer class labels"):
        fit_logistic_regression(X, y.astype(float))
    with pytest.raises(ValueError, match="two classes"):
        fit_logistic_regression(X, np.zeros(len(X), dtype=int))
    batch_y = np.stack([y, np.where(y == 3, 0, y)])  # class 3 missing from the second problem
    with pytest.raises(ValueError, match="same classes"):
        fit_logistic_regression(np.stack([X, X]), batch_y)


def test_new_data_must_have_the_fitted_width():
    X, y = _problem(10)
    fitted = fit_logistic_regression(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :3])
