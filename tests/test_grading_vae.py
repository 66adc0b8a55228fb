"""Lesson 8's checks: a correct answer passes, each classic mistake is named (handout 002, next steps)."""
import pytest
import torch
import torch.nn.functional as F

from aecourse import grading, vae
from aecourse.grading import GradingError


def kl_right(mu, logvar):
    return 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)


def reparameterize_right(mu, logvar, eps):
    return mu + torch.exp(0.5 * logvar) * eps


def elbo_right(x, x_tilde, mu, logvar, beta=1.0):
    log_lik = -F.binary_cross_entropy(x_tilde, x, reduction="none").sum(1)
    return (log_lik - beta * kl_right(mu, logvar)).mean()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_correct_answers_and_the_package_pass(dtype, capsys):
    for kl in (kl_right, vae.gaussian_kl):
        grading.check_gaussian_kl(kl, dtype=dtype)
    for rep in (reparameterize_right, vae.reparameterize):
        grading.check_reparameterize(rep, dtype=dtype)
    for elbo in (elbo_right, vae.elbo):
        grading.check_elbo(elbo, dtype=dtype, beta=0.5)
    assert capsys.readouterr().out.count("OK ") == 6


@pytest.mark.parametrize("wrong, message", [
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 - lv).mean(1), "averaged over the K = 3 latent units"),
    (lambda mu, lv: (mu**2 + lv.exp() - 1 - lv).sum(1), "1/2 is missing"),
    (lambda mu, lv: 0.5 * (mu**2 + lv**2 - 1 - torch.log(lv**2)).sum(1), "logvar as the standard deviation"),
    (lambda mu, lv: -0.5 * (mu**2 + lv.exp() - 1 - lv).sum(1), "sign is reversed"),
    (lambda mu, lv: 0.5 * (mu**2 + lv.exp() - 1 - lv).sum(1).mean(), "one KL per sample"),
])
def test_kl_mistakes_are_named(wrong, message):
    with pytest.raises(GradingError, match=message):
        grading.check_gaussian_kl(wrong)


@pytest.mark.parametrize("wrong, message", [
    (lambda mu, lv, eps: mu + torch.exp(0.5 * lv) * torch.randn_like(mu), "drew new"),
    (lambda mu, lv, eps: mu + lv * eps, "logvar as the standard deviation"),
    (lambda mu, lv, eps: mu + torch.exp(lv) * eps, "the variance"),
    (lambda mu, lv, eps: (mu + torch.exp(0.5 * lv) * eps).detach(), "no gradient"),
])
def test_reparameterize_mistakes_are_named(wrong, message):
    with pytest.raises(GradingError, match=message):
        grading.check_reparameterize(wrong)


def _elbo_with(log_lik_scale=1.0, kl_scale=1.0, sign=1.0, kl_sign=-1.0, reduce="mean", pixel_mean=False):
    def elbo(x, x_tilde, mu, logvar, beta=1.0):
        terms = -F.binary_cross_entropy(x_tilde, x, reduction="none")
        log_lik = terms.mean(1) if pixel_mean else terms.sum(1)
        value = sign * (log_lik_scale * log_lik + kl_sign * beta * kl_scale * kl_right(mu, logvar))
        return value.mean() if reduce == "mean" else value.sum()
    return elbo


@pytest.mark.parametrize("wrong, message", [
    (_elbo_with(sign=-1.0), "sign is flipped"),
    (_elbo_with(kl_sign=1.0), "added the KL"),
    (_elbo_with(pixel_mean=True), "averaged the log-likelihood over the D = 6 pixels"),
    (_elbo_with(kl_scale=0.5), "averaged the KL over the K = 2 latent units"),
    (_elbo_with(kl_scale=2.0), "1/2"),
    (_elbo_with(reduce="sum"), "summed over the batch"),
])
def test_elbo_mistakes_are_named(wrong, message):
    with pytest.raises(GradingError, match=message):
        grading.check_elbo(wrong, beta=0.5)


def test_stub_is_reported():
    def stub(mu, logvar):
        raise NotImplementedError()
    with pytest.raises(GradingError, match="stub"):
        grading.check_gaussian_kl(stub)
