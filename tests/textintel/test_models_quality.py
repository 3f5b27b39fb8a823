"""Case-type classifier quality on held-out messages the model never saw, and the seed corpus."""

import time
from collections import Counter
from pathlib import Path

import pytest

from cskh.textintel import classifier
from cskh.textintel.normalize import normalize_for_model

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module", params=classifier.PROFILES)
def trained(request):
    started = time.process_time()
    model = classifier.train(request.param)
    return request.param, model, time.process_time() - started


def heldout(profile):
    return classifier.load_heldout(DATA / f"heldout_{profile}.tsv")


def test_heldout_quality_per_profile(trained):
    profile, model, cpu_seconds = trained
    metrics = classifier.evaluate(model, heldout(profile))
    assert metrics["n"] >= 150
    assert metrics["accuracy"] >= 0.85, metrics
    assert metrics["macro_f1"] >= 0.80, metrics
    assert cpu_seconds < 60


def test_heldout_covers_every_type_and_is_not_seed_twins(trained):
    profile, model, _ = trained
    rows = heldout(profile)
    assert set(Counter(c for _, c in rows)) == set(model.labels)
    assert min(Counter(c for _, c in rows).values()) >= 10
    seed = [set(normalize_for_model(t).split()) for t, _ in classifier.load_seed(profile)]
    seed_texts = {normalize_for_model(t) for t, _ in classifier.load_seed(profile)}
    for text, _ in rows:
        tokens = set(normalize_for_model(text).split())
        assert normalize_for_model(text) not in seed_texts, text
        best = max(len(tokens & s) / len(tokens | s) for s in seed)
        assert best < 0.8, (text, best)  # a different phrasing, not a template twin


def test_seed_corpus_size_and_catalog_codes(trained):
    from cskh.catalog.profiles import PROFILES, STAFF_ONLY_TYPES

    profile, model, _ = trained
    counts = Counter(c for _, c in classifier.load_seed(profile))
    reported = {row[0] for row in PROFILES[profile]["case_types"]} - STAFF_ONLY_TYPES
    assert set(counts) == reported
    assert min(counts.values()) >= 60
    texts = [t for t, _ in classifier.load_seed(profile)]
    assert sum(t.isascii() for t in texts) >= 0.15 * len(texts)  # also typed without marks
    assert sum(not t.isascii() for t in texts) >= 0.5 * len(texts)


def test_top3_probabilities_and_roundtrip(trained):
    profile, model, _ = trained
    text = {
        "electricity": "dây điện trước nhà bị đứt rơi xuống đường",
        "telecom": "wifi mat ket noi, den LOS do",
    }[profile]
    expected = {"electricity": "hazard", "telecom": "internet_down"}[profile]
    top = model.suggest(text)
    assert len(top) == 3 and top[0][0] == expected
    assert top[0][1] > top[1][1] >= top[2][1] and sum(s for _, s in top) <= 1.0001
    again = classifier.TrainedModel.from_bytes(model.to_bytes())
    assert again.suggest(text) == top and again.version == model.version
    assert model.metrics["eval"]["n"] > 100 and model.metrics["eval"]["accuracy"] > 0.9


def test_eval_split_is_deterministic_and_disjoint():
    pairs = classifier.load_seed("telecom")
    train_a, eval_a = classifier.split(pairs)
    train_b, eval_b = classifier.split(list(reversed(pairs)))
    assert set(eval_a) == set(eval_b) and not set(train_a) & set(eval_a)
    assert 0.1 < len(eval_a) / len(pairs) < 0.3
    assert classifier.is_eval("Mất điện") == classifier.is_eval("mat dien")


def test_unknown_profile_rejected():
    with pytest.raises(classifier.UnknownProfile):
        classifier.train("water")


def test_seed_corpus_is_reproducible_from_the_generator():
    import csv

    from cskh.textintel.data import generate_seed

    for profile in classifier.PROFILES:
        with (generate_seed.HERE / f"seed_{profile}.tsv").open(encoding="utf-8") as fh:
            stored = [tuple(r) for r in csv.reader(fh, delimiter="\t")][1:]
        assert [tuple(map(str, r)) for r in generate_seed.build(profile)] == stored
