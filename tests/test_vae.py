"""The VAE's pieces against independent oracles: the KL against torch.distributions and Monte Carlo,
the reparameterisation's gradients against autograd's closed form, the ELBO below log p(x)."""
import numpy as np
import pytest
import torch

from aecourse import vae


def _gaussian(seed=0, n=5, k=3):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g, dtype=torch.float64), torch.randn(n, k, generator=g, dtype=torch.float64)


def test_kl_matches_torch_distributions():
    mu, logvar = _gaussian()
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    expected = torch.distributions.kl_divergence(q, p).sum(1)
    assert torch.allclose(vae.gaussian_kl(mu, logvar), expected, rtol=1e-12)


def test_kl_matches_monte_carlo():
    mu, logvar = _gaussian(1, n=2)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(0.0, 1.0)
    z = q.sample((200_000,))  # (draws, n, K)
    terms = (q.log_prob(z) - p.log_prob(z)).sum(-1)
    se = terms.std(0) / np.sqrt(len(terms))
    assert (abs(terms.mean(0) - vae.gaussian_kl(mu, logvar)) < 5 * se).all()


def test_kl_is_zero_at_the_prior():
    assert vae.gaussian_kl(torch.zeros(4, 2), torch.zeros(4, 2)).abs().max() == 0


def test_reparameterize_has_the_right_distribution_and_gradients():
    mu, logvar = _gaussian(2, n=1, k=2)
    mu.requires_grad_(True)
    logvar.requires_grad_(True)
    eps = torch.randn(1, 2, dtype=torch.float64)
    z = vae.reparameterize(mu, logvar, eps)
    z.sum().backward()
    # dz/dmu = 1, dz/dlogvar = eps exp(logvar / 2) / 2
    assert torch.allclose(mu.grad, torch.ones_like(mu))
    assert torch.allclose(logvar.grad, 0.5 * eps * torch.exp(0.5 * logvar.detach()))
    many = vae.reparameterize(mu.detach().expand(100_000, 2), logvar.detach().expand(100_000, 2),
                              torch.randn(100_000, 2, dtype=torch.float64))
    assert torch.allclose(many.std(0), torch.exp(0.5 * logvar.detach())[0], rtol=0.02)


def test_reparameterize_checks_eps_shape():
    with pytest.raises(ValueError, match="eps"):
        vae.reparameterize(torch.zeros(3, 2), torch.zeros(3, 2), torch.zeros(3, 1))


def test_kl_checks_shapes():
    with pytest.raises(ValueError, match="logvar"):
        vae.gaussian_kl(torch.zeros(3, 2), torch.zeros(3, 3))


def test_elbo_is_log_likelihood_minus_beta_kl():
    x = torch.tensor([[1.0, 0.0, 1.0]])
    x_tilde = torch.tensor([[0.9, 0.2, 0.8]])
    mu, logvar = torch.tensor([[0.5, -1.0]]), torch.tensor([[0.1, -0.3]])
    log_lik = np.log(0.9) + np.log(0.8) + np.log(0.8)  # handout 002, practice problem 4
    kl = 0.5 * sum(m**2 + np.exp(v) - 1 - v for m, v in [(0.5, 0.1), (-1.0, -0.3)])
    assert vae.elbo(x, x_tilde, mu, logvar).item() == pytest.approx(log_lik - kl, rel=1e-6)
    assert vae.elbo(x, x_tilde, mu, logvar, beta=0.0).item() == pytest.approx(log_lik, rel=1e-6)


def test_elbo_bounds_the_log_likelihood_of_a_linear_gaussian_model():
    # z ~ N(0, 1), x | z ~ Bernoulli is not closed form, so check the bound on a model where log p(x)
    # is exact: one binary pixel with p(x=1 | z) = sigmoid(a z); log p(x) by quadrature.
    a, x = 2.0, torch.tensor([[1.0]])
    zs = torch.linspace(-8, 8, 20001, dtype=torch.float64)
    dz = float(zs[1] - zs[0])
    log_p = float(torch.log((torch.sigmoid(a * zs) * torch.exp(-zs**2 / 2) / np.sqrt(2 * np.pi)).sum() * dz))
    g = torch.Generator().manual_seed(0)
    mu, logvar = torch.tensor([[0.4]]), torch.tensor([[-0.5]])
    eps = torch.randn(50_000, 1, generator=g)
    z = vae.reparameterize(mu.expand(50_000, 1), logvar.expand(50_000, 1), eps)
    estimate = vae.elbo(x.expand(50_000, 1), torch.sigmoid(a * z), mu.expand(50_000, 1), logvar.expand(50_000, 1))
    assert estimate.item() < log_p


def test_fit_vae_raises_the_elbo_and_is_reproducible():
    rng = np.random.default_rng(0)
    X = (rng.random((200, 16)) < 0.3).astype(np.float32)
    runs = []
    for _ in range(2):
        model = vae.VAE([16, 8, 2], seed=0)
        history = vae.fit_vae(model, X, epochs=100, seed=1)
        runs.append(history.train_loss[-1] + history.penalty[-1])
    assert runs[0] == runs[1]
    assert history.train_loss[-1] + history.penalty[-1] < history.train_loss[0] + history.penalty[0]


def test_fit_vae_refuses_data_outside_unit_interval():
    with pytest.raises(ValueError, match=r"X must lie in \[0, 1\]"):
        vae.fit_vae(vae.VAE([4, 2]), np.full((3, 4), 2.0, dtype=np.float32), epochs=1)


def test_sample_draws_from_the_requested_gaussian():
    class Identity(torch.nn.Module):
        latent_dim = 2
        decoder = torch.nn.Identity()
    L = np.array([[2.0, 0.0], [1.0, 0.5]])
    Z = vae.sample(Identity(), 100_000, mean=[1.0, -1.0], scale=L)
    assert np.allclose(Z.mean(0), [1.0, -1.0], atol=0.03)
    assert np.allclose(np.cov(Z.T), L @ L.T, atol=0.05)
    with pytest.raises(ValueError, match="scale"):
        vae.sample(Identity(), 3, scale=np.ones(3))


def test_fit_vae_trains_a_float64_vae_in_float64():
    # the first step's loss is -ELBO of the untrained model, recomputed by the public functions in
    # float64 with the same eps; a float32 computation anywhere would miss by ~1e-7
    rng = np.random.default_rng(0)
    X = (rng.random((50, 16)) < 0.3).astype(np.float32)  # float32 data: fit_vae converts it
    model = vae.VAE([16, 8, 2], seed=0).double()
    X64 = torch.as_tensor(X, dtype=torch.float64)
    with torch.no_grad():
        mu, logvar = model.encode(X64)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
        expected = -vae.elbo(X64, model.decode(vae.reparameterize(mu, logvar, eps)), mu, logvar).item()
    history = vae.fit_vae(model, X, epochs=3, seed=1)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert history.train_loss[0] + history.penalty[0] == pytest.approx(expected, rel=1e-13)
    assert vae.sample(model, 4).dtype == np.float64
