"""The churn estimator (pure numpy/scikit-learn, no database): a standardised logistic
regression (calibrated probabilities; its per-feature contributions are the reasons shown to
agents) averaged with a small histogram gradient boosting model for the interactions the linear
part misses. Used by `cskh churn train` on cskh's own data and by `cskh churn evaluate` on the
public research sets."""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

LR_WEIGHT = 0.6


@dataclass
class ChurnEstimator:
    lr_c: float = 0.1
    lr_weight: float = LR_WEIGHT
    seed: int = 0
    scaler: StandardScaler = field(default_factory=StandardScaler)
    lr: LogisticRegression | None = None
    gb: HistGradientBoostingClassifier | None = None

    def fit(self, X: np.ndarray, y: np.ndarray) -> ChurnEstimator:
        Z = self.scaler.fit_transform(X)
        self.lr = LogisticRegression(max_iter=3000, C=self.lr_c).fit(Z, y)
        self.gb = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=150,
            max_depth=3,
            min_samples_leaf=60,
            l2_regularization=3.0,
            random_state=self.seed,
        ).fit(X, y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        assert self.lr is not None and self.gb is not None
        a = self.lr.predict_proba(self.scaler.transform(X))[:, 1]
        b = self.gb.predict_proba(X)[:, 1]
        return np.asarray(self.lr_weight * a + (1 - self.lr_weight) * b)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-row, per-feature push towards churn (log-odds of the linear part, relative to
        the average customer): what the reasons are made of."""
        assert self.lr is not None
        return np.asarray(self.scaler.transform(X) * self.lr.coef_[0])

    def dumps(self) -> bytes:
        buf = io.BytesIO()
        pickle.dump(self, buf, protocol=pickle.HIGHEST_PROTOCOL)
        return buf.getvalue()

    @staticmethod
    def loads(blob: bytes) -> ChurnEstimator:
        # our own blob, written by dumps() into our own table: not untrusted input
        model = pickle.loads(blob)  # noqa: S301
        assert isinstance(model, ChurnEstimator)
        return model


def cross_validate(X: np.ndarray, y: np.ndarray, *, folds: int, seed: int) -> dict[str, Any]:
    """Stratified K-fold with `seed`; every fold fits a fresh estimator on its own training
    part (no resampling, no statistics from the test part). Pooled out-of-fold metrics."""
    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        model = ChurnEstimator(seed=seed).fit(X[train], y[train])
        oof[test] = model.predict_proba(X[test])
    return {
        "folds": folds,
        "auc": round(float(roc_auc_score(y, oof)), 4),
        "pr_auc": round(float(average_precision_score(y, oof)), 4),
        "brier": round(float(brier_score_loss(y, oof)), 4),
    }
