"""The training loop: reproducible bit for bit, every objective lowers its loss, progress is silent
under CI, it trains where the model is; and the numpy-in / numpy-out helpers."""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

import aecourse
from aecourse.corruption import gaussian_noise, masking_noise, salt_and_pepper
from aecourse.data import load_digits
from aecourse.models import Autoencoder, LinearAutoencoder
from aecourse.penalties import sigmoid_contractive_penalty
from aecourse.train import encode, fit, reconstruct, reconstruction_error

aecourse.setup()  # one thread for torch and numpy's BLAS, as in every lesson: 10x faster on a busy machine
X_ALL, _ = load_digits()
X, X_VAL = X_ALL[:300], X_ALL[300:400]
QUICK = dict(epochs=12, lr=1e-2, batch_size=100, progress=False)


def params(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def test_fit_is_reproducible_bit_for_bit():
    runs = []
    for _ in range(2):
        model = Autoencoder([64, 16, 4], seed=0)
        history = fit(model, X, X_val=X_VAL, corruption=partial(masking_noise, p=0.2), penalty="l1", lam=1e-3,
                      seed=3, **QUICK)
        runs.append((params(model), history))
    (p1, h1), (p2, h2) = runs
    assert all(torch.equal(a, b) for a, b in zip(p1, p2))
    assert h1.train_loss == h2.train_loss and h1.penalty == h2.penalty and h1.val_loss == h2.val_loss


def test_fit_seed_changes_the_result():
    a, b = Autoencoder([64, 16, 4], seed=0), Autoencoder([64, 16, 4], seed=0)
    fit(a, X, seed=1, **QUICK)
    fit(b, X, seed=2, **QUICK)
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def closed_form(model, x, z):
    return sigmoid_contractive_penalty(model.encoder[0].weight, model.encoder[0].bias, x)


OBJECTIVES = {
    "mse": (dict(sizes=[64, 16, 4]), dict()),
    "bce": (dict(sizes=[64, 16, 4], out_activation="sigmoid"), dict(loss="bce")),
    "gaussian-noise": (dict(sizes=[64, 16, 4]), dict(corruption=partial(gaussian_noise, sigma=0.3))),
    "masking-noise": (dict(sizes=[64, 16, 4]), dict(corruption=partial(masking_noise, p=0.3))),
    "salt-and-pepper": (dict(sizes=[64, 16, 4]), dict(corruption=partial(salt_and_pepper, p=0.1))),
    "l1": (dict(sizes=[64, 32, 16], code_activation="relu"), dict(penalty="l1", lam=1e-3)),  # 4 ReLU codes die at lr 1e-2
    "kl": (dict(sizes=[64, 16, 4], code_activation="sigmoid"), dict(penalty="kl", lam=1e-2, rho=0.1)),
    "contractive": (dict(sizes=[64, 16, 4], activation="tanh"), dict(penalty="contractive", lam=1e-3)),
    "callable": (dict(sizes=[64, 8], code_activation="sigmoid"), dict(penalty=closed_form, lam=1e-2)),
}


@pytest.mark.parametrize("name", OBJECTIVES)
def test_fit_lowers_the_loss(name):
    model_args, fit_args = OBJECTIVES[name]
    model = Autoencoder(**model_args, seed=0)
    history = fit(model, X, seed=0, **QUICK, **fit_args)
    assert len(history.train_loss) == QUICK["epochs"]
    assert history.train_loss[-1] < 0.9 * history.train_loss[0]
    assert all(np.isfinite(history.penalty))
    if "penalty" in fit_args:
        assert min(history.penalty) > 0


def test_penalty_weight_lowers_the_penalty():
    finals = []
    for lam in (0.0, 1e-3):
        model = Autoencoder([64, 32, 16], code_activation="relu", seed=0)
        finals.append(fit(model, X, penalty="l1", lam=lam, seed=0, **QUICK).penalty[-1])
    assert 0 < finals[1] < 0.8 * finals[0]


def test_penalty_history_is_zero_without_penalty():
    history = fit(Autoencoder([64, 4], seed=0), X, seed=0, **QUICK)
    assert history.penalty == [0.0] * QUICK["epochs"]
    assert history.val_loss == []


def test_val_loss_is_the_reconstruction_error_after_each_epoch():
    model = Autoencoder([64, 16, 4], seed=0)
    history = fit(model, X, X_val=X_VAL, seed=0, **QUICK)
    assert len(history.val_loss) == QUICK["epochs"]
    assert history.val_loss[-1] == pytest.approx(reconstruction_error(model, X_VAL), rel=1e-5)


def test_corruption_receives_fit_generator():
    seen = []

    def spy(x, generator=None):
        seen.append(generator)
        return x

    fit(Autoencoder([64, 4], seed=0), X, seed=0, **QUICK, corruption=spy)
    assert len(seen) == QUICK["epochs"] * 3 and all(isinstance(g, torch.Generator) for g in seen)


def test_identity_corruption_changes_nothing():
    """Targets stay clean and the corruption only replaces the encoder input."""
    a, b = Autoencoder([64, 16, 4], seed=0), Autoencoder([64, 16, 4], seed=0)
    ha = fit(a, X, seed=0, **QUICK)
    hb = fit(b, X, seed=0, **QUICK, corruption=lambda x, generator=None: x)
    assert ha.train_loss == hb.train_loss


def test_fit_accepts_numpy_and_tensors_alike():
    a, b = Autoencoder([64, 4], seed=0), Autoencoder([64, 4], seed=0)
    ha, hb = fit(a, X, seed=0, **QUICK), fit(b, torch.as_tensor(X), seed=0, **QUICK)
    assert ha.train_loss == hb.train_loss


def test_linear_autoencoder_with_k_equal_d_learns_the_identity():
    """Handout 002, practice problem 1: with k >= d nothing stops the linear AE from copying its input."""
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(200, 6)).astype(np.float32)
    model = LinearAutoencoder(6, 6, seed=0)
    history = fit(model, Xr, epochs=150, lr=5e-2, batch_size=None, seed=0, progress=False)
    assert history.train_loss[-1] < 1e-4 * history.train_loss[0]


def test_progress_bar_is_silent_under_ci(monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    fit(Autoencoder([64, 4], seed=0), X, epochs=2, progress=True)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_bar_is_shown_outside_ci(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    fit(Autoencoder([64, 4], seed=0), X, epochs=2, progress=True)
    assert "epochs" in capsys.readouterr().err


def test_progress_false_is_silent(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    fit(Autoencoder([64, 4], seed=0), X, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_fit_trains_on_the_model_device():
    model = Autoencoder([64, 16, 4], seed=0).cuda()
    history = fit(model, X, X_val=X_VAL, seed=0, corruption=partial(gaussian_noise, sigma=0.1), penalty="contractive",
                  lam=1e-3, **QUICK)
    assert all(p.is_cuda for p in model.parameters())
    assert history.train_loss[-1] < history.train_loss[0]
    assert encode(model, X).shape == (300, 4)


def test_fit_does_not_move_a_cpu_model():
    model = Autoencoder([64, 4], seed=0)
    fit(model, X, seed=0, **QUICK)
    assert all(p.device.type == "cpu" for p in model.parameters())


# --- numpy helpers --------------------------------------------------------------------------------

def test_encode_and_reconstruct_return_float32_numpy():
    model = Autoencoder([64, 16, 4], seed=0)
    Z, R = encode(model, X), reconstruct(model, X)
    assert isinstance(Z, np.ndarray) and Z.shape == (300, 4) and Z.dtype == np.float32
    assert isinstance(R, np.ndarray) and R.shape == (300, 64) and R.dtype == np.float32
    with torch.no_grad():
        np.testing.assert_allclose(Z, model.encode(torch.as_tensor(X)).numpy(), rtol=1e-6)
        np.testing.assert_allclose(R, model(torch.as_tensor(X)).numpy(), rtol=1e-6)


def test_reconstruction_error_is_mse_over_samples_and_coordinates():
    model = Autoencoder([64, 16, 4], seed=0)
    expected = ((reconstruct(model, X).astype(np.float64) - X) ** 2).mean()
    assert reconstruction_error(model, X) == pytest.approx(expected, rel=1e-5)


def test_adam_matches_torch_optim_adam_bit_for_bit():
    """fit's Adam avoids torch.optim's import of torch._dynamo; it must be the same update."""
    import copy

    from aecourse.train import Adam

    X = torch.rand(32, 6, generator=torch.Generator().manual_seed(0))
    ours = Autoencoder([6, 5, 2], seed=0)
    theirs = copy.deepcopy(ours)
    opt_ours = Adam(ours.parameters(), lr=1e-2)
    opt_theirs = torch.optim.Adam(theirs.parameters(), lr=1e-2, foreach=False)
    for step in range(30):
        for model, opt in ((ours, opt_ours), (theirs, opt_theirs)):
            opt.zero_grad()
            if step % 3 == 2:  # now and then only the decoder gets gradients: the encoder must not move
                with torch.no_grad():
                    z = model.encode(X)
                ((model.decode(z) - X) ** 2).mean().backward()
            else:
                ((model(X) - X) ** 2).mean().backward()
            opt.step()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(a, b)


def test_fit_does_not_import_torch_dynamo():
    import subprocess
    import sys

    code = ("import sys, torch; from aecourse import models, train; "
            "train.fit(models.Autoencoder([4, 2], seed=0), torch.rand(8, 4), epochs=1, progress=False); "
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_float64_model_trains_and_answers_in_float64():
    model = Autoencoder([64, 16, 4], seed=0).double()
    fit(model, X, **QUICK)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert encode(model, X).dtype == np.float64 and reconstruct(model, X).dtype == np.float64
    # the float64 reconstruction error is the float64 MSE (a float32 detour would differ by ~1e-8)
    R = reconstruct(model, X)
    assert reconstruction_error(model, X) == float(((R - X.astype(np.float64)) ** 2).mean())


def test_fit_uses_adam_eps():
    # oracle: the same full-batch steps written out with torch.optim.Adam(eps=...)
    a, b = Autoencoder([64, 16, 4], seed=0), Autoencoder([64, 16, 4], seed=0)
    fit(a, X, epochs=5, lr=1e-2, batch_size=None, adam_eps=1e-3, progress=False)
    opt = torch.optim.Adam(b.parameters(), lr=1e-2, eps=1e-3, foreach=False)
    Xt = torch.as_tensor(X)
    for _ in range(5):  # full batch: the order of the rows changes only the rounding
        x = Xt
        loss = torch.nn.functional.mse_loss(b(x), x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    gap = max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))
    assert gap < 1e-6  # fails if fit ignored adam_eps: with eps=1e-8 the gap is 0.05


def test_fit_rejects_a_bad_adam_eps():
    with pytest.raises(ValueError, match="adam_eps"):
        fit(Autoencoder([64, 4], seed=0), X, adam_eps=0.0, **QUICK)


def test_bce_with_a_model_of_ones_own_looks_at_its_outputs():
    """A model without ``out_activation`` is not taken for a sigmoid one: its outputs decide."""
    from torch import nn

    class Plain(nn.Module):  # a student's autoencoder: no out_activation attribute
        def __init__(self, last):
            super().__init__()
            self.encoder, self.decoder = nn.Linear(4, 2), nn.Sequential(nn.Linear(2, 4), *last)

        def forward(self, x):
            return self.decoder(self.encoder(x))

    X = np.random.default_rng(0).random((16, 4), dtype=np.float32)
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="loss='bce' needs reconstructions in \\(0, 1\\)"):
        fit(Plain([]), X, epochs=1, loss="bce", progress=False)  # a linear output can leave (0, 1)
    history = fit(Plain([nn.Sigmoid()]), X, epochs=2, loss="bce", progress=False)
    assert len(history.train_loss) == 2
