"""Lesson 5's slider: the contractive weight lam, on digits and on a curve in the plane."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from aecourse import geometry
from aecourse._checks import check_array, check_choice, check_int, check_mapping
from aecourse.data import Manifold
from aecourse.train import reconstruct, reconstruction_error
from aecourse.widgets.live import LiveFigure, Show, check_results, choice_explorer, lam_label


@dataclass
class ContractiveResults:
    """What the lam slider of lesson 5 shows, one entry per trained lam."""

    lams: list[float]  # the trained weights, increasing (0 first: the plain AE)
    curve_X: np.ndarray  # (N, 2) the curve's training data
    curve_points: np.ndarray  # (n_points, 2) clean points of the curve where v_1 is drawn
    digits_mse: list[float]  # test MSE on digits, per lam
    digits_jacobian: list[float]  # mean ||J_f||_F over the test digits, per lam
    curve_mse: list[float]  # MSE on the curve's clean points, per lam
    curve_jacobian: list[float]  # mean ||J_f||_F at curve_points, per lam
    digits_spectrum: dict[float, np.ndarray]  # lam -> (r,) mean of s_k / s_1 over the digits
    curve_reconstructions: dict[float, np.ndarray]  # lam -> (N, 2), ordered along the curve
    curve_directions: dict[float, np.ndarray]  # lam -> (n_points, 2) top right-singular vectors v_1
    curve_angles: dict[float, np.ndarray]  # lam -> (n_points,) angle of v_1 to the tangent, degrees


def contractive_results(digit_models: Mapping, curve_models: Mapping, X_digits, curve: Manifold, *,
                        n_points: int = 40) -> ContractiveResults:
    """What the lam slider of lesson 5 shows, computed once from one trained model per lam.

    Parameters
    ----------
    digit_models : mapping lam -> trained autoencoder on digits (``.encoder``, ``.decoder``)
    curve_models : mapping lam -> trained autoencoder on a curve in the plane, same lams
    X_digits : (n, 64) test digits
    curve : ``aecourse.data.Manifold`` of a curve (``circle`` or ``spiral``); its clean points and
        tangents are used for the sensitivity directions
    n_points : int, default 40; how many evenly spaced points of the curve get a direction drawn
    """
    check_mapping("digit_models", digit_models, "lam -> trained autoencoder")
    check_mapping("curve_models", curve_models, "lam -> trained autoencoder")
    if sorted(digit_models) != sorted(curve_models):
        raise ValueError(f"digit_models and curve_models must be trained on the same lams, got "
                         f"{sorted(digit_models)} and {sorted(curve_models)}.")
    check_array("X_digits", X_digits)
    if not isinstance(curve, Manifold) or curve.tangents is None:
        raise TypeError(f"curve must be an aecourse.data.Manifold with tangents (data.circle or data.spiral), "
                        f"got {type(curve).__name__}.")
    n_points = check_int("n_points", n_points)
    lams = sorted(digit_models)
    step = max(1, len(curve.clean) // n_points)
    points, tangents = curve.clean[::step], curve.tangents[::step]
    out = ContractiveResults(lams=lams, curve_X=np.asarray(curve.X), curve_points=points, digits_mse=[],
                             digits_jacobian=[], curve_mse=[], curve_jacobian=[], digits_spectrum={},
                             curve_reconstructions={}, curve_directions={}, curve_angles={})
    for lam in lams:
        S = geometry.jacobian_spectrum(digit_models[lam].encoder, X_digits)  # (n, r)
        out.digits_mse.append(reconstruction_error(digit_models[lam], X_digits))
        out.digits_jacobian.append(float(np.sqrt((S**2).sum(axis=1)).mean()))
        out.digits_spectrum[lam] = (S / S[:, :1]).mean(axis=0)
        model = curve_models[lam]
        _, S_curve, Vh = geometry.jacobian_svd(model.encoder, points)
        out.curve_mse.append(reconstruction_error(model, curve.clean))
        out.curve_jacobian.append(float(np.sqrt((S_curve**2).sum(axis=1)).mean()))
        out.curve_reconstructions[lam] = reconstruct(model, curve.clean)
        out.curve_directions[lam] = Vh[:, 0, :]
        out.curve_angles[lam] = np.degrees(geometry.tangent_angles(model.encoder, points, tangents))
    return out


def draw_contractive(fig: Figure, lam: float, results: ContractiveResults) -> Show:
    """Three views of one contractive weight lam, from ``contractive_results``.

    Left: test MSE and mean encoder Jacobian norm against lam, on digits and on the curve, each
    relative to its value at the first lam (0, the plain AE). Middle: the normalised singular
    values s_k / s_1 of the digits encoder Jacobian (first lam dashed). Right: the curve, its
    reconstruction, and at points of the curve the input direction the encoder is most sensitive
    to (v_1), with the median angle to the tangent. Returns ``show(lam)``, which moves the figure
    to another trained lam.
    """
    r = results
    check_choice("lam", lam, r.digits_spectrum, "the trained values")
    fig.set_layout_engine("none")  # fixed margins: the axes are drawn once, only lam's artists again
    ax, ax_spectrum, ax_curve = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1.1, 1.0, 1.0], left=0.06, right=0.99,
                                                                    bottom=0.14, top=0.84, wspace=0.3))

    steps = np.arange(len(r.lams))
    for values, style, label in ((r.digits_mse, "o-C0", "digits MSE"), (r.digits_jacobian, "s-C3", "digits Jacobian norm"),
                                 (r.curve_mse, "o--C0", "curve MSE"), (r.curve_jacobian, "s--C3", "curve Jacobian norm")):
        relative = np.asarray(values) / values[0]
        ax.plot(steps, relative, style[:-2], color=style[-2:], label=label)
    marker = ax.axvline(0, color="0.4", ls=":", lw=2)
    ax.set(yscale="log", xlabel="λ", ylabel=f"relative to λ = {lam_label(r.lams[0])}",
           title="Error up, sensitivity down")
    ax.yaxis.set_minor_locator(NullLocator())
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xticks(steps, [lam_label(v) for v in r.lams])
    errors_legend = ax.legend(fontsize="x-small", loc="upper left", framealpha=0.9)

    ranks = np.arange(1, len(r.digits_spectrum[lam]) + 1)
    ax_spectrum.plot(ranks, r.digits_spectrum[r.lams[0]], "--", color="0.5")
    spectrum, = ax_spectrum.plot(ranks, r.digits_spectrum[lam], "o-", color="C3")
    ax_spectrum.set(xlabel="k", ylabel="mean sₖ / s₁", ylim=(0, 1.05),
                    title=f"Digits: spectrum (dashed: λ = {lam_label(r.lams[0])})")

    ax_curve.plot(r.curve_X[:, 0], r.curve_X[:, 1], ".", ms=3, color="0.7", label="data")
    reconstruction, = ax_curve.plot([], [], "-", color="C0", lw=1.5, label="reconstruction")
    p, gap = r.curve_points, np.full(len(r.curve_points), np.nan)

    def segments(lam: float) -> tuple[np.ndarray, np.ndarray]:  # one line through every v_1, split by NaN
        v = 0.15 * r.curve_directions[lam]
        return (np.stack([p[:, 0] - v[:, 0], p[:, 0] + v[:, 0], gap], axis=1).ravel(),
                np.stack([p[:, 1] - v[:, 1], p[:, 1] + v[:, 1], gap], axis=1).ravel())

    directions, = ax_curve.plot([], [], "-", color="C3", lw=2, label="v₁, most sensitive")
    # limits that hold every lam's reconstruction and directions: the axes are drawn only once
    shown = np.concatenate([r.curve_X, *r.curve_reconstructions.values(),
                            *(np.column_stack(segments(v)) for v in r.lams)])
    lo, hi = np.nanmin(shown, axis=0), np.nanmax(shown, axis=0)
    margin = 0.05 * (hi - lo)
    ax_curve.set(xlim=(lo[0] - margin[0], hi[0] + margin[0]), ylim=(lo[1] - margin[1], hi[1] + margin[1]),
                 aspect="equal", xlabel="x₁", ylabel="x₂")
    curve_legend = ax_curve.legend(fontsize="small", loc="lower left")
    title = fig.suptitle("")

    def show(lam: float) -> list[Artist]:
        check_choice("lam", lam, r.digits_spectrum, "the trained values")
        i = list(r.lams).index(lam)
        marker.set_xdata([i, i])
        spectrum.set_ydata(r.digits_spectrum[lam])
        reconstruction.set_data(r.curve_reconstructions[lam][:, 0], r.curve_reconstructions[lam][:, 1])
        directions.set_data(*segments(lam))
        ax_curve.set_title(f"Curve: {np.median(r.curve_angles[lam]):.0f}° to tangent (median)")
        title.set_text(f"Contractive autoencoders, λ = {lam_label(lam)}: digits MSE {r.digits_mse[i]:.4f}, "
                       f"mean Jacobian norm {r.digits_jacobian[i]:.2f}")
        return [marker, errors_legend, spectrum, reconstruction, directions, curve_legend, ax_curve.title, title]

    show(lam)
    return show


def contractive_explorer(results: ContractiveResults) -> LiveFigure:
    """A slider over the trained values of lam (0 first) redrawing ``draw_contractive``."""
    check_results(results, ContractiveResults, "contractive_results(digit_models, curve_models, X_digits, curve)")
    return choice_explorer(draw_contractive, results, "lam", results.lams, "contractive weight lam",
                           figsize=(11, 3.8), label=lam_label)
