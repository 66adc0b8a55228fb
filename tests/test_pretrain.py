"""aecourse.pretrain: greedy layerwise pretraining and unrolling (handout 000 §12-13)."""
import numpy as np
import pytest
import torch

from aecourse import models, train
from aecourse.pretrain import pretrain_layerwise, unroll

SIZES = [12, 8, 5, 3]


@pytest.fixture(scope="module")
def X():
    return np.random.default_rng(0).random((40, 12), dtype=np.float32)


@pytest.fixture(scope="module")
def stack(X):
    return pretrain_layerwise(X, SIZES, epochs=5, lr=1e-2, activation="tanh", code_activation=None,
                              out_activation="sigmoid", seed=3)


def test_layers_have_the_requested_widths(stack):
    assert [layer.sizes for layer in stack.layers] == [[12, 8], [8, 5], [5, 3]]
    assert [c.shape for c in stack.codes] == [(40, 8), (40, 5), (40, 3)]


def test_each_stage_is_trained_on_the_previous_codes(X, stack):
    # Oracle: the handout's procedure written out by hand with fit and encode, each stage built
    # like the layer (which activations each layer gets is checked by the unrolling tests)
    Z = X
    for l, (layer, code) in enumerate(zip(stack.layers, stack.codes)):
        by_hand = models.Autoencoder(layer.sizes, activation=layer.activation, code_activation=layer.code_activation,
                                     out_activation=layer.out_activation, seed=3 + l)
        train.fit(by_hand, Z, epochs=5, lr=1e-2, batch_size=None, seed=3 + l, progress=False)
        for (name, p), q in zip(by_hand.state_dict().items(), layer.state_dict().values()):
            assert torch.equal(p, q), f"layer {l + 1}, {name}"
        Z = train.encode(by_hand, Z)
        np.testing.assert_array_equal(code, Z)


def test_unrolled_encoder_is_the_composition_of_the_layers(X, stack):
    deep = unroll(stack.layers)
    x = torch.as_tensor(X)
    with torch.no_grad():
        z = x
        for layer in stack.layers:  # z_3 = f3(f2(f1(x)))
            z = layer.encoder(z)
        assert torch.equal(deep.encoder(x), z)
        np.testing.assert_array_equal(z.numpy(), stack.codes[-1])


def test_unrolled_decoder_is_the_reverse_composition(stack):
    deep = unroll(stack.layers)
    z = torch.randn(7, SIZES[-1], generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        x_tilde = z
        for layer in reversed(stack.layers):  # x_tilde = g1(g2(g3(z)))
            x_tilde = layer.decoder(x_tilde)
        assert torch.equal(deep.decoder(z), x_tilde)


def test_unrolled_model_matches_a_deep_autoencoder_architecture(stack):
    deep = unroll(stack.layers)
    assert deep.sizes == SIZES
    assert (deep.activation, deep.code_activation, deep.out_activation) == ("tanh", None, "sigmoid")
    fresh = models.Autoencoder(SIZES, activation="tanh", code_activation=None, out_activation="sigmoid")
    assert str(deep) == str(fresh)


def test_fine_tuning_the_unrolled_model_leaves_the_layers_alone(X, stack):
    before = [{k: v.clone() for k, v in layer.state_dict().items()} for layer in stack.layers]
    deep = unroll(stack.layers)
    train.fit(deep, X, epochs=3, lr=1e-2, progress=False)
    for layer, saved in zip(stack.layers, before):
        for k, v in layer.state_dict().items():
            assert torch.equal(v, saved[k])


def test_unroll_does_not_touch_the_global_generator(stack):
    state = torch.random.get_rng_state()
    unroll(stack.layers)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_single_layer_unrolls_to_a_copy(X):
    one = pretrain_layerwise(X, [12, 4], epochs=3, lr=1e-2, seed=0)
    deep = unroll(one.layers)
    np.testing.assert_array_equal(train.reconstruct(deep, X), train.reconstruct(one.layers[0], X))


def test_same_seed_same_layers_other_seed_other_layers(X):
    a = pretrain_layerwise(X, [12, 6, 3], epochs=4, lr=1e-2, seed=1)
    b = pretrain_layerwise(X, [12, 6, 3], epochs=4, lr=1e-2, seed=1)
    c = pretrain_layerwise(X, [12, 6, 3], epochs=4, lr=1e-2, seed=2)
    np.testing.assert_array_equal(a.codes[-1], b.codes[-1])
    assert a.histories[1].train_loss == b.histories[1].train_loss
    assert not np.array_equal(a.codes[-1], c.codes[-1])


def test_validation_data_is_encoded_layer_by_layer(X):
    X_val = X[:10] + 0.01
    out = pretrain_layerwise(X, [12, 6, 3], epochs=2, lr=1e-2, X_val=X_val, seed=0)
    assert [len(h.val_loss) for h in out.histories] == [2, 2]
    z1_val = train.encode(out.layers[0], X_val)
    assert out.histories[1].val_loss[-1] == pytest.approx(train.reconstruction_error(out.layers[1], z1_val), rel=1e-6)


def test_pretraining_lowers_each_layers_loss(X):
    out = pretrain_layerwise(X, [12, 6, 3], epochs=30, lr=1e-2, seed=0)
    for h in out.histories:
        assert h.train_loss[-1] < h.train_loss[0]


@pytest.mark.parametrize("sizes, match", [
    ([12], "sizes"),
    (12, "sizes"),
    ("12,6", "sizes"),
    ([10, 6], "sizes\\[0\\].*12"),
    ([12, 0], "sizes\\[1\\]"),
])
def test_bad_sizes(X, sizes, match):
    with pytest.raises(ValueError, match=match):
        pretrain_layerwise(X, sizes, epochs=1, lr=1e-2)


def test_non_integer_size(X):
    with pytest.raises(TypeError, match="sizes\\[1\\]"):
        pretrain_layerwise(X, [12, 6.5], epochs=1, lr=1e-2)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"activation": None}, ValueError, "activation"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"code_activation": "swish"}, ValueError, "code_activation"),
    ({"out_activation": "softmax"}, ValueError, "out_activation"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_arguments(X, kwargs, error, match):
    args = {"epochs": 1, "lr": 1e-2, **kwargs}
    with pytest.raises(error, match=match):
        pretrain_layerwise(X, [12, 6], **args)


def test_bad_data(X):
    with pytest.raises(ValueError, match="X must have shape"):
        pretrain_layerwise(X[0], [12, 6], epochs=1, lr=1e-2)
    with pytest.raises(ValueError, match="X_val has 5 features"):
        pretrain_layerwise(X, [12, 6], epochs=1, lr=1e-2, X_val=X[:, :5])


def test_unroll_rejects_bad_layers(stack):
    with pytest.raises(TypeError, match="layers"):
        unroll([])
    with pytest.raises(TypeError, match="layers"):
        unroll(stack.layers[0])
    with pytest.raises(TypeError, match="layers\\[1\\]"):
        unroll([stack.layers[0], torch.nn.Linear(8, 5)])
    with pytest.raises(ValueError, match="layers\\[1\\].*chain"):
        unroll([stack.layers[0], stack.layers[2]])
    with pytest.raises(ValueError, match="one-layer"):
        unroll([models.Autoencoder([12, 8, 5])])


def test_unroll_rejects_mismatched_activations():
    a = models.Autoencoder([6, 4], code_activation="sigmoid")
    b_relu_out = models.Autoencoder([4, 2], out_activation="relu")
    with pytest.raises(ValueError, match="layers\\[1\\].out_activation"):
        unroll([a, b_relu_out])
    linear_code = models.Autoencoder([6, 4])
    b = models.Autoencoder([4, 2], out_activation="sigmoid")
    with pytest.raises(ValueError, match="code_activation is None"):
        unroll([linear_code, b])
    c = models.Autoencoder([2, 1], out_activation="sigmoid")
    b_tanh_code = models.Autoencoder([4, 2], code_activation="tanh", out_activation="sigmoid")
    with pytest.raises(ValueError, match="layers\\[1\\].code_activation"):
        unroll([a, b_tanh_code, c])
