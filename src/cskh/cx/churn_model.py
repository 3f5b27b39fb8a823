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

# scikit-learn is imported in the methods that fit or score, not with this module: the import
# takes over a second of CPU, which every process starting Django paid (cskh.cx.services
# imports this module) although few ever fit a churn model. A stored model brings it along
# when it is unpickled.

# Candidate blends (logistic regression, shallow trees, deeper trees), chosen on the
# training rows by an inner 3-fold split. Only two: "linear-led" or "trees"; a finer grid
# over-fits the choice on 3 inner folds (measured: -0.005 AUC on the BigML set).
WEIGHTS: tuple[tuple[float, float, float], ...] = (
    (0.6, 0.4, 0.0),
    (0.0, 0.0, 1.0),
)


@dataclass
class ChurnEstimator:
    """Blend of three parts: standardised logistic regression (its contributions are the
    reasons), a shallow and a deeper histogram gradient boosting model."""

    lr_c: float = 0.1
    seed: int = 0
    auto_weight: bool = True
    weights: tuple[float, float, float] = (0.6, 0.4, 0.0)
    scaler: Any = None  # the fitted StandardScaler of the linear part
    parts: list[Any] = field(default_factory=list)

    def _parts(self) -> list[Any]:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression

        return [
            LogisticRegression(max_iter=3000, C=self.lr_c),
            HistGradientBoostingClassifier(
                learning_rate=0.05,
                max_iter=150,
                max_depth=3,
                min_samples_leaf=60,
                l2_regularization=3.0,
                random_state=self.seed,
            ),
            # deeper trees, small leaves: sharp thresholds on a few columns (a bill above a
            # level, four service calls and more); chosen only when the inner split says so.
            # Coarser bins keep those small leaves from chasing thresholds between near-equal
            # values.
            HistGradientBoostingClassifier(
                learning_rate=0.03,
                max_iter=500,
                max_leaf_nodes=16,
                min_samples_leaf=10,
                l2_regularization=0.0,
                max_bins=64,
                random_state=self.seed,
            ),
        ]

    def fit(self, X: np.ndarray, y: np.ndarray) -> ChurnEstimator:
        """The blend weights are chosen by an inner 3-fold split of the training rows only
        (linear data favours the regression, interaction-heavy data the boosting)."""
        from sklearn.metrics import log_loss
        from sklearn.model_selection import StratifiedKFold
        from sklearn.preprocessing import StandardScaler

        if self.auto_weight and len(y) >= 300:
            oof = np.zeros((len(y), 3))
            inner = StratifiedKFold(3, shuffle=True, random_state=self.seed)
            for tr, te in inner.split(X, y):
                sc = StandardScaler().fit(X[tr])
                lr, shallow, deep = self._parts()
                oof[te, 0] = lr.fit(sc.transform(X[tr]), y[tr]).predict_proba(sc.transform(X[te]))[
                    :, 1
                ]
                oof[te, 1] = shallow.fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
                oof[te, 2] = deep.fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
            # judged by log-loss, not AUC: it uses every probability rather than only the
            # order of the few hundred churners in a fold, so the choice flips less often
            # between near-equal candidates
            self.weights = min(WEIGHTS, key=lambda w: log_loss(y, oof @ np.array(w)))
        self.parts = self._parts()
        self.scaler = StandardScaler()
        self.parts[0].fit(self.scaler.fit_transform(X), y)
        for w, part in zip(self.weights[1:], self.parts[1:], strict=True):
            if w > 0:
                part.fit(X, y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        out = self.weights[0] * self.parts[0].predict_proba(self.scaler.transform(X))[:, 1]
        for w, part in zip(self.weights[1:], self.parts[1:], strict=True):
            if w > 0:
                out = out + w * part.predict_proba(X)[:, 1]
        return np.asarray(out)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-row, per-feature push towards churn (log-odds of the linear part, relative to
        the average customer): what the reasons are made of."""
        return np.asarray(self.scaler.transform(X) * self.parts[0].coef_[0])

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
    part (no resampling, no statistics from the test part). Metrics are the mean over folds."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    aucs, prs, briers = [], [], []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        model = ChurnEstimator(seed=seed).fit(X[train], y[train])
        p = model.predict_proba(X[test])
        aucs.append(roc_auc_score(y[test], p))
        prs.append(average_precision_score(y[test], p))
        briers.append(brier_score_loss(y[test], p))
    return {
        "folds": folds,
        "auc": round(float(np.mean(aucs)), 4),
        "pr_auc": round(float(np.mean(prs)), 4),
        "brier": round(float(np.mean(briers)), 4),
    }
