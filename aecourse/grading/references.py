"""The shortcuts each exercise's solution may not call, by the check that grades it.

An exercise asks the student to write a formula; the course's own implementation of it (and, where
the exercise is about writing the formula, the library function that computes it) would give full
marks without learning anything. The trusted grader (``aecourse.instructor``) removes the course's
functions from the copy of the package the student's code sees: their bodies are replaced by an
error naming the call, so reaching them by any route (``getattr``, ``importlib``, an alias) gives
that error instead of the answer. Library shortcuts are replaced by the same error before the
student's code runs. Names are looked up by their public name; a function that moved to another
module of the package is still found by its name.
"""
from __future__ import annotations

COURSE = "the course's reference implementation; write it yourself"
LIBRARY = "a library shortcut this exercise asks you to write yourself"

REFERENCES: dict[str, tuple[str, ...]] = {
    "check_mse_loss": ("aecourse.losses.mse", "torch.nn.functional.mse_loss"),
    "check_bce_loss": ("aecourse.losses.bce", "torch.nn.functional.binary_cross_entropy",
                  "torch.nn.functional.binary_cross_entropy_with_logits"),
    "check_n_parameters": (),  # counting Autoencoder(sizes).parameters() is allowed: lesson 6 needs the class
    "check_pca_components": ("aecourse.linear.pca", "sklearn.decomposition.PCA"),
    "check_principal_angle": ("aecourse.linear.subspace_angles", "scipy.linalg.subspace_angles"),
    "check_l1_penalty": ("aecourse.penalties.l1_sparsity",),
    "check_kl_penalty": ("aecourse.penalties.kl_sparsity",),
    "check_gaussian_corrupt": ("aecourse.corruption.gaussian_noise",),
    "check_masking_corrupt": ("aecourse.corruption.masking_noise",),
    "check_optimal_dae_weight": ("aecourse.denoising.optimal_linear_dae",),
    "check_sigmoid_contractive": ("aecourse.penalties.sigmoid_contractive_penalty",
                                  "aecourse.penalties.contractive_penalty"),
    "check_jacobian": ("aecourse.geometry.encoder_jacobian", "torch.autograd.functional.jacobian",
                       "torch.func.jacrev", "torch.func.jacfwd"),
    "check_pretrain_layer": ("aecourse.pretrain.pretrain_layerwise",),
    "check_greedy_pretrain": ("aecourse.pretrain.pretrain_layerwise",),
    "check_reconstruction_scores": ("aecourse.anomaly.reconstruction_scores",),
    "check_quantile_threshold": ("aecourse.anomaly.quantile_threshold",),
    "check_rates": ("aecourse.anomaly.rates", "aecourse.anomaly.confusion_matrix"),
    "check_gaussian_kl": ("aecourse.vae.gaussian_kl", "torch.distributions.kl_divergence",
                          "torch.distributions.kl.kl_divergence"),
    "check_reparameterize": ("aecourse.vae.reparameterize",),
    "check_elbo": ("aecourse.vae.elbo", "aecourse.vae.gaussian_kl", "aecourse.vae.bernoulli_log_likelihood"),
}


def course_functions(checks) -> set[str]:
    """The declared ``aecourse.*`` names of the given checks."""
    return {n for c in checks for n in REFERENCES.get(c, ()) if n.startswith("aecourse.")}


def library_functions(checks) -> set[str]:
    return {n for c in checks for n in REFERENCES.get(c, ()) if not n.startswith("aecourse.")}


def message(dotted: str) -> str:
    return f"calls {dotted}, " + (COURSE if dotted.startswith("aecourse.") else LIBRARY)
