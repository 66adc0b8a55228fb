"""Lesson sliders: figures redrawn in place from precomputed results, built on ``aecourse.plots``.

``live`` holds the machinery (``LiveFigure``, blitting, ``choice_slider``); every other module is
one lesson's slider (``quiz`` is the lessons' self-check question, from ``aecourse.quizzes``), in one shape: ``<topic>_results(...)`` precomputes what the slider shows
into a dataclass, ``draw_<topic>(fig, value, results)`` draws one slider position, and
``<topic>_explorer(results)`` wires a slider to it::

    from aecourse import widgets
    widgets.sparsity_explorer(widgets.sparsity_results(models, X_test))
"""
from aecourse.widgets.anomaly import ThresholdResults, draw_threshold, threshold_explorer, threshold_results
from aecourse.widgets.bottleneck import BottleneckResults, bottleneck_explorer, bottleneck_results, draw_bottleneck
from aecourse.widgets.contractive import (ContractiveResults, contractive_explorer, contractive_results,
                                          draw_contractive)
from aecourse.widgets.denoising import DenoisingResults, denoising_explorer, denoising_results, draw_denoising
from aecourse.widgets.kl_weight import KlWeightResults, draw_kl_weight, kl_weight_explorer, kl_weight_results
from aecourse.widgets.live import LiveFigure, choice_explorer, choice_slider, figure_png
from aecourse.widgets.quiz import Quiz, quiz
from aecourse.widgets.sparsity import SparsityResults, draw_sparsity, sparsity_explorer, sparsity_results

__all__ = [
    "LiveFigure", "choice_explorer", "choice_slider", "figure_png", "Quiz", "quiz",
    "BottleneckResults", "bottleneck_results", "draw_bottleneck", "bottleneck_explorer",
    "SparsityResults", "sparsity_results", "draw_sparsity", "sparsity_explorer",
    "DenoisingResults", "denoising_results", "draw_denoising", "denoising_explorer",
    "ContractiveResults", "contractive_results", "draw_contractive", "contractive_explorer",
    "ThresholdResults", "threshold_results", "draw_threshold", "threshold_explorer",
    "KlWeightResults", "kl_weight_results", "draw_kl_weight", "kl_weight_explorer",
]
