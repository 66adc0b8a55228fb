"""Many small autoencoders trained at once, each exactly as ``train.fit`` would train it alone.

``fit_plain_and_denoising``: a plain and a denoising model per dataset, full batch (lesson 7).
``fit_together``: copies of one architecture on one dataset, minibatches, a penalty weight each
(lesson 3's lambda sweeps).

Twenty small models trained one after another spend most of their time in Python overhead rather
than arithmetic. Here every parameter of the models is stacked along a new first axis, and each
layer of all their forward passes becomes one batched matrix product (``torch.baddbmm``). The loss
is the sum of the per-model MSEs, so each model's gradient is that of its own loss, and Adam
updates every parameter element on its own: each model takes the steps ``train.fit`` would take
for it alone.
"""
from __future__ import annotations

import numpy as np
import torch

from aecourse._checks import check_array, check_float, check_int
from aecourse.corruption import gaussian_noise
from aecourse.models import Autoencoder
from aecourse.train import Adam, History, as_input


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


ELEMENTWISE = (torch.nn.ReLU, torch.nn.Sigmoid, torch.nn.Tanh, torch.nn.Identity)  # act on (M, n, width) as on (n, width)
STACKED_PENALTIES = (None, "l1", "kl")


def fit_together(models, X, *, epochs: int = 50, lr: float = 1e-3, batch_size: int | None = 64,
                 penalty: str | None = None, lam=0.0, rho: float = 0.05, corruption=None, seed: int = 0,
                 adam_eps: float = 1e-8) -> list[History]:
    r"""Train several autoencoders of one architecture on the same data at once, each exactly as
    ``train.fit(model, X, ...)`` would train it alone; only the penalty weight differs.

    Every model sees the same batches and the same corruption noise that ``fit`` with this
    ``seed`` would draw for it, so model ``m`` takes the steps of
    ``train.fit(models[m], X, penalty=penalty, lam=lam[m], ...)``. Their parameters are stacked
    along a new first axis and each ``Linear`` layer of all the forward passes is one batched
    matrix product: one Python loop instead of ``len(models)``, about twice as fast for lesson 3's
    five 64-100-64 models.

    Parameters
    ----------
    models : list of ``Autoencoder`` (or modules whose ``.encoder`` and ``.decoder`` are
        ``nn.Sequential`` of ``Linear`` and elementwise activations), all with the same layer
        shapes, activations and dtype; trained in place, then left in eval mode
    X : array or tensor of shape (n_samples, n_features)
    epochs, lr, batch_size, rho, corruption, seed, adam_eps : as in ``train.fit`` (loss "mse")
    penalty : None, "l1" or "kl"; Omega as in ``train.fit`` (``penalties.l1_sparsity``,
        ``penalties.kl_sparsity``; "kl" needs sigmoid codes)
    lam : float >= 0, or one per model; the weight of the penalty

    Returns
    -------
    list of ``History``, one per model (``train_loss`` and ``penalty``; no validation loss)

    Notes
    -----
    The stacked objective is :math:`\sum_m \big(L_m + \lambda_m \Omega_m\big)`; its gradient with
    respect to model m's parameters is that of model m's own objective, and Adam updates each
    element on its own, so the models do not interact. Results agree with ``train.fit`` up to
    the rounding of batched against single matrix products (tested to 1e-12 in float64).
    """
    if not isinstance(models, (list, tuple)) or not models:
        raise TypeError(f"models must be a non-empty list of autoencoders, got {type(models).__name__}.")
    for m, net in enumerate(models):
        if not all(isinstance(getattr(net, part, None), torch.nn.Sequential) for part in ("encoder", "decoder")):
            raise TypeError(f"models[{m}] must have nn.Sequential .encoder and .decoder (an Autoencoder), "
                            f"got {type(net).__name__}.")
        for module in [*net.encoder, *net.decoder]:
            if not isinstance(module, (torch.nn.Linear, *ELEMENTWISE)):
                raise ValueError(f"models[{m}] has a {type(module).__name__} layer; fit_together stacks only Linear "
                                 "layers and elementwise activations: train it with train.fit.")
    shapes = [{name: (tuple(p.shape), p.dtype) for name, p in net.state_dict().items()} for net in models]
    kinds = [[type(module) for module in [*net.encoder, *net.decoder]] for net in models]
    for m in range(1, len(models)):
        if shapes[m] != shapes[0] or kinds[m] != kinds[0]:
            raise ValueError(f"models[{m}] differs from models[0] in its layers, activations or dtype; "
                             "fit_together trains copies of one architecture.")
    if penalty not in STACKED_PENALTIES:
        raise ValueError(f"penalty must be one of {STACKED_PENALTIES} (other penalties: train.fit), got {penalty!r}.")
    if penalty == "kl" and kinds[0][len(models[0].encoder) - 1] is not torch.nn.Sigmoid:
        raise ValueError("penalty='kl' needs codes in (0, 1): build the models with code_activation='sigmoid'.")
    lams = list(lam) if isinstance(lam, (list, tuple, np.ndarray)) else [lam] * len(models)
    if len(lams) != len(models):
        raise ValueError(f"lam must be one float or one per model ({len(models)}), got {len(lams)} values.")
    lams = [check_float(f"lam[{m}]", v, minimum=0.0) for m, v in enumerate(lams)]
    Xt = as_input("X", X, models[0])
    epochs = check_int("epochs", epochs)
    lr = check_float("lr", lr, minimum=0.0, include_min=False)
    batch_size = len(Xt) if batch_size is None else check_int("batch_size", batch_size)
    rho = check_float("rho", rho, minimum=0.0, maximum=1.0, include_min=False, include_max=False)
    seed = check_int("seed", seed, minimum=0)
    adam_eps = check_float("adam_eps", adam_eps, minimum=0.0, include_min=False)
    if corruption is not None and not callable(corruption):
        raise TypeError(f"corruption must be a function (x, generator=...) -> x_hat, got {corruption!r}.")

    n_models, dtype = len(models), Xt.dtype
    # each parameter of the models stacked along a new first axis: name -> (n_models, ...)
    params = {name: torch.stack([net.state_dict()[name] for net in models]).requires_grad_()
              for name in models[0].state_dict()}
    weights = torch.tensor(lams, dtype=dtype, device=Xt.device)  # (n_models,)

    def run(part: str, x: torch.Tensor) -> torch.Tensor:  # x: (n_models, n, width)
        for i, module in enumerate(getattr(models[0], part)):
            if isinstance(module, torch.nn.Linear):
                x = torch.baddbmm(params[f"{part}.{i}.bias"][:, None], x, params[f"{part}.{i}.weight"].mT)
            else:
                x = module(x)
        return x

    generator = torch.Generator(device=Xt.device).manual_seed(seed)
    adam = Adam(params.values(), lr=lr, eps=adam_eps)
    histories = [History() for _ in models]
    n = len(Xt)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator, device=Xt.device)
        rec_sum = torch.zeros(n_models, dtype=dtype, device=Xt.device)
        pen_sum = torch.zeros(n_models, dtype=dtype, device=Xt.device)
        for start in range(0, n, batch_size):
            x = Xt[order[start:start + batch_size]]
            x_in = x if corruption is None else corruption(x, generator=generator)
            z = run("encoder", x_in.expand(n_models, -1, -1))  # (n_models, B, K)
            rec = ((run("decoder", z) - x) ** 2).mean(dim=(1, 2))  # (n_models,): each model's MSE
            objective = rec.sum()
            if penalty is not None:
                if penalty == "l1":
                    omega = z.abs().sum(dim=2).mean(dim=1)
                else:
                    rho_hat = z.mean(dim=1).clamp(1e-6, 1 - 1e-6)  # (n_models, K)
                    omega = (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum(dim=1)
                objective = (rec + weights * omega).sum()
                pen_sum += omega.detach() * len(x)
            adam.zero_grad()
            objective.backward()
            adam.step()
            rec_sum += rec.detach() * len(x)
        for m, history in enumerate(histories):
            history.train_loss.append(rec_sum[m].item() / n)
            history.penalty.append(pen_sum[m].item() / n)
    for m, net in enumerate(models):
        net.load_state_dict({name: p[m].detach() for name, p in params.items()})
        net.eval()
    return histories
