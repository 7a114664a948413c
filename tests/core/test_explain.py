"""Teaching views: walk-through numbers, contributions that add up, what-if, ensembles, novelty."""

from __future__ import annotations

import numpy as np
import pytest

from heartgui.core.explain import (
    NoveltyReference,
    contributions,
    ensemble_spread,
    extrapolation,
    iter_ensemble,
    points_words,
    walk_through,
    what_if,
)
from heartgui.core.presets import RECOMMENDED, TUTORIAL
from heartgui.core.schema import FEATURE_NAMES
from heartgui.core.training import train


@pytest.fixture(scope="module", params=["tutorial", "recommended", "two-hidden-layers"])
def trained(request, heart):
    settings = {
        "tutorial": TUTORIAL,
        "recommended": RECOMMENDED,
        "two-hidden-layers": RECOMMENDED.replace(hidden_layers=(16, 8), epochs=200),
    }[request.param]
    return train(heart, settings)


def test_walk_through_reproduces_the_prediction_step_by_step(trained, heart):
    model = trained.model
    patient = heart.row(5)
    steps = walk_through(model, patient)
    assert steps.risk == pytest.approx(float(model.predict_risk(patient)[0]), abs=1e-12)
    for value in steps.scaled:  # z = (x - mean) / sd with the training mean and sd
        assert value.z == pytest.approx((value.raw - value.mean) / value.sd, abs=1e-12)
        assert value.raw == patient[value.name]
    a = steps.inputs
    for layer in steps.layers:
        w = model.network_.coefs_[layer.index - 1]
        b = model.network_.intercepts_[layer.index - 1]
        np.testing.assert_allclose(layer.z, a @ w + b, rtol=1e-12)
        a = layer.a
        if layer.activation == "relu":
            np.testing.assert_array_equal(layer.a, np.maximum(layer.z, 0))
            assert set(layer.switched_off) == {i + 1 for i in np.flatnonzero(layer.z <= 0)}
    assert steps.risk == pytest.approx(1 / (1 + np.exp(-steps.logit)))
    if model.one_hot:
        assert steps.one_hot[f"cp={int(patient['cp'])}"] == 1.0
        assert sum(v for k, v in steps.one_hot.items() if k.startswith("cp=")) == 1.0


def test_contributions_add_up_to_the_change_in_logit(trained, heart):
    for i in (0, 17, 101, 230):
        patient = heart.row(i)
        c = contributions(trained.model, patient)
        total = sum(c.by_feature.values())
        assert total == pytest.approx(c.logit - c.reference_logit, abs=1e-9)
        assert c.logit == pytest.approx(
            float(trained.model.network_.decision_function(trained.model.transform(patient))[0]), abs=1e-9
        )
        assert set(c.by_feature) == set(FEATURE_NAMES)


def test_a_feature_equal_to_the_reference_contributes_nothing(trained, heart):
    patient = dict(heart.row(3))
    reference = dict(trained.model.training_defaults_)
    patient["chol"] = reference["chol"]
    patient["cp"] = reference["cp"]
    c = contributions(trained.model, patient)
    assert c.by_feature["chol"] == 0.0
    assert c.by_feature["cp"] == 0.0


def test_what_if_marks_the_current_value_and_covers_the_range(trained, heart):
    patient = heart.row(10)
    curve = what_if(trained.model, patient, "thalach")
    assert curve.values.min() <= patient["thalach"] <= curve.values.max()
    at_current = np.interp(patient["thalach"], curve.values, curve.risks)
    assert curve.current_risk == pytest.approx(float(trained.model.predict_risk(patient)[0]))
    assert abs(at_current - curve.current_risk) < 0.05
    coded = what_if(trained.model, patient, "cp")
    assert list(coded.values) == [1, 2, 3, 4]
    assert coded.labels[3] == "asymptomatic"
    row = dict(patient)
    row["cp"] = 4.0
    assert coded.risks[3] == pytest.approx(float(trained.model.predict_risk(row)[0]))


def test_ensemble_is_reproducible_and_spreads(heart):
    result = train(heart, RECOMMENDED)
    split = result.split
    settings = RECOMMENDED.replace(epochs=100)
    first = [p.model for p in iter_ensemble(split.X_train, split.y_train, settings, n_models=4)]
    again = [p.model for p in iter_ensemble(split.X_train, split.y_train, settings, n_models=4)]
    patient = heart.row(0)
    a, b = ensemble_spread(first, patient), ensemble_spread(again, patient)
    np.testing.assert_array_equal(a.risks, b.risks)
    assert a.low <= a.median <= a.high
    assert len(set(np.round(a.risks, 12))) == 4  # different seeds, different models
    with pytest.raises(ValueError):
        next(iter_ensemble(split.X_train, split.y_train, settings, n_models=1))


def test_novelty_flags_an_unusual_patient_and_not_a_typical_one(heart):
    result = train(heart, RECOMMENDED)
    reference = NoveltyReference.fit(result.split.X_train)
    typical = dict(result.model.training_defaults_)
    assert not extrapolation(result.model, typical, reference).warning
    odd = dict(typical, age=35.0, thalach=80.0, oldpeak=5.5, trestbps=95.0)  # each within range
    verdict = extrapolation(result.model, odd, reference)
    assert not verdict.out_of_range and verdict.far_from_training
    outside = dict(typical, chol=800.0)
    verdict = extrapolation(result.model, outside, reference)
    assert "chol" in verdict.out_of_range and verdict.warning
    fraction_flagged = np.mean(reference.distances(result.split.X_train) > reference.threshold)
    assert fraction_flagged <= 0.02


def test_contributions_match_a_brute_force_integral_of_numerical_gradients(trained, heart):
    """Independent check: midpoint Riemann sum (4000 steps) of central-difference gradients."""
    model = trained.model
    patient = heart.row(42)
    exact = contributions(model, patient)
    x = model.transform(patient)[0]
    x0 = model.transform(model.training_defaults_)[0]
    steps, eps = 4000, 1e-6
    alphas = (np.arange(steps) + 0.5) / steps
    path = x0 + alphas[:, None] * (x - x0)
    f = model.network_.decision_function
    grads = np.empty_like(path)
    for j in range(path.shape[1]):
        up, down = path.copy(), path.copy()
        up[:, j] += eps
        down[:, j] -= eps
        grads[:, j] = (f(up) - f(down)) / (2 * eps)
    brute = (x - x0) * grads.mean(axis=0)
    per_feature = dict.fromkeys(FEATURE_NAMES, 0.0)
    for name, value in zip(model.feature_names_out_, brute):
        per_feature[name.split("=")[0]] += value
    for name in FEATURE_NAMES:
        assert exact.by_feature[name] == pytest.approx(per_feature[name], abs=5e-3)


def test_contributions_in_percentage_points_add_up_to_the_change_in_risk(trained, heart):
    model = trained.model
    for row in (0, 4, 100):
        c = contributions(model, heart.row(row))
        points = c.in_percentage_points()
        assert sum(points.values()) == pytest.approx((c.risk - c.reference_risk) * 100, abs=1e-9)
        # One common factor: signs and ratios stay those of the log-odds contributions.
        factor = c.points_per_log_odds
        assert factor > 0
        for name, value in c.by_feature.items():
            assert points[name] == pytest.approx(value * factor, abs=1e-12)
    same = contributions(model, model.training_defaults_)  # the reference itself: no change at all
    assert same.points_per_log_odds == pytest.approx(same.risk * (1 - same.risk) * 100)
    assert all(v == pytest.approx(0, abs=1e-9) for v in same.in_percentage_points().values())


def test_a_change_of_risk_that_rounds_to_nothing_has_no_sign(trained, heart):
    """A patient a hair below the reference read "… is −0.0 percentage points"."""
    model = trained.model
    same = contributions(model, model.training_defaults_)
    assert " is 0.0 percentage points" in points_words(same)
    # The same patient with one finding nudged down until the risk falls by less than 0.05 points.
    name = "thalach"  # a higher maximum heart rate lowers this network's risk
    for step in (0.01, -0.01):
        nudged = dict(model.training_defaults_)
        nudged[name] += step
        c = contributions(model, nudged)
        change = (c.risk - c.reference_risk) * 100
        if -0.05 < change < 0:
            break
    else:
        pytest.fail("no nudge lowered the risk by less than 0.05 points")
    assert " is 0.0 percentage points" in points_words(c)
    far = contributions(model, heart.row(4))
    expected = f"{(far.risk - far.reference_risk) * 100:+.1f}".replace("-", "−")
    assert f" is {expected} percentage points" in points_words(far)


def test_training_facts_count_the_training_patients(heart):
    from heartgui.core.explain import RARE_CODE_PATIENTS, TrainingFacts

    result = train(heart, RECOMMENDED)
    X, y = result.split.X_train, result.split.y_train
    facts = TrainingFacts.from_data(X, y)
    assert facts.n_patients == len(X) == result.model.n_train_rows_
    assert facts.prevalence == pytest.approx(int(np.sum(y == 1)) / len(y))
    assert facts.code_counts["restecg"][1] == int((X["restecg"] == 1).sum())
    assert sum(facts.code_counts["cp"].values()) == len(X)
    # heart.dat's rare ECG finding (ST-T wave abnormality): the premise of the flag.
    rare = int((X["restecg"] == 1).sum())
    assert rare < RARE_CODE_PATIENTS
    patient = dict(heart.row(0), restecg=1.0)
    flagged = facts.rare_codes(patient)
    assert [(r.feature, r.code, r.patients, r.of) for r in flagged if r.feature == "restecg"] == [
        ("restecg", 1, rare, len(X))
    ]
    common = dict(heart.row(0), restecg=0.0, thal=3.0, cp=4.0, slope=1.0, ca=0.0)
    assert facts.rare_codes(common) == []
    assert TrainingFacts.from_model(result.model).rare_codes(patient) == []  # a model file: unknown


def test_teaching_moments_only_for_a_clear_backwards_contribution(heart):
    """An older age that lowers the risk by whole percentage points is labelled; one that lowers it by a
    hair, or a direction clinicians expect, is not."""
    from heartgui.core.explain import TEACHING_MOMENT_POINTS, teaching_moments

    model = train(heart, RECOMMENDED).model
    reference = model.training_defaults_
    found = {"labelled": False, "small": False, "expected": False}
    for i in range(heart.n_rows):
        patient = heart.row(i)
        c = contributions(model, patient)
        points = c.in_percentage_points()["age"]
        older = patient["age"] > reference["age"]
        notes = [n for n in teaching_moments(c, patient, 216) if n.startswith("Teaching moment — Age")]
        if older and points <= -TEACHING_MOMENT_POINTS:
            assert len(notes) == 1 and " lowered the risk " in notes[0]
            found["labelled"] = True
        elif older and -TEACHING_MOMENT_POINTS < points < 0:
            assert notes == []
            found["small"] = True
        elif older and points > 0:
            assert notes == []
            found["expected"] = True
    assert all(found.values()), found  # heart.dat has all three kinds of patient


@pytest.mark.parametrize(
    "settings",
    [RECOMMENDED, RECOMMENDED.replace(preset="custom", validation_fraction=0.2, patience=20, epochs=200)],
    ids=["recommended", "validation-split"],
)
def test_ensemble_trained_stacked_equals_each_seed_trained_alone(heart, settings):
    """How sure's networks train as one stacked computation, with the preprocessing fitted once: each is
    bit for bit the model its seed gives alone (weights, curves, preprocessing, training facts)."""
    split = train(heart, RECOMMENDED).split
    steps = list(iter_ensemble(split.X_train, split.y_train, settings, n_models=4, base_seed=7))
    assert [s.seed for s in steps] == [7, 8, 9, 10] and [s.index for s in steps] == [1, 2, 3, 4]
    for step in steps:
        alone = settings.replace(seed=step.seed).model().fit(split.X_train, split.y_train)
        mine, theirs = step.model.network_, alone.network_
        assert mine.loss_curve_ == theirs.loss_curve_
        assert mine.validation_loss_curve_ == theirs.validation_loss_curve_
        assert (mine.n_epochs_, mine.best_epoch_) == (theirs.n_epochs_, theirs.best_epoch_)
        for a, b in zip(mine.coefs_ + mine.intercepts_, theirs.coefs_ + theirs.intercepts_):
            assert np.array_equal(a, b)
        for name, value in step.model.preprocessor_.state().items():
            assert np.array_equal(value, alone.preprocessor_.state()[name])
        assert step.model.training_defaults_ == alone.training_defaults_
        assert step.model.training_ranges_ == alone.training_ranges_
        assert step.model.n_train_rows_ == alone.n_train_rows_
        assert np.array_equal(step.model.novelty_reference_.precision, alone.novelty_reference_.precision)
        assert np.array_equal(step.model.predict_risk(heart.X), alone.predict_risk(heart.X))


def test_a_stop_request_ends_the_stacked_ensemble_within_a_group(heart):
    """25 networks train in groups of 10 (progress after each group); a stop request ends the training
    within one stacked epoch, after the finished group's models."""
    from heartgui.core.explain import ENSEMBLE_GROUP

    split = train(heart, RECOMMENDED).split
    asked = []

    def stop_in_the_second_group():
        asked.append(1)
        return len(asked) > RECOMMENDED.epochs + 5

    steps = list(
        iter_ensemble(
            split.X_train, split.y_train, RECOMMENDED, n_models=25, should_stop=stop_in_the_second_group
        )
    )
    assert ENSEMBLE_GROUP == 10 and [s.index for s in steps] == list(range(1, 11))
    assert len(asked) == RECOMMENDED.epochs + 6
