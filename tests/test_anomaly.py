"""aecourse.anomaly against independent computations: a per-sample loop, the order-statistic
formula of the quantile, scikit-learn's confusion matrix, pair counting for the AUC, and the
false-positive rate of a quantile threshold on a large sample."""
import numpy as np
import pytest
import sklearn.metrics
import torch

from aecourse import anomaly, linear, models


@pytest.fixture
def digits_like():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, size=(40, 16)).astype(np.float32)


# --- reconstruction_scores ------------------------------------------------------------------------

def test_scores_match_a_per_sample_loop(digits_like):
    model = models.Autoencoder([16, 8, 3], seed=0)
    scores = anomaly.reconstruction_scores(model, digits_like)
    expected = []
    with torch.no_grad():
        for x in digits_like:
            x_tilde = model(torch.tensor(x[None, :]))[0].double().numpy()
            expected.append(sum((float(a) - float(b)) ** 2 for a, b in zip(x, x_tilde)))
    np.testing.assert_allclose(scores, expected, rtol=1e-6)


def test_scores_of_pca_match_a_per_sample_projection(digits_like):
    p = linear.pca(digits_like, 4)
    scores = anomaly.reconstruction_scores(p, digits_like)
    V = p.components
    for x, s in zip(digits_like.astype(np.float64), scores):
        x_tilde = p.mean + V.T @ (V @ (x - p.mean))
        assert s == pytest.approx(np.sum((x - x_tilde) ** 2), rel=1e-10)


def test_scores_are_D_times_the_per_sample_mse(digits_like):
    model = models.Autoencoder([16, 8, 3], seed=1)
    scores = anomaly.reconstruction_scores(model, torch.as_tensor(digits_like))
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(model(torch.as_tensor(digits_like)), torch.as_tensor(digits_like),
                                           reduction="none").mean(dim=1).double().numpy()
    np.testing.assert_allclose(scores, 16 * mse, rtol=1e-5)


def test_full_rank_pca_scores_are_zero(digits_like):
    p = linear.pca(digits_like, 16)
    assert anomaly.reconstruction_scores(p, digits_like).max() < 1e-20


def test_scores_reject_a_wrong_model(digits_like):
    with pytest.raises(TypeError, match="model must be an autoencoder"):
        anomaly.reconstruction_scores("model", digits_like)


def test_scores_reject_the_wrong_number_of_features(digits_like):
    with pytest.raises(ValueError, match="features"):
        anomaly.reconstruction_scores(models.Autoencoder([16, 8, 3], seed=0), digits_like[:, :10])
    with pytest.raises(ValueError, match="features"):
        anomaly.reconstruction_scores(linear.pca(digits_like, 4), digits_like[:, :10])


def test_scores_reject_nan_input(digits_like):
    digits_like[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        anomaly.reconstruction_scores(models.Autoencoder([16, 8, 3], seed=0), digits_like)


# --- quantile_threshold -----------------------------------------------------------------------------

@pytest.mark.parametrize("q", [0.01, 0.5, 0.9, 0.95, 0.999])
def test_quantile_is_the_order_statistic_at_rank_ceil_n_minus_1_times_q(q):
    scores = np.random.default_rng(1).exponential(size=57)  # (n - 1) q is never an integer here
    expected = np.sort(scores)[int(np.ceil((len(scores) - 1) * q))]
    assert anomaly.quantile_threshold(scores, q) == expected
    assert anomaly.quantile_threshold(scores, q) == np.quantile(scores, q, method="higher")


def test_quantile_leaves_at_most_a_fraction_one_minus_q_of_validation_scores_above():
    scores = np.random.default_rng(2).normal(size=201)
    for q in (0.8, 0.9, 0.95, 0.99):
        tau = anomaly.quantile_threshold(scores, q)
        assert np.sum(scores > tau) == len(scores) - 1 - int(np.ceil((len(scores) - 1) * q))
        assert np.mean(scores > tau) <= 1 - q


def test_fpr_of_a_quantile_threshold_on_a_large_sample_is_close_to_one_minus_q():
    rng = np.random.default_rng(3)
    n = 100_000
    validation, new = rng.gamma(2.0, size=n), rng.gamma(2.0, size=n)
    q = 0.95
    tau = anomaly.quantile_threshold(validation, q)
    fpr = anomaly.rates(new, np.ones(1), tau).fpr
    sd = np.sqrt(q * (1 - q) * (2 / n))  # binomial spread of the validation and the new sample
    assert abs(fpr - (1 - q)) < 4 * sd


@pytest.mark.parametrize("draw", [np.random.Generator.normal, np.random.Generator.exponential])
def test_fpr_over_repeated_small_samples_has_the_order_statistic_mean_and_binomial_spread(draw):
    rng = np.random.default_rng(4)
    n_val, n_new, q = 100, 100, 0.9
    fprs = []
    for _ in range(3000):
        tau = anomaly.quantile_threshold(draw(rng, size=n_val), q)
        fprs.append(np.mean(draw(rng, size=n_new) > tau))
    m = int(np.ceil((n_val - 1) * q))
    mean = (n_val - m) / (n_val + 1)  # E[1 - F(s_(m))] for the (m+1)-th smallest of n_val
    assert np.mean(fprs) == pytest.approx(mean, abs=4 * np.std(fprs) / np.sqrt(len(fprs)))
    assert np.std(fprs) == pytest.approx(np.sqrt(q * (1 - q) * (1 / n_val + 1 / n_new)), rel=0.15)


@pytest.mark.parametrize("q", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_quantile_rejects_q_outside_the_open_unit_interval(q):
    with pytest.raises(ValueError, match="q must be"):
        anomaly.quantile_threshold(np.arange(5.0), q)


def test_quantile_rejects_a_non_number_q():
    with pytest.raises(TypeError, match="q must be a real number"):
        anomaly.quantile_threshold(np.arange(5.0), "0.95")


def test_quantile_rejects_empty_scores():
    with pytest.raises(ValueError, match="scores is empty"):
        anomaly.quantile_threshold(np.array([]), 0.9)


def test_quantile_rejects_nan_scores():
    with pytest.raises(ValueError, match="scores contains 1 NaN"):
        anomaly.quantile_threshold(np.array([1.0, np.nan, 2.0]), 0.9)


def test_quantile_rejects_2d_scores():
    with pytest.raises(ValueError, match="scores must be 1-D"):
        anomaly.quantile_threshold(np.ones((3, 4)), 0.9)


def test_quantile_rejects_non_numeric_scores():
    with pytest.raises(TypeError, match="scores must hold real numbers"):
        anomaly.quantile_threshold(np.array(["a", "b"]), 0.9)
    with pytest.raises(TypeError, match="scores must be a 1-D numpy array"):
        anomaly.quantile_threshold(3.0, 0.9)


# --- rates and confusion_matrix ---------------------------------------------------------------------

def _two_samples(seed=5):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, size=300), rng.normal(1.5, 1, size=120)


def test_confusion_matrix_matches_scikit_learn():
    normal, anomalous = _two_samples()
    for tau in (-1.0, 0.3, 1.2, 4.0):
        truth = np.r_[np.zeros(len(normal)), np.ones(len(anomalous))]
        flagged = np.r_[normal, anomalous] > tau
        expected = sklearn.metrics.confusion_matrix(truth, flagged, labels=[0, 1])
        np.testing.assert_array_equal(anomaly.confusion_matrix(normal, anomalous, tau), expected)


def test_rates_match_a_loop_over_samples():
    normal, anomalous = _two_samples()
    tau = 0.7
    fp = sum(1 for s in normal if s > tau)
    tp = sum(1 for s in anomalous if s > tau)
    fpr, tpr = anomaly.rates(normal, anomalous, tau)
    assert fpr == fp / len(normal) and tpr == tp / len(anomalous)


def test_rates_use_a_strict_inequality():
    assert anomaly.rates(np.array([1.0, 2.0]), np.array([2.0, 3.0]), 2.0) == (0.0, 0.5)


def test_rates_at_extreme_thresholds():
    normal, anomalous = _two_samples()
    assert anomaly.rates(normal, anomalous, -100.0) == (1.0, 1.0)
    assert anomaly.rates(normal, anomalous, 100.0) == (0.0, 0.0)


@pytest.mark.parametrize("tau", [float("nan"), float("inf")])
def test_rates_reject_a_non_finite_tau(tau):
    with pytest.raises(ValueError, match="tau must be a finite number"):
        anomaly.rates(np.ones(3), np.ones(3), tau)


def test_rates_name_the_bad_argument():
    with pytest.raises(ValueError, match="scores_anomalous is empty"):
        anomaly.rates(np.ones(3), [], 0.5)
    with pytest.raises(ValueError, match="scores_normal contains 1 NaN"):
        anomaly.rates(np.array([1.0, np.inf]), np.ones(3), 0.5)


# --- roc_curve and auc ------------------------------------------------------------------------------

def test_auc_is_the_probability_that_an_anomaly_outscores_a_normal_sample():
    normal, anomalous = _two_samples()
    normal, anomalous = np.round(normal, 1), np.round(anomalous, 1)  # ties, counted as one half
    pairs = [(a > n) + 0.5 * (a == n) for a in anomalous for n in normal]
    assert anomaly.auc(normal, anomalous) == pytest.approx(np.mean(pairs), abs=1e-12)


def test_auc_of_separated_and_of_identical_scores():
    assert anomaly.auc(np.array([0.1, 0.2]), np.array([0.3, 0.4])) == 1.0
    assert anomaly.auc(np.array([0.3, 0.4]), np.array([0.1, 0.2])) == 0.0
    assert anomaly.auc(np.ones(4), np.ones(6)) == 0.5


def test_roc_points_are_the_rates_at_each_threshold():
    normal, anomalous = _two_samples(6)
    fpr, tpr, thresholds = anomaly.roc_curve(normal, anomalous)
    assert np.isinf(thresholds[0]) and (fpr[0], tpr[0]) == (0.0, 0.0) and (fpr[-1], tpr[-1]) == (1.0, 1.0)
    for f, t, th in zip(fpr[1:], tpr[1:], thresholds[1:]):
        assert f == np.mean(normal >= th) and t == np.mean(anomalous >= th)


def test_area_under_the_roc_points_is_the_auc():
    normal, anomalous = _two_samples(7)
    fpr, tpr, _ = anomaly.roc_curve(normal, anomalous)
    area = np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)
    assert area == pytest.approx(anomaly.auc(normal, anomalous), abs=1e-12)


@pytest.mark.parametrize("decimals", [None, 1])  # continuous scores, and many ties
def test_roc_curve_and_auc_match_scikit_learn(decimals):
    for seed in range(3):
        normal, anomalous = _two_samples(seed)
        if decimals is not None:
            normal, anomalous = np.round(normal, decimals), np.round(anomalous, decimals)
        labels = np.r_[np.zeros(len(normal)), np.ones(len(anomalous))]
        scores = np.r_[normal, anomalous]
        expected = sklearn.metrics.roc_curve(labels, scores, drop_intermediate=False)
        for ours, theirs in zip(anomaly.roc_curve(normal, anomalous), expected):
            np.testing.assert_array_equal(ours, theirs)
        assert anomaly.auc(normal, anomalous) == pytest.approx(sklearn.metrics.roc_auc_score(labels, scores),
                                                               abs=1e-12)


def test_auc_rejects_bad_scores():
    with pytest.raises(ValueError, match="scores_normal is empty"):
        anomaly.auc(np.array([]), np.ones(3))
    with pytest.raises(ValueError, match="scores_anomalous contains 2 NaN"):
        anomaly.roc_curve(np.ones(3), np.array([np.nan, np.nan, 1.0]))
