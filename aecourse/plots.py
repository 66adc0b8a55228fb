"""Matplotlib figures used across lessons. Every figure has a title and labelled axes.

Each function draws into ``fig`` when one is given (it is cleared first, so widgets can redraw
in place) and otherwise creates one; it returns the figure.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from aecourse._checks import check_array, check_int

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]  # one per class or model, with its colour


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


def mosaic(images, *, ncols: int, shape: tuple[int, int] = (8, 8), pad: int = 1) -> np.ndarray:
    """Tile flattened images (n, h*w) into one 2-D array, ``ncols`` per row, NaN between tiles.

    Drawing one mosaic with one ``imshow`` is much faster than one axes per image, which keeps
    figures and widget redraws quick.

    Examples
    --------
    >>> mosaic(np.ones((5, 64)), ncols=3, pad=1).shape  # 2 rows of 8x8 tiles, 1-pixel gaps
    (17, 26)
    """
    imgs = _images("images", images, shape)
    ncols = check_int("ncols", ncols)
    nrows = int(np.ceil(len(imgs) / ncols))
    h, w = shape
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), np.nan)
    for i, img in enumerate(imgs):
        r, c = divmod(i, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = img
    return out


def show_mosaic(ax, tiles: np.ndarray, vmin, vmax, cmap: str = "gray_r"):
    """Draw a mosaic without grid or frame; returns the image (its ``set_data`` redraws in place).

    ``tiles`` is a 2-D array such as ``mosaic`` returns; its NaN gaps are drawn white. The image
    spans ``vmin`` to ``vmax`` of the colormap ``cmap`` (default "gray_r": 0 white, 1 black).
    """
    colormap = mpl.colormaps[cmap].with_extremes(bad="white")  # NaN gaps between tiles
    image = ax.imshow(tiles, cmap=colormap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    return image


def image_grid(images, *, shape: tuple[int, int] = (8, 8), ncols: int = 10, labels: Sequence | None = None,
               title: str = "Images", fig: Figure | None = None, vmin: float | None = 0.0,
               vmax: float | None = 1.0, cmap: str = "gray_r") -> Figure:
    """Show flattened images (n, h*w) in a grid, with an optional label above each one."""
    imgs = _images("images", images, shape)
    if labels is not None and len(labels) != len(imgs):
        raise ValueError(f"labels must have one entry per image ({len(imgs)}), got {len(labels)}.")
    ncols = min(check_int("ncols", ncols), len(imgs))
    nrows = int(np.ceil(len(imgs) / ncols))
    fig = _figure(fig, (0.9 * ncols + 0.8, (1.0 if labels is None else 1.25) * nrows + 0.9))
    ax = fig.subplots()
    show_mosaic(ax, mosaic(imgs.reshape(len(imgs), -1), ncols=ncols, shape=shape, pad=2 if labels is None else 4),
                vmin, vmax, cmap)
    if labels is not None:
        pad = 4
        for i, label in enumerate(labels):
            r, c = divmod(i, ncols)
            ax.text(c * (shape[1] + pad) + shape[1] / 2 - 0.5, r * (shape[0] + pad) - 0.8, str(label),
                    ha="center", va="bottom", fontsize="small")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_xlabel(f"{len(imgs)} images of {shape[0]}x{shape[1]} pixels (darker = higher value)")
    # the labels of the first row sit above the image: lift the title over them
    label_size = FontProperties(size="small").get_size_in_points()
    ax.set_title(title, pad=6 if labels is None else 6 + 1.5 * label_size)
    return fig


def reconstruction_grid(X, X_tilde, *, n: int = 10, shape: tuple[int, int] = (8, 8),
                        title: str = "Input, reconstruction and error",
                        row_labels=("input", "reconstruction", "|error|"), fig: Figure | None = None) -> Figure:
    """Three rows for the first n samples: the input, its reconstruction, and |x - x_tilde|."""
    X = _images("X", X, shape)[:n].reshape(-1, shape[0] * shape[1])
    X_tilde = _images("X_tilde", X_tilde, shape)[:n].reshape(-1, shape[0] * shape[1])
    if len(X) != len(X_tilde):
        raise ValueError(f"X and X_tilde must hold the same number of images, got {len(X)} and {len(X_tilde)}.")
    return comparison_grid([X, X_tilde, np.abs(X - X_tilde)], list(row_labels), n=n, shape=shape, title=title, fig=fig)


def comparison_grid(rows: Sequence, row_labels: Sequence[str], *, n: int = 10, shape: tuple[int, int] = (8, 8),
                    title: str = "Comparison", fig: Figure | None = None) -> Figure:
    """One row of n images per array in ``rows`` (for example noisy / denoised / clean)."""
    if len(rows) != len(row_labels):
        raise ValueError(f"rows and row_labels must have the same length, got {len(rows)} and {len(row_labels)}.")
    arrays = [_images(f"rows[{i}]", r, shape)[:n] for i, r in enumerate(rows)]
    n = min(len(a) for a in arrays)
    fig = _figure(fig, (0.85 * n + 1.8, 0.95 * len(arrays) + 0.9))
    ax = fig.subplots()
    pad = 2
    stacked = np.concatenate([a[:n].reshape(n, -1) for a in arrays])
    show_mosaic(ax, mosaic(stacked, ncols=n, shape=shape, pad=pad), 0.0, 1.0)
    ax.set_yticks([r * (shape[0] + pad) + shape[0] / 2 - 0.5 for r in range(len(arrays))], list(row_labels))
    ax.set_xticks([c * (shape[1] + pad) + shape[1] / 2 - 0.5 for c in range(n)], [str(c + 1) for c in range(n)])
    ax.tick_params(length=0)
    ax.set_xlabel("sample")
    ax.set_title(title)
    return fig


def latent_scatter(Z, labels=None, *, title: str = "Latent space", xlabel: str = "$z_1$", ylabel: str = "$z_2$",
                   fig: Figure | None = None) -> Figure:
    """Scatter of 2-D codes (n, 2), one colour and marker per label (digits: a 10-entry legend)."""
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
        for i, lab in enumerate(np.unique(labels)):  # colour and marker: classes apart without colour too
            m = labels == lab
            ax.scatter(Z[m, 0], Z[m, 1], s=10, alpha=0.7, label=str(lab), color=f"C{i % 8}", marker=MARKERS[i % 10])
        ax.legend(title="label", markerscale=2.0, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def loss_curves(histories: Mapping, *, title: str = "Training curves", log: bool = True,
                fig: Figure | None = None) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch for one or several ``History``; each
    model has its own colour and marker."""
    if not isinstance(histories, Mapping):
        histories = {"model": histories}
    for name, h in histories.items():
        if not hasattr(h, "train_loss"):
            raise TypeError(f"histories must map names to the History objects that fit returns, got "
                            f"{type(h).__name__} for {name!r}.")
    fig = _figure(fig, (6.4, 4.0))
    ax = fig.subplots()
    for i, (name, h) in enumerate(histories.items()):
        style = dict(color=f"C{i % 8}", marker=MARKERS[i % 10], markevery=max(1, len(h.train_loss) // 8))
        ax.plot(np.arange(1, len(h.train_loss) + 1), h.train_loss, "-", label=f"{name} (train)", **style)
        if h.val_loss:
            ax.plot(np.arange(1, len(h.val_loss) + 1), h.val_loss, "--", label=f"{name} (validation)", **style)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="epoch", ylabel="reconstruction loss (MSE)")
    ax.legend()
    return fig
