"""The NumPy preprocessing gives the numbers scikit-learn's StandardScaler and OneHotEncoder give, to the
last bit, on every cross-validation fold of heart.dat (scikit-learn is the reference here, not replaced)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from heartgui.core.preprocessing import Preprocessor, standard_scaling
from heartgui.core.schema import BY_NAME, FEATURE_NAMES, NOMINAL_NAMES


def _folds(heart, repeats=3):
    for seed in range(repeats):
        splitter = StratifiedKFold(9, shuffle=True, random_state=seed)
        for train, test in splitter.split(heart.X, heart.y):
            yield heart.X.iloc[train].reset_index(drop=True), heart.X.iloc[test].reset_index(drop=True)


def _sklearn_inputs(X_train, X_test, one_hot):
    """What Preprocessor made when it called scikit-learn: StandardScaler, then OneHotEncoder."""
    scaled = [n for n in FEATURE_NAMES if not (one_hot and n in NOMINAL_NAMES)]
    scaler = StandardScaler().fit(X_train[scaled].to_numpy(dtype=float))
    parts = [scaler.transform(X_test[scaled].to_numpy(dtype=float))]
    if one_hot:
        categories = [np.array(sorted(BY_NAME[n].codes or {}), dtype=float) for n in NOMINAL_NAMES]
        encoder = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
        encoder.fit(np.array([[c[0] for c in categories]]))
        parts.append(encoder.transform(X_test[list(NOMINAL_NAMES)].to_numpy(dtype=float)))
    return scaler, np.hstack(parts)


@pytest.mark.parametrize("one_hot", [False, True], ids=["scaled", "one-hot"])
def test_preprocessing_equals_scikit_learn_on_every_fold(heart, one_hot):
    for X_train, X_test in _folds(heart):
        pre = Preprocessor(one_hot=one_hot).fit(X_train)
        scaler, expected = _sklearn_inputs(X_train, X_test, one_hot)
        assert np.array_equal(pre.mean_, scaler.mean_)
        assert np.array_equal(pre.var_, scaler.var_)
        assert np.array_equal(pre.scale_, scaler.scale_)
        assert np.array_equal(pre.transform(X_test), expected)


def test_constant_and_unknown_values_as_scikit_learn_treats_them(heart):
    """A column with one value gets scale 1 (StandardScaler's rule), a code outside the schema all zeros."""
    X = heart.X.iloc[:40].reset_index(drop=True).copy()
    X["age"] = 54.0  # constant
    X["chol"] = 230.0 + np.arange(40) * 1e-13  # constant up to rounding noise
    X.loc[0, "thal"] = 5.0  # not a documented thallium code
    pre = Preprocessor(one_hot=True).fit(X)
    scaler, expected = _sklearn_inputs(X, X, one_hot=True)
    assert np.array_equal(pre.scale_, scaler.scale_)
    assert pre.scale_[list(pre.scaled_names).index("age")] == 1.0
    assert np.array_equal(pre.transform(X), expected)
    thal = [i for i, n in enumerate(pre.feature_names_out_) if n.startswith("thal=")]
    assert not pre.transform(X)[0, thal].any()


def test_standard_scaling_of_random_columns_equals_standard_scaler():
    rng = np.random.default_rng(3)
    for rows in (1, 2, 7, 240, 5000):
        X = rng.normal(100.0, 30.0, size=(rows, 5)) * rng.uniform(0.001, 1000.0, size=5)
        mean, var, scale = standard_scaling(X)
        scaler = StandardScaler().fit(X)
        assert np.array_equal(mean, scaler.mean_) and np.array_equal(var, scaler.var_)
        assert np.array_equal(scale, scaler.scale_)


def test_one_patient_as_a_mapping_array_or_frame(heart):
    pre = Preprocessor(one_hot=True).fit(heart.X)
    patient = {n: float(heart.X.iloc[7][n]) for n in FEATURE_NAMES}
    from_frame = pre.transform(heart.X.iloc[[7]])
    assert np.array_equal(pre.transform(patient), from_frame)
    assert np.array_equal(pre.transform(heart.X.to_numpy(dtype=float)[7]), from_frame)
    # Columns in another order are read by name.
    assert np.array_equal(pre.transform(heart.X.iloc[[7], ::-1]), from_frame)


def test_missing_training_values_are_refused(heart):
    X = heart.X.iloc[:20].copy()
    X.loc[X.index[3], "chol"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        Preprocessor().fit(X)


def test_one_patients_risk_equals_the_scikit_learn_path(heart):
    """The Predict page's path (one patient as a mapping, NumPy only) gives the risk that the old path
    (DataFrame, StandardScaler, OneHotEncoder) gives, for every patient of heart.dat."""
    from heartgui.core.presets import RECOMMENDED, TUTORIAL
    from heartgui.core.training import train

    for settings in (RECOMMENDED, TUTORIAL):
        result = train(heart, settings)
        model, split = result.model, result.split
        _, expected_inputs = _sklearn_inputs(split.X_train, heart.X, settings.one_hot)
        expected = model.network_.predict_proba(expected_inputs)
        for i in range(heart.n_rows):
            patient = {n: float(heart.X.iloc[i][n]) for n in FEATURE_NAMES}
            assert np.allclose(model.predict_proba(patient), expected[i], rtol=0.0, atol=1e-12)


def test_training_facts_equal_the_pandas_ones(heart):
    """The typical patient (median / most common code) and the ranges a model keeps, computed in NumPy,
    are what pandas' median, mode and min/max give."""
    from heartgui.core.presets import RECOMMENDED
    from heartgui.core.schema import FEATURES

    for X_train, _ in _folds(heart, repeats=1):
        model = RECOMMENDED.model()
        model.prepare(X_train, np.asarray(heart.y)[: len(X_train)])
        for feature in FEATURES:
            column = X_train[feature.name]
            typical = column.mode().iloc[0] if feature.is_coded else column.median()
            assert model.training_defaults_[feature.name] == float(typical)
            assert model.training_ranges_[feature.name] == (float(column.min()), float(column.max()))
