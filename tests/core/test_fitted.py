"""Models fitted from the shipped data are fitted once per machine and loaded by every other
process (core/fitted.py): the cache keys on the fitting code and its arguments."""

import pytest

from cskh.core import fitted
from cskh.textintel import classifier, sentiment

pytestmark = pytest.mark.db_agnostic  # files on disk only

CALLS: list[tuple] = []


def fit_sum(values: list[int], versions: tuple[str, ...] = ()) -> dict:
    CALLS.append((tuple(values), versions))
    return {"total": sum(values)}


@pytest.fixture
def cache_dir(tmp_path, settings):
    settings.CSKH_MODEL_CACHE_DIR = tmp_path / "models"
    CALLS.clear()
    return settings.CSKH_MODEL_CACHE_DIR


def test_a_fit_runs_once_per_arguments_and_versions(cache_dir):
    fit = fitted.cached(fit_sum)
    assert fit([1, 2, 3]) == {"total": 6}
    assert fit([1, 2, 3]) == {"total": 6}  # loaded from the disk
    assert CALLS == [((1, 2, 3), ())]
    assert fit([1, 2, 4]) == {"total": 7}  # other training data: fitted
    assert fit([1, 2, 3], ("scikit-learn 9",)) == {"total": 6}  # another library: fitted
    assert len(CALLS) == 3
    assert any(cache_dir.rglob("output.pkl"))


def test_the_sentiment_model_loaded_predicts_as_the_one_fitted(cache_dir):
    rows = sentiment.training_rows()[::10]  # a tenth: a quick fit
    texts, labels, complaints = sentiment.training_set(rows)
    fit = fitted.cached(sentiment.fit_sentiment)
    args = (texts, labels, complaints, fitted.library_versions())
    assert not fit.check_call_in_cache(*args)
    fresh = fit(*args)
    assert fit.check_call_in_cache(*args)
    loaded = fit(*args)
    assert loaded is not fresh  # read back from the disk
    said = ["Mất điện cả ngày mà không ai báo, quá tệ!", "Cảm ơn anh kỹ thuật rất nhiệt tình"]
    assert loaded.predict(said) == fresh.predict(said)
    assert [p["sentiment"] for p in loaded.predict(said)] == ["negative", "positive"]


def test_the_default_case_type_model_is_trained_once_and_loaded(cache_dir):
    fit = fitted.cached(classifier.fit_default)
    args = (*classifier.default_training("telecom"), fitted.library_versions())
    assert not fit.check_call_in_cache(*args)
    fresh = fit(*args)
    loaded = fit(*args)
    assert loaded is not fresh  # read back from the disk
    said = ["Mạng chập chờn từ sáng, không vào được internet", "Tôi muốn đổi gói cước"]
    assert loaded.predict(said) == fresh.predict(said)
    assert loaded.version == fresh.version and loaded.version.startswith("telecom-seed-")
    # the pipeline's parameters are part of the key: another setting is another model
    profile, texts, params = classifier.default_training("telecom")
    assert not fit.check_call_in_cache(profile, texts, params + " ", fitted.library_versions())
