"""Matplotlib figures used across lessons. Every figure has a title and labelled axes.

Each function draws into ``fig`` when one is given (it is cleared first, so widgets can redraw
in place) and otherwise creates one; it returns the figure.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from aecourse._checks import check_array, check_int


def _figure(fig: Figure | None, figsize) -> Figure:
    if fig is None:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    fig.clear()
    return fig


def _images(name: str, images, shape: tuple[int, int]) -> np.ndarray:
    images = check_array(name, images)
    if images.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"{name} rows have {images.shape[1]} values but shape={shape} needs "
                         f"{shape[0] * shape[1]}; pass shape=(height, width).")
    return images.reshape(len(images), *shape)


def image_grid(images, *, shape: tuple[int, int] = (8, 8), ncols: int = 10, labels: Sequence | None = None,
               title: str = "Images", fig: Figure | None = None, vmin: float | None = 0.0,
               vmax: float | None = 1.0, cmap: str = "gray_r") -> Figure:
    """Show flattened images (n, h*w) in a grid, with an optional label above each one."""
    imgs = _images("images", images, shape)
    ncols = min(check_int("ncols", ncols), len(imgs))
    nrows = int(np.ceil(len(imgs) / ncols))
    fig = _figure(fig, (1.1 * ncols + 0.6, 1.2 * nrows + 0.8))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([]), ax.set_yticks([])
        ax.grid(False)
        if i < len(imgs):
            ax.imshow(imgs[i], cmap=cmap, vmin=vmin, vmax=vmax)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize="small")
        else:
            ax.axis("off")
    fig.supxlabel(f"{shape[0]}x{shape[1]} pixels, darker = higher value", fontsize="small")
    fig.suptitle(title)
    return fig


def reconstruction_grid(X, X_tilde, *, n: int = 10, shape: tuple[int, int] = (8, 8),
                        title: str = "Input, reconstruction and error", row_labels=("input", "reconstruction", "|error|"),
                        fig: Figure | None = None) -> Figure:
    """Three rows for the first n samples: the input, its reconstruction, and |x - x_tilde|.

    ``row_labels`` names the rows; for a denoising figure pass e.g. ``("noisy", "denoised", "clean")``
    with the matching arrays as X, X_tilde and ... (see ``comparison_grid``).
    """
    X = _images("X", X, shape)[:n]
    X_tilde = _images("X_tilde", X_tilde, shape)[:n]
    if len(X) != len(X_tilde):
        raise ValueError(f"X and X_tilde must hold the same number of images, got {len(X)} and {len(X_tilde)}.")
    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    return comparison_grid([flat(X), flat(X_tilde), np.abs(flat(X) - flat(X_tilde))], list(row_labels),
                           shape=shape, title=title, fig=fig)


def comparison_grid(rows: Sequence, row_labels: Sequence[str], *, n: int = 10, shape: tuple[int, int] = (8, 8),
                    title: str = "Comparison", fig: Figure | None = None) -> Figure:
    """One row of n images per array in ``rows`` (for example noisy / denoised / clean)."""
    if len(rows) != len(row_labels):
        raise ValueError(f"rows and row_labels must have the same length, got {len(rows)} and {len(row_labels)}.")
    arrays = [_images(f"rows[{i}]", r, shape)[:n] for i, r in enumerate(rows)]
    n = min(len(a) for a in arrays)
    fig = _figure(fig, (1.0 * n + 1.2, 1.1 * len(arrays) + 0.8))
    axes = fig.subplots(len(arrays), n, squeeze=False)
    for r, (imgs, label) in enumerate(zip(arrays, row_labels)):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(imgs[c], cmap="gray_r", vmin=0.0, vmax=1.0)
            ax.set_xticks([]), ax.set_yticks([])
            ax.grid(False)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    fig.supxlabel("sample", fontsize="small")
    fig.suptitle(title)
    return fig


def latent_scatter(Z, labels=None, *, title: str = "Latent space", xlabel: str = "$z_1$", ylabel: str = "$z_2$",
                   fig: Figure | None = None) -> Figure:
    """Scatter of 2-D codes (n, 2), coloured by label (digits get a 10-colour legend)."""
    Z = check_array("Z", Z)
    if Z.shape[1] != 2:
        raise ValueError(f"Z must have 2 columns to be drawn in the plane, got {Z.shape[1]}; "
                         "take two coordinates or project with aecourse.linear.pca(Z, 2).")
    fig = _figure(fig, (6.4, 5.2))
    ax = fig.subplots()
    if labels is None:
        ax.scatter(Z[:, 0], Z[:, 1], s=8, alpha=0.6)
    else:
        labels = np.asarray(labels)
        if labels.shape != (len(Z),):
            raise ValueError(f"labels must have shape ({len(Z)},) to match Z, got {labels.shape}.")
        for lab in np.unique(labels):
            m = labels == lab
            ax.scatter(Z[m, 0], Z[m, 1], s=8, alpha=0.7, label=str(lab), color=f"C{int(lab) % 10}")
        ax.legend(title="label", markerscale=2.5, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def loss_curves(histories: Mapping, *, title: str = "Training curves", log: bool = True,
                fig: Figure | None = None) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch for one or several ``History``."""
    if not isinstance(histories, Mapping):
        histories = {"model": histories}
    fig = _figure(fig, (6.4, 4.0))
    ax = fig.subplots()
    for i, (name, h) in enumerate(histories.items()):
        ax.plot(np.arange(1, len(h.train_loss) + 1), h.train_loss, color=f"C{i}", label=f"{name} (train)")
        if h.val_loss:
            ax.plot(np.arange(1, len(h.val_loss) + 1), h.val_loss, "--", color=f"C{i}", label=f"{name} (validation)")
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="epoch", ylabel="reconstruction loss (MSE)")
    ax.legend()
    return fig
