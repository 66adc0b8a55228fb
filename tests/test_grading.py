"""aecourse.grading: each check passes a correct implementation and names the misconception of a wrong one.

The wrong implementations below are the mistakes the checks claim to recognise; each test asserts the
message a student would read.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from aecourse import anomaly, grading
from aecourse.grading import GradingError
from aecourse.models import Autoencoder
from aecourse.train import encode, fit, reconstruct


def fails(check, fn, match: str, **kwargs) -> None:
    with pytest.raises(GradingError, match=match):
        check(fn, **kwargs)


# ----------------------------------------------------------------------------- common failures

def test_stub_is_reported_as_stub():
    def stub(x, x_tilde):
        raise NotImplementedError()
    fails(grading.check_mse_loss, stub, "still the stub")


def test_missing_return_is_reported():
    fails(grading.check_mse_loss, lambda x, x_tilde: None, "forget the `return`")


def test_exception_in_student_code_is_named():
    fails(grading.check_mse_loss, lambda x, x_tilde: 1 / 0, "raised ZeroDivisionError")


def test_not_a_function_is_reported():
    fails(grading.check_mse_loss, 0.0175, "must be a function")


def test_grading_error_is_an_assertion_error():
    assert issubclass(GradingError, AssertionError)


# ----------------------------------------------------------------------------- lesson 1

def mse_ok(x, x_tilde):
    return ((x - x_tilde) ** 2).mean()


def test_mse_correct_passes_including_hidden_cases(capsys):
    grading.check_mse_loss(mse_ok)
    grading.check_mse_loss(mse_ok, shape=(1, 9), dtype=torch.float64, seed=11)
    assert "OK mse_loss" in capsys.readouterr().out


def test_mse_matches_handout_value():
    # independent: handout 002 Example 2 states 0.0175
    x, xt = torch.tensor(grading.losses.HANDOUT_X, dtype=torch.float64), torch.tensor(grading.losses.HANDOUT_X_TILDE, dtype=torch.float64)
    assert mse_ok(x, xt).item() == pytest.approx(0.0175)


@pytest.mark.parametrize("wrong, match", [
    (lambda x, t: ((x - t) ** 2).sum(1).mean(), "summed over the 4 coordinates"),
    (lambda x, t: ((x - t) ** 2).mean(1).sum(), "batch sum, not the batch mean"),
    (lambda x, t: ((x - t) ** 2).mean().sqrt(), "RMSE"),
    (lambda x, t: (x - t).abs().mean(), "L1 / MAE"),
    (lambda x, t: ((x - t) ** 2).sum(), "summed over the whole batch"),
])
def test_mse_misconceptions(wrong, match):
    fails(grading.check_mse_loss, wrong, match)


def test_mse_per_sample_vector_is_explained():
    fails(grading.check_mse_loss, lambda x, t: ((x - t) ** 2).mean(1), "single number.*average over the samples")


def test_mse_in_place_change_is_caught():
    def inplace(x, t):
        x -= t
        return (x**2).mean()
    fails(grading.check_mse_loss, inplace, "changed its input x in place")


def bce_ok(x, t, eps=1e-7):
    p = t.clamp(eps, 1 - eps)
    return -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).mean()


def test_bce_correct_passes_and_matches_handout():
    grading.check_bce_loss(bce_ok)
    grading.check_bce_loss(bce_ok, shape=(4, 3), saturated=True, seed=5)
    value = bce_ok(torch.tensor([[1.0, 0.0, 1.0]]), torch.tensor([[0.9, 0.2, 0.8]])).item()
    assert value == pytest.approx(-(np.log(0.9) + np.log(0.8) + np.log(0.8)) / 3, rel=1e-5)
    assert round(value, 4) == 0.1839  # handout 002, practice problem 4


@pytest.mark.parametrize("wrong, match", [
    (lambda x, t: -(x * torch.log(t)).mean(), r"\(1 - x\) log\(1 - x_tilde\) term is missing"),
    (lambda x, t: (x * torch.log(t) + (1 - x) * torch.log(1 - t)).mean(), "sign is wrong"),
    (lambda x, t: -(x * torch.log10(t) + (1 - x) * torch.log10(1 - t)).mean(), "log base 10"),
    (lambda x, t: -(x * torch.log(t) + (1 - x) * torch.log(1 - t)).mean(1).sum(), "batch sum"),
])
def test_bce_misconceptions(wrong, match):
    fails(grading.check_bce_loss, wrong, match)


def test_bce_without_clipping_fails_on_saturated_outputs():
    fails(grading.check_bce_loss, lambda x, t: -(x * torch.log(t) + (1 - x) * torch.log(1 - t)).mean(),
          "NaN or inf.*clip x_tilde", shape=(4, 3), saturated=True)


def test_n_parameters():
    def ok(sizes):
        return sum(2 * a * b + a + b for a, b in zip(sizes[:-1], sizes[1:]))
    grading.check_n_parameters(ok)
    grading.check_n_parameters(ok, sizes=[64, 48, 32, 16, 2])
    fails(grading.check_n_parameters, lambda s: sum(2 * a * b for a, b in zip(s[:-1], s[1:])), "not the biases")
    fails(grading.check_n_parameters, lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])), "only the encoder")


# ----------------------------------------------------------------------------- lesson 2

def pca_ok(X, k):
    return np.linalg.svd(X - X.mean(0), full_matrices=False)[2][:k]


def test_pca_components():
    grading.check_pca_components(pca_ok)
    grading.check_pca_components(pca_ok, n=30, D=3, k=1, seed=4, dtype=np.float32)
    fails(grading.check_pca_components, lambda X, k: np.linalg.svd(X, full_matrices=False)[2][:k], "subtract the mean")
    fails(grading.check_pca_components, lambda X, k: pca_ok(X, k).T, r"shape \(k, D\).*transpose")
    fails(grading.check_pca_components, lambda X, k: np.linalg.svd(X - X.mean(0), full_matrices=False)[2][-k:],
          "LAST k rows")
    fails(grading.check_pca_components,
          lambda X, k: np.linalg.svd(X - X.mean(0), full_matrices=False)[1][:k, None]
          * np.linalg.svd(X - X.mean(0), full_matrices=False)[2][:k], "not orthonormal")


def angle_ok(A, B):
    QA, QB = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    return float(np.arccos(np.clip(np.linalg.svd(QA.T @ QB, compute_uv=False).min(), -1, 1)))


def test_principal_angle():
    grading.check_principal_angle(angle_ok)
    grading.check_principal_angle(angle_ok, D=2, k=1, theta=0.25, seed=8)
    fails(grading.check_principal_angle, lambda A, B: np.degrees(angle_ok(A, B)), "degrees")
    fails(grading.check_principal_angle, lambda A, B: float(np.arccos(np.clip(
        np.linalg.svd(A.T @ B, compute_uv=False).min(), -1, 1))), "orthonormalise")
    fails(grading.check_principal_angle, lambda A, B: float(np.arccos(np.clip(np.linalg.svd(
        np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False).max(), -1, 1))), "SMALLEST principal angle")


# ----------------------------------------------------------------------------- lesson 3

def test_l1_penalty():
    grading.check_l1_penalty(lambda z: z.abs().sum(1).mean())
    fails(grading.check_l1_penalty, lambda z: z.abs().sum(), "your penalty is the batch sum, not the batch mean")
    fails(grading.check_l1_penalty, lambda z: z.abs().mean(), "averaged over the K = 5 code units")
    fails(grading.check_l1_penalty, lambda z: z.sum(1).mean(), "absolute value")


def kl_ok(z, rho):
    q = z.mean(0)
    return (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum()


def test_kl_penalty():
    grading.check_kl_penalty(kl_ok)
    grading.check_kl_penalty(kl_ok, shape=(3, 9), rho=0.2, dtype=torch.float64, seed=4)
    per_sample = lambda z, rho: (rho * torch.log(rho / z) + (1 - rho) * torch.log((1 - rho) / (1 - z))).sum(1).mean()  # noqa: E731
    fails(grading.check_kl_penalty, per_sample, "BEFORE the KL")
    swapped = lambda z, rho: (z.mean(0) * torch.log(z.mean(0) / rho)  # noqa: E731
                              + (1 - z.mean(0)) * torch.log((1 - z.mean(0)) / (1 - rho))).sum()
    fails(grading.check_kl_penalty, swapped, "swapped the arguments")
    fails(grading.check_kl_penalty, lambda z, rho: kl_ok(z, rho) / z.shape[1], "SUMS the KL over units")


# ----------------------------------------------------------------------------- lesson 4

def gauss_ok(x, sigma, generator):
    return x + sigma * torch.randn(x.shape, generator=generator, dtype=x.dtype)


def test_gaussian_corruption():
    grading.check_gaussian_corrupt(gauss_ok)
    fails(grading.check_gaussian_corrupt, lambda x, s, g: gauss_ok(x, s**2, g), "sigma\\*\\*2 as the standard deviation")
    fails(grading.check_gaussian_corrupt, lambda x, s, g: x + s * torch.randn(x.shape, dtype=x.dtype),
          "same generator")
    fails(grading.check_gaussian_corrupt, lambda x, s, g: x * (1 + s * torch.randn(x.shape, generator=g)),
          "standard deviation|ADDED")

    def inplace(x, s, g):
        x += s * torch.randn(x.shape, generator=g)
        return x
    fails(grading.check_gaussian_corrupt, inplace, "in place")


def mask_ok(x, p, generator):
    return x * (torch.rand(x.shape, generator=generator) >= p).to(x.dtype)


def test_masking_corruption():
    grading.check_masking_corrupt(mask_ok)
    grading.check_masking_corrupt(mask_ok, shape=(50, 400), p=0.7, dtype=torch.float64, seed=3)
    fails(grading.check_masking_corrupt, lambda x, p, g: mask_ok(x, p, g) / (1 - p), "inverted\\) dropout")
    fails(grading.check_masking_corrupt, lambda x, p, g: x * (torch.rand(x.shape, generator=g) < p).to(x.dtype),
          "KEPT each entry with probability p")


def test_optimal_dae():
    ok = lambda C, s: C @ np.linalg.inv(C + s**2 * np.eye(len(C)))  # noqa: E731
    grading.check_optimal_dae_weight(ok)
    assert ok(np.array([[4.0]]), 0.5)[0, 0] == pytest.approx(4 / 4.25)  # handout 002 Example 3
    fails(grading.check_optimal_dae_weight, lambda C, s: C @ np.linalg.inv(C + s * np.eye(len(C))), "sigma instead of sigma\\*\\*2")
    fails(grading.check_optimal_dae_weight, lambda C, s: C @ np.linalg.inv(C + s**2), "diagonal only")
    fails(grading.check_optimal_dae_weight, lambda C, s: C / (C + s**2 * np.eye(len(C))), "element by element")


# ----------------------------------------------------------------------------- lesson 5

def contractive_ok(W, b, x):
    h = torch.sigmoid(x @ W.T + b)
    return ((h * (1 - h)) ** 2 @ (W**2).sum(1)).mean()


def test_sigmoid_contractive():
    grading.check_sigmoid_contractive(contractive_ok)
    grading.check_sigmoid_contractive(contractive_ok, K=4, D=4, B=1, dtype=torch.float64, seed=3)

    def batch_sum(W, b, x):
        h = torch.sigmoid(x @ W.T + b)
        return ((h * (1 - h)) ** 2 @ (W**2).sum(1)).sum()
    fails(grading.check_sigmoid_contractive, batch_sum, "your penalty is the batch sum, not the batch mean")

    def transposed(W, b, x):  # treats W as (D, K)
        h = torch.sigmoid(x @ W + b)
        return ((h * (1 - h)) ** 2 @ (W**2).sum(0)).mean()
    fails(grading.check_sigmoid_contractive, transposed, r"W must be \(K, D\).*did you transpose it\?")

    def not_squared(W, b, x):
        h = torch.sigmoid(x @ W.T + b)
        return ((h * (1 - h)) @ (W**2).sum(1)).mean()
    fails(grading.check_sigmoid_contractive, not_squared, "must be squared")


def test_sigmoid_contractive_transposed_square_w_is_diagnosed():
    def transposed_square(W, b, x):  # runs when K == D, but sums W**2 over the wrong axis
        h = torch.sigmoid(x @ W.T + b)
        return ((h * (1 - h)) ** 2 @ (W**2).sum(0)).mean()
    fails(grading.check_sigmoid_contractive, transposed_square, "did you transpose it", K=4, D=4, B=3)


def jacobian_ok(encoder, x):
    x = x.detach().clone().requires_grad_(True)
    z = encoder(x)
    return torch.stack([torch.autograd.grad(z[k], x, retain_graph=True)[0] for k in range(len(z))])


def test_jacobian():
    grading.check_jacobian(jacobian_ok)
    grading.check_jacobian(jacobian_ok, D=4, K=4, seed=4)
    fails(grading.check_jacobian, lambda e, x: jacobian_ok(e, x).T, "transpose")
    fails(grading.check_jacobian, lambda e, x: jacobian_ok(e, x).T, "transposed it", D=3, K=3)


# ----------------------------------------------------------------------------- lesson 6

def pretrain_ok(X, k, seed=0, epochs=60):
    model = Autoencoder([X.shape[1], k], code_activation="sigmoid", seed=seed)
    fit(model, X, epochs=epochs, lr=1e-2, batch_size=None, seed=seed, progress=False)
    return model, encode(model, X)


def test_pretrain_layer():
    grading.check_pretrain_layer(pretrain_ok, n=120, k=5, seed=3)
    fails(grading.check_pretrain_layer, lambda X, k, seed=0: (pretrain_ok(X, k, seed)[0], reconstruct(pretrain_ok(X, k, seed)[0], X)),
          "those are the reconstructions", n=120, k=5)
    untrained = lambda X, k, seed=0: pretrain_ok(X, k, seed, epochs=1)  # noqa: E731
    fails(grading.check_pretrain_layer, untrained, "not trained", n=120, k=5)


def test_greedy_pretrain():
    def ok(X, sizes, seed=0):
        models, H = [], X
        for k in sizes[1:]:
            model, H = pretrain_ok(H, k, seed)
            models.append(model)
        return models

    def all_on_x(X, sizes, seed=0):
        return [pretrain_ok(X, k, seed)[0] for k in sizes[1:]]
    grading.check_greedy_pretrain(ok, n=120)
    fails(grading.check_greedy_pretrain, all_on_x, "trained every layer on X", n=120)


# ----------------------------------------------------------------------------- lesson 7

def test_reconstruction_scores_is_the_sum_as_in_lesson_7():
    ok = lambda m, X: ((reconstruct(m, X) - X) ** 2).sum(1)  # noqa: E731
    grading.check_reconstruction_scores(ok)
    grading.check_reconstruction_scores(ok, n=1, D=10, seed=3)
    # the package's function (lesson 7) is right by definition: an independent oracle
    grading.check_reconstruction_scores(lambda m, X: anomaly.reconstruction_scores(m, X))
    fails(grading.check_reconstruction_scores, lambda m, X: ((reconstruct(m, X) - X) ** 2).sum(), "one score per sample")
    fails(grading.check_reconstruction_scores, lambda m, X: ((reconstruct(m, X) - X) ** 2).mean(1), "averaged over the 64")
    fails(grading.check_reconstruction_scores, lambda m, X: ((reconstruct(m, X) - X) ** 2).sum(0), "axis=1")


def test_quantile_threshold_rounds_up_as_in_lesson_7():
    grading.check_quantile_threshold(lambda s, q: float(np.quantile(s, q, method="higher")))
    grading.check_quantile_threshold(lambda s, q: anomaly.quantile_threshold(s, q), n=1000, q=0.999, seed=4)
    fails(grading.check_quantile_threshold, lambda s, q: float(np.quantile(s, q)), "linear interpolation")
    fails(grading.check_quantile_threshold, lambda s, q: float(np.quantile(s, 1 - q, method="higher")), "\\(1 - q\\)")
    fails(grading.check_quantile_threshold, lambda s, q: float(np.percentile(s, q, method="higher")), "percents")

    def sorts_in_place(s, q):
        s.sort()
        return float(np.quantile(s, q, method="higher"))
    fails(grading.check_quantile_threshold, sorts_in_place, "in place")


def rates_ok(scores_normal, scores_anomalous, tau):
    return float((scores_normal > tau).mean()), float((scores_anomalous > tau).mean())


def test_rates_takes_the_lesson_7_signature():
    grading.check_rates(rates_ok)
    grading.check_rates(lambda a, b, t: tuple(anomaly.rates(a, b, t)), n_normal=40, n_anomalous=9, tau=0.5, ties=True)
    fails(grading.check_rates, lambda a, b, t: rates_ok(a, b, t)[::-1], "swapped")
    fails(grading.check_rates, lambda a, b, t: ((a > t).sum() / (len(a) + len(b)), (b > t).sum() / (len(a) + len(b))),
          "total number of samples")
    fails(grading.check_rates, lambda a, b, t: rates_ok(a, b, t - 1e-12), "equal to tau", ties=True)
