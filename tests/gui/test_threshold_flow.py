"""The decision threshold across the window: cost-optimal by default, said where it comes from, kept."""

from __future__ import annotations

import pytest

from heartgui.core.evaluation import cost_optimal_threshold, evaluate
from heartgui.core.model_file import load_model
from heartgui.core.presets import TUTORIAL
from tests.gui.hosting import patch_save_dialog


def train(window, qtbot):
    with qtbot.waitSignal(window.training_finished, timeout=60_000) as blocker:
        window.start_training(TUTORIAL)
    return blocker.args[0]


def settle(window, qtbot, move) -> float:
    """Do ``move`` on the Results page and wait for the threshold it sends to the window."""
    with qtbot.waitSignal(window.results_page.threshold_changed, timeout=5_000) as blocker:
        move()
    return blocker.args[0]


@pytest.fixture
def trained(window, open_file, heart_dat, qtbot):
    open_file(window, heart_dat)
    return window, train(window, qtbot)


def test_the_default_threshold_is_the_cost_optimal_one_everywhere(trained, qtbot, monkeypatch, tmp_path):
    window, result = trained
    assert TUTORIAL.threshold == 0.5  # the preset's own value is not what the window uses
    assert window.threshold == 1 / 6 == cost_optimal_threshold(5, 1)
    assert result.model.threshold == result.settings.threshold == 1 / 6
    assert result.test_metrics == evaluate(result.split.y_test, result.test_risk, 1 / 6)
    assert window.results_page.threshold == window.predict_page.threshold == 1 / 6
    origin = window.results_page.threshold_panel.origin.text()
    assert origin.startswith(
        "16.7 % = 1/(1+5): the threshold at which a missed disease (cost 5) and a false alarm (cost 1) "
        "balance."
    )
    message = window.statusBar().currentMessage()
    assert (
        f"right {result.test_metrics.accuracy * 100:.0f} % of the time at the decision threshold of 16.7 %."
        in message
    )

    path = tmp_path / "default.heartmodel"
    patch_save_dialog(monkeypatch, path)
    window.save_model_action.trigger()
    saved = load_model(path)
    assert saved.model.threshold == saved.settings.threshold == saved.metrics["threshold"] == 1 / 6


def test_the_default_follows_the_costs_until_the_student_sets_a_threshold(trained, qtbot):
    window, _ = trained
    panel = window.results_page.threshold_panel
    assert settle(window, qtbot, lambda: panel.cost_missed.setValue(9.0)) == pytest.approx(0.1)
    assert window.predict_page.threshold == window.model.threshold == pytest.approx(0.1)
    assert panel.origin.text().startswith("10 % = 1/(1+9): the threshold at which a missed disease (cost 9)")
    assert settle(window, qtbot, lambda: panel.slider.setValue(300)) == 0.3
    panel.cost_missed.setValue(4.0)  # the student's threshold stays
    assert panel.threshold == 0.3 and not panel.follows_costs
    assert panel.origin.text() == (
        "30 %: the threshold you set. With these costs the cost-optimal threshold would be 20 % (1/(1+4)); "
        "“Use the cost-optimal threshold” goes back to it."
    )
    panel.use_optimal()
    assert panel.follows_costs and panel.threshold == 0.2


def test_retraining_keeps_the_threshold_the_student_chose(trained, qtbot):
    window, _ = trained
    settle(window, qtbot, lambda: window.results_page.set_threshold(0.3))
    second = train(window, qtbot)
    assert second.model.threshold == second.settings.threshold == 0.3
    assert second.test_metrics.threshold == 0.3
    assert window.threshold == window.results_page.threshold == window.predict_page.threshold == 0.3
    assert window.results_page.threshold_panel.origin.text().startswith("30 %: the threshold you set.")
    kept = "at the decision threshold of 30 % (the threshold you set), which a new training keeps."
    assert window.statusBar().currentMessage().endswith(f"{kept} See Results.")


def test_retraining_an_opened_model_keeps_its_saved_threshold_and_says_whose(
    trained, qtbot, monkeypatch, tmp_path
):
    window, _ = trained
    settle(window, qtbot, lambda: window.results_page.set_threshold(0.3))
    path = tmp_path / "thirty.heartmodel"
    patch_save_dialog(monkeypatch, path)
    window.save_model_action.trigger()
    window.results_page.set_threshold(0.7)  # not settled: the opened model replaces it at once
    assert window.open_model(path)  # its own data is loaded: Results come back at its threshold
    panel = window.results_page.threshold_panel
    assert window.threshold == panel.threshold == 0.3
    assert panel.origin.text().startswith("30 %: the threshold saved with the model.")
    second = train(window, qtbot)
    assert second.model.threshold == 0.3
    assert panel.origin.text().startswith("30 %: the threshold saved with the model.")
    assert (
        window.statusBar()
        .currentMessage()
        .endswith(
            "at the decision threshold of 30 % (the threshold saved with the model), which a new training "
            "keeps. See Results."
        )
    )


def test_a_new_threshold_replaces_the_training_message_in_the_status_bar(trained, qtbot):
    window, _ = trained
    assert "at the decision threshold of 16.7 %" in window.statusBar().currentMessage()
    settle(window, qtbot, lambda: window.results_page.set_threshold(0.4))
    # The training message's accuracy was at 16.7 %: it must not stay beside a threshold of 40 %.
    assert window.statusBar().currentMessage() == (
        "Decision threshold 40 %: Predict, saved models and reports now use it."
    )


def test_both_reports_decide_at_the_default_threshold(trained, qtbot, monkeypatch, tmp_path):
    import pypdf

    from heartgui.gui import report_actions

    window, _ = trained

    def report(action, path, what):
        patch_save_dialog(monkeypatch, path)
        action.trigger()
        qtbot.waitUntil(lambda: f"Saved the {what}" in window.statusBar().currentMessage(), timeout=60_000)
        qtbot.waitUntil(lambda: not report_actions._RUNNING, timeout=10_000)
        return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages)

    training = report(window.training_report_action, tmp_path / "training.pdf", "training report")
    assert "A patient is flagged for further testing when the risk is 16.7 % or more (" in training
    patient = report(window.patient_report_action, tmp_path / "patient.pdf", "patient report")
    assert "At the threshold of 16.7 %, this patient is" in patient
