"""Lesson 7's threshold slider for the course benchmark: make_live_figure() -> (figure, sweep).

The scores are PCA reconstruction errors of the lesson's task (digits 0-4 normal, 5-9 anomalous):
real data of the lesson's size, computed in milliseconds so the benchmark times the redraws only.
Run it alone to print the redraw latency: python scripts/bench_widget_anomaly.py
"""
import numpy as np

import aecourse
from aecourse import anomaly, data, linear, widgets


def make_live_figure():
    aecourse.setup()
    X, y = data.load_digits()
    split = data.train_val_test_split(X, y, seed=0)
    pca = linear.pca(split.X_train[split.y_train < 5], 12)
    s_normal = anomaly.reconstruction_scores(pca, split.X_test[split.y_test < 5])
    s_anomalous = anomaly.reconstruction_scores(pca, split.X_test[split.y_test >= 5])
    live = widgets.threshold_explorer(s_normal, s_anomalous)
    taus = np.quantile(np.concatenate([s_normal, s_anomalous]), np.linspace(0.05, 0.95, 10))
    return live, [{"tau": float(t)} for t in taus]


if __name__ == "__main__":  # this widget's redraw latency alone
    from bench import bench_widgets

    bench_widgets(only=["anomaly"])
