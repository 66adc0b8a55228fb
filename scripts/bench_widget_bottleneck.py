"""Lesson 1's bottleneck slider for the course benchmark: make_live_figure() -> (figure, sweep)."""
import aecourse
from aecourse import data, linear, models, train, widgets


def make_live_figure():
    aecourse.setup()
    X, y = data.load_digits()
    split = data.train_val_test_split(X, y, seed=0)
    sizes = [1, 2, 4, 8]
    recon, ae_err, pca_err = {}, [], []
    for k in sizes:
        model = models.Autoencoder([64, 64, k], seed=0)
        train.fit(model, split.X_train, epochs=15, lr=1e-2, batch_size=128, progress=False)
        recon[k] = train.reconstruct(model, split.X_test[:8])
        ae_err.append(train.reconstruction_error(model, split.X_test))
        pca_err.append(linear.pca(split.X_train, k).reconstruction_error(split.X_test))
    live = widgets.bottleneck_explorer(sizes=sizes, ae_errors=ae_err, pca_errors=pca_err, X=split.X_test[:8],
                                       reconstructions=recon)
    return live, [{"K": k} for k in sizes]
