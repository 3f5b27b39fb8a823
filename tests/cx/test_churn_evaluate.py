"""`cskh churn evaluate` on the public research sets: skipped cleanly without the data, and
the loaders and JSON on small files in each set's layout. The scores on the real sets are a
benchmark (`python bench/run.py research`), not a test."""

import io
import json
from pathlib import Path

import numpy as np
import pytest
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


def _write_ibm(root: Path, n: int, rng: np.random.Generator) -> np.ndarray:
    """A small file in the IBM Telco layout: month-to-month, short-tenure fibre customers
    leave more often (the pattern of the real set), with noise."""
    yes_no = ("Yes", "No")
    header = (
        "customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,"
        "InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,"
        "StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn"
    )
    lines, churned = [header], []
    for i in range(n):
        tenure = int(rng.integers(0, 72))
        contract = str(rng.choice(["Month-to-month", "One year", "Two year"]))
        internet = str(rng.choice(["DSL", "Fiber optic", "No"]))
        monthly = round(float(rng.uniform(20, 110)), 2)
        total = "" if tenure == 0 else f"{monthly * tenure:.2f}"  # blank, as in the real file
        risk = 1.5 * (contract == "Month-to-month") + (internet == "Fiber optic") - tenure / 24
        leaves = bool(risk + rng.normal(0, 0.7) > 0.8)
        churned.append(leaves)
        services = ",".join(str(rng.choice(yes_no)) for _ in range(6))
        lines.append(
            f"{i:04d}-TEST,{rng.choice(['Female', 'Male'])},{rng.integers(0, 2)},"
            f"{rng.choice(yes_no)},{rng.choice(yes_no)},{tenure},Yes,No,{internet},{services},"
            f"{contract},{rng.choice(yes_no)},Electronic check,{monthly},{total},"
            f"{'Yes' if leaves else 'No'}"
        )
    folder = root / "telco-churn-ibm"
    folder.mkdir(parents=True)
    (folder / "Telco-Customer-Churn.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return np.array(churned)


def _write_bigml(root: Path, n: int, rng: np.random.Generator) -> np.ndarray:
    """A small file pair in the BigML layout (80/20 split): many service calls and a big
    bill churn."""
    header = (
        "State,Account length,Area code,International plan,Voice mail plan,"
        "Number vmail messages,Total day minutes,Total day calls,Total day charge,"
        "Total eve minutes,Total eve calls,Total eve charge,Total night minutes,"
        "Total night calls,Total night charge,Total intl minutes,Total intl calls,"
        "Total intl charge,Customer service calls,Churn"
    )
    lines, churned = [], []
    for _ in range(n):
        day = float(rng.uniform(0, 350))
        calls = int(rng.poisson(1.5))
        leaves = bool(calls >= 4 or day > 280 or rng.random() < 0.05)
        churned.append(leaves)
        lines.append(
            f"LA,100,408,{rng.choice(['Yes', 'No'])},No,0,{day:.1f},100,{day * 0.17:.2f},"
            f"200,100,17.0,200,100,9.0,10,{rng.integers(1, 8)},2.7,{calls},{leaves}"
        )
    folder = root / "telecom-churn-bigml"
    folder.mkdir(parents=True)
    cut = n * 4 // 5
    for name, part in (("churn-bigml-80.csv", lines[:cut]), ("churn-bigml-20.csv", lines[cut:])):
        (folder / name).write_text("\n".join([header, *part]) + "\n", encoding="utf-8")
    return np.array(churned)


@pytest.mark.parametrize(
    ("dataset", "write"), [("telco-ibm", _write_ibm), ("telecom-bigml", _write_bigml)]
)
def test_evaluate_reads_the_dataset_layout_and_prints_the_json(tmp_path, dataset, write):
    """The loaders and the command on files written here in each dataset's layout. The AUC
    targets on the real sets are measured by `python bench/run.py research`."""
    churned = write(tmp_path, 360, np.random.default_rng(7))
    X, y = churn_research.LOADERS[dataset](tmp_path)
    assert len(y) == 360 and (y == churned).all()
    assert np.isfinite(X).all()  # blank TotalCharges read as 0, not NaN
    result = _evaluate(
        "--dataset", dataset, "--folds", "3", "--seed", "0", "--data-dir", str(tmp_path)
    )
    assert set(result) >= {"dataset", "folds", "auc", "pr_auc", "brier"}
    assert result["dataset"] == dataset and result["folds"] == 3
    assert result["auc"] > 0.75  # the planted pattern is found
    assert result["pr_auc"] > y.mean()
    assert result["brier"] < y.mean() * (1 - y.mean())  # better than the base rate
