"""`cskh churn evaluate` on the public research sets: skipped cleanly without the data, and
the issue-#16 AUC floors when the data is present (CSKH_SHARED_DATA)."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cskh.cx import churn_research


def _evaluate(*args: str) -> dict:
    out = io.StringIO()
    call_command("churn", "evaluate", *args, stdout=out)
    return json.loads(out.getvalue())


def test_missing_data_prints_a_skip_not_an_error(tmp_path):
    result = _evaluate("--dataset", "telco-ibm", "--data-dir", str(tmp_path))
    assert result["dataset"] == "telco-ibm"
    assert "skipped" in result and "auc" not in result


def test_fewer_than_two_folds_is_refused(tmp_path):
    with pytest.raises(CommandError):
        _evaluate("--dataset", "telecom-bigml", "--folds", "1", "--data-dir", str(tmp_path))


def _need(dataset: str) -> Path:
    root = Path(settings.CSKH_SHARED_DATA)
    if not churn_research.available(dataset, root):
        pytest.skip(f"{dataset} not in {root} (set CSKH_SHARED_DATA)")
    return root


@pytest.mark.parametrize(
    ("dataset", "rows", "floor"),
    # floors: IBM above the standardised logistic regression (0.845), BigML the #16 target
    [("telco-ibm", 7043, 0.845), ("telecom-bigml", 3333, 0.93)],
)
def test_evaluate_on_the_public_data(dataset, rows, floor):
    root = _need(dataset)
    X, y = churn_research.LOADERS[dataset](root)
    assert len(y) == rows and 0.1 < y.mean() < 0.3
    result = _evaluate("--dataset", dataset, "--folds", "5", "--seed", "0")
    assert set(result) >= {"dataset", "folds", "auc", "pr_auc", "brier"}
    assert result["dataset"] == dataset and result["folds"] == 5
    assert result["auc"] >= floor
    assert result["pr_auc"] > y.mean()  # better than chance
    assert result["brier"] < y.mean() * (1 - y.mean())  # better than the base rate
