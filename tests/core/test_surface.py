"""The decision surface: the model's own risks on a grid, the patient on it, similar real patients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from heartgui.core.presets import RECOMMENDED
from heartgui.core.schema import FEATURE_NAMES
from heartgui.core.surface import MIN_SIMILAR, decision_surface
from heartgui.core.training import train


@pytest.fixture(scope="module")
def trained(heart):
    return train(heart, RECOMMENDED)


def test_every_cell_is_the_model_s_risk_for_that_patient(trained, heart):
    model, split = trained.model, trained.split
    patient = heart.row(3)
    surface = decision_surface(model, patient, "age", "thalach", steps=7)
    lo, hi = model.training_ranges_["age"]
    assert surface.x_values[0] == lo and surface.x_values[-1] == hi and len(surface.x_values) == 7
    assert surface.risk.shape == (7, 7)
    for i, j in [(0, 0), (3, 5), (6, 6)]:
        one = dict(patient, age=surface.x_values[j], thalach=surface.y_values[i])
        expected = model.predict_risk(pd.DataFrame([one]))[0]
        assert surface.risk[i, j] == pytest.approx(expected, abs=1e-15)
    assert surface.patient_risk == pytest.approx(model.predict_risk(pd.DataFrame([patient]))[0])
    assert len(split.X_train) > 0


def test_a_coded_feature_takes_its_codes(trained, heart):
    surface = decision_surface(trained.model, heart.row(0), "cp", "oldpeak", steps=5)
    np.testing.assert_array_equal(surface.x_values, [1, 2, 3, 4])
    assert surface.risk.shape == (5, 4)
    # The risk changes with chest pain type: the surface is not flat along the coded axis.
    assert np.ptp(surface.risk[2]) > 0.01


def test_similar_patients_are_the_closest_on_the_other_findings(trained, heart):
    split = trained.split
    patient = dict(zip(FEATURE_NAMES, split.X_train.iloc[10].to_numpy(dtype=float)))
    surface = decision_surface(
        trained.model, patient, "age", "chol", training=split.X_train, outcomes=split.y_train
    )
    similar = surface.similar
    assert len(similar) == max(MIN_SIMILAR, round(0.25 * len(split.X_train)))
    assert set(similar["outcome"]) <= {0, 1}
    # The patient itself is in the training data: it is the most similar one.
    first = similar.iloc[0]
    assert all(first[n] == patient[n] for n in FEATURE_NAMES)
    others = [n for n in FEATURE_NAMES if n not in ("age", "chol")]
    sd = split.X_train[others].std(ddof=0).replace(0, 1)
    dist = (((split.X_train[others] - pd.Series(patient)[others]) / sd) ** 2).sum(axis=1) ** 0.5
    cutoff = np.sort(dist.to_numpy())[len(similar) - 1]
    assert (dist <= cutoff + 1e-12).sum() >= len(similar)


def test_bad_choices_are_refused(trained, heart):
    with pytest.raises(ValueError, match="two different"):
        decision_surface(trained.model, heart.row(0), "age", "age")
    with pytest.raises(ValueError, match="unknown feature"):
        decision_surface(trained.model, heart.row(0), "age", "weight")
