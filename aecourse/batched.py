"""Many small autoencoders trained at once, each exactly as ``train.fit`` would train it alone.

Twenty small models trained one after another spend most of their time in Python overhead rather
than arithmetic. Here every parameter of the models is stacked along a new first axis, and each
layer of all their forward passes becomes one batched matrix product (``torch.baddbmm``). The loss
is the sum of the per-model MSEs, so each model's gradient is that of its own loss, and Adam
updates every parameter element on its own: model ``m`` takes the steps of
``train.fit(model_m, datasets[m], epochs=epochs, lr=lr, batch_size=None)``.
"""
from __future__ import annotations

import torch

from aecourse._checks import check_array, check_float, check_int
from aecourse.corruption import gaussian_noise
from aecourse.models import Autoencoder
from aecourse.train import Adam


def fit_plain_and_denoising(datasets, sizes=(64, 32, 8), *, sigma: float = 0.2, epochs: int = 100,
                            lr: float = 1e-2, seed: int = 0) -> tuple[list[Autoencoder], list[Autoencoder]]:
    """For each dataset, a plain and a denoising ReLU ``Autoencoder(sizes)``, all trained together.

    Parameters
    ----------
    datasets : list of arrays, each of shape (n_m, sizes[0]); the sizes n_m may differ
    sizes : layer widths of every model, default (64, 32, 8); ``Autoencoder(sizes, seed=0)`` is
        the initial model of each
    sigma : float >= 0, default 0.2; Gaussian noise of the denoising models (handout 000 §7);
        their targets stay clean
    epochs : int, default 100; full-batch Adam steps
    lr : float, default 1e-2; Adam's learning rate
    seed : int, default 0; seeds the noise

    Returns
    -------
    (plain, denoising) : two lists of trained ``Autoencoder``, one per dataset, in eval mode

    Notes
    -----
    The plain models take exactly the steps of ``train.fit(..., batch_size=None)`` (up to
    rounding, 1e-5; tested). The denoising ones draw their noise in another order than ``fit``
    would, from one generator for all of them.
    """
    if not isinstance(datasets, (list, tuple)) or not datasets:
        raise TypeError(f"datasets must be a non-empty list of arrays, got {type(datasets).__name__}.")
    sizes = [check_int("sizes", s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and a code width, got {sizes}.")
    arrays = [check_array(f"datasets[{m}]", X) for m, X in enumerate(datasets)]
    for m, X in enumerate(arrays):
        if X.shape[1] != sizes[0]:
            raise ValueError(f"datasets[{m}] has {X.shape[1]} features but sizes[0] is {sizes[0]}.")
    sigma = check_float("sigma", sigma, minimum=0.0)
    epochs, seed = check_int("epochs", epochs), check_int("seed", seed, minimum=0)
    lr = check_float("lr", lr, minimum=0.0, include_min=False)

    n_sets, D = len(arrays), sizes[0]
    nets = [Autoencoder(list(sizes), seed=0) for _ in range(2 * n_sets)]  # plain, then denoising
    # each parameter of the 2 n_sets models stacked along a new first axis: name -> (2 n_sets, ...)
    params = {name: torch.stack([net.state_dict()[name] for net in nets]).requires_grad_()
              for name in nets[0].state_dict()}
    layers = {part: sorted({name.split(".")[1] for name in params if name.startswith(part)}, key=int)
              for part in ("encoder", "decoder")}

    def reconstruct_all(x):  # x: (2 n_sets, n, D); Linear, ReLU, ..., Linear in each half
        for part in ("encoder", "decoder"):
            for k, index in enumerate(layers[part]):
                x = torch.baddbmm(params[f"{part}.{index}.bias"][:, None], x, params[f"{part}.{index}.weight"].mT)
                if k < len(layers[part]) - 1:
                    x = torch.relu(x)
        return x

    # the datasets, twice, padded to one (2 n_sets, n_max, D) tensor; weight 1 / (n_m D) on real rows, 0 on padding
    n = torch.tensor([len(X) for X in arrays] * 2)
    X = torch.zeros(2 * n_sets, int(n.max()), D)
    for m, X_m in enumerate(arrays * 2):
        X[m, :len(X_m)] = torch.as_tensor(X_m, dtype=torch.float32)
    weight = ((torch.arange(X.shape[1]) < n[:, None]) / (D * n[:, None]))[..., None]
    adam = Adam(params.values(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        x_hat = torch.cat([X[:n_sets], gaussian_noise(X[n_sets:], sigma, generator=generator)])
        loss = (weight * (reconstruct_all(x_hat) - X) ** 2).sum()  # the sum of the models' MSEs
        adam.zero_grad()
        loss.backward()
        adam.step()
    for m, net in enumerate(nets):
        net.load_state_dict({name: p[m] for name, p in params.items()})
        net.eval()
    return nets[:n_sets], nets[n_sets:]
