"""Model architecture: the hourglass Autoencoder([64, 32, 8]) and the LinearAutoencoder."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from aecourse.models import Autoencoder, LinearAutoencoder


def layers(seq: nn.Sequential) -> list:
    return [(type(m).__name__, m.in_features, m.out_features) if isinstance(m, nn.Linear) else type(m).__name__
            for m in seq]


def test_autoencoder_builds_the_mirrored_hourglass():
    model = Autoencoder([64, 32, 8])
    assert layers(model.encoder) == [("Linear", 64, 32), "ReLU", ("Linear", 32, 8)]
    assert layers(model.decoder) == [("Linear", 8, 32), "ReLU", ("Linear", 32, 64)]
    assert (model.n_features, model.latent_dim) == (64, 8)


def test_autoencoder_activations_go_where_asked():
    model = Autoencoder([64, 32, 16, 4], activation="tanh", out_activation="sigmoid", code_activation="sigmoid")
    assert layers(model.encoder)[1::2] == ["Tanh", "Tanh", "Sigmoid"]
    assert layers(model.decoder)[1::2] == ["Tanh", "Tanh", "Sigmoid"]


def test_autoencoder_shapes_and_forward_is_decode_of_encode():
    torch.manual_seed(0)
    model, x = Autoencoder([64, 32, 8], seed=0), torch.rand(5, 64)
    z = model.encode(x)
    assert z.shape == (5, 8)
    assert model.decode(z).shape == (5, 64)
    assert torch.equal(model(x), model.decode(z))


def test_output_and_code_activations_bound_the_values():
    torch.manual_seed(1)
    x = 3 * torch.randn(50, 64)
    model = Autoencoder([64, 16, 4], out_activation="sigmoid", code_activation="relu", seed=1)
    out = model(x)
    assert out.min() > 0 and out.max() < 1
    assert model.encode(x).min() >= 0


def test_seed_makes_initialisation_reproducible():
    a, b, c = Autoencoder([64, 16, 4], seed=3), Autoencoder([64, 16, 4], seed=3), Autoencoder([64, 16, 4], seed=4)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb)
        assert not torch.equal(pa, pc)


def test_seed_leaves_the_global_generator_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    Autoencoder([64, 16, 4], seed=0)
    LinearAutoencoder(64, 4, seed=0)
    assert torch.equal(torch.rand(3), expected)


def test_linear_autoencoder_is_affine():
    torch.manual_seed(6)
    model = LinearAutoencoder(10, 3, seed=6)
    x, y = torch.randn(4, 10), torch.randn(4, 10)
    with torch.no_grad():
        lhs = model(0.3 * x + 0.7 * y)
        rhs = 0.3 * model(x) + 0.7 * model(y)  # weights sum to 1: affine maps preserve this
    assert torch.allclose(lhs, rhs, atol=1e-6)
    assert model.encoder.weight.shape == (3, 10) and model.decoder.weight.shape == (10, 3)


def test_linear_autoencoder_without_bias():
    model = LinearAutoencoder(10, 3, bias=False)
    assert model.encoder.bias is None and model.decoder.bias is None
    assert torch.equal(model(torch.zeros(2, 10)), torch.zeros(2, 10))


@pytest.mark.parametrize("make", [lambda: Autoencoder([8, 4]), lambda: LinearAutoencoder(8, 4)])
def test_models_accept_float64(make):
    model = make().double()
    assert model(torch.zeros(2, 8, dtype=torch.float64)).dtype == torch.float64
