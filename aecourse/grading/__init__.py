"""Checks for the exercise notebooks that explain what went wrong.

Each ``check_*`` function calls a student's function on the handout's worked example and on
random cases, compares it with an independent reference, and on a mismatch raises a
``GradingError`` (an ``AssertionError``) that says what differed and names the likely
misconception, e.g. "your penalty is the batch sum, not the batch mean". On success it prints
one line. The visible tests of ``exercises/`` call these checks with their defaults; the hidden
tests call them again with other shapes, dtypes, seeds and edge values.

``core`` holds the comparison machinery; one module per lesson holds its checks. The same
checks run in the student's kernel (immediate feedback in JupyterLab) and in the trusted grader
(``aecourse.instructor``), where the student's function is a proxy to a sandboxed process and
every comparison happens in the grader's own process.
"""
from aecourse.grading.anomaly import check_quantile_threshold, check_rates, check_reconstruction_scores
from aecourse.grading.contractive import check_jacobian, check_sigmoid_contractive
from aecourse.grading.core import GradingError
from aecourse.grading.denoising import check_gaussian_corrupt, check_masking_corrupt, check_optimal_dae_weight
from aecourse.grading.losses import check_bce_loss, check_mse_loss, check_n_parameters
from aecourse.grading.pca import check_pca_components, check_principal_angle
from aecourse.grading.pretraining import check_greedy_pretrain, check_pretrain_layer
from aecourse.grading.quiz import check_quiz, check_quiz_format
from aecourse.grading.sparsity import check_kl_penalty, check_l1_penalty
from aecourse.grading.vae import check_elbo, check_gaussian_kl, check_reparameterize

__all__ = [
    "GradingError",
    "check_mse_loss", "check_bce_loss", "check_n_parameters",
    "check_pca_components", "check_principal_angle",
    "check_l1_penalty", "check_kl_penalty",
    "check_gaussian_corrupt", "check_masking_corrupt", "check_optimal_dae_weight",
    "check_sigmoid_contractive", "check_jacobian",
    "check_pretrain_layer", "check_greedy_pretrain",
    "check_reconstruction_scores", "check_quantile_threshold", "check_rates",
    "check_quiz_format", "check_quiz",
    "check_gaussian_kl", "check_reparameterize", "check_elbo",
]

# the names of earlier versions; every check is now named after the function it checks
check_mse, check_bce = check_mse_loss, check_bce_loss
check_gaussian_corruption, check_masking_corruption = check_gaussian_corrupt, check_masking_corrupt
check_optimal_dae = check_optimal_dae_weight
