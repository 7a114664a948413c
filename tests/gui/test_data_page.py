"""The window's shell and the Data page, on the real heart.dat."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from heartgui.core import schema
from heartgui.gui import main_window as main_window_module
from heartgui.gui.main_window import DATA_FILTER, PAGE_DATA, PAGE_PREDICT, PAGE_RESULTS, PAGE_TRAIN


def test_open_heart_dat_through_the_file_dialog(window, qtbot, heart_dat, monkeypatch):
    calls = []

    def fake_dialog(parent, caption, folder, filters):
        calls.append(filters)
        return str(heart_dat), "Heart data"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    assert not window.page_enabled(PAGE_TRAIN)
    with qtbot.waitSignal(window.dataset_loaded, timeout=30_000):
        window.open_data_action.trigger()
    assert calls == [DATA_FILTER]

    page = window.data_page
    model = page.preview.model()
    assert model.rowCount() == 270
    assert model.columnCount() == 14
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(14)]
    assert headers[0] == "Age (years)"
    assert headers[2] == "Chest pain type"
    assert headers[3] == "Resting blood pressure (mm Hg)"
    assert headers[-1] == "Heart disease"
    # Line 1 of heart.dat: 70 1 4 130 322 0 2 109 0 2.4 2 3 3 2
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.data(model.index(0, 0)) == "70"
    assert model.data(model.index(0, 2)) == "asymptomatic"
    assert "4" in model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, 9)) == "2.4"
    assert model.data(model.index(0, 13)) == "present"
    assert "270 patients" in page.rows_label.text()
    assert "120" in page.balance_label.text() and "150" in page.balance_label.text()
    # Percentages spaced as everywhere else in the app ("16.7 %"), not "44%".
    assert f"in 120 ({120 / 270 * 100:.0f} %)" in page.balance_label.text()
    assert window.dataset.provenance.sha256 in page.sha_label.text()
    assert page.summary.model().rowCount() == 13
    assert page.summary.model().data(page.summary.model().index(0, 0)) == "29 years"
    assert window.page_enabled(PAGE_TRAIN)
    assert not window.page_enabled(PAGE_RESULTS) and not window.page_enabled(PAGE_PREDICT)
    assert "270 patients" in window.statusBar().currentMessage()
    assert window.recent_files() == [str(heart_dat.resolve())]
    assert window.last_folder() == str(heart_dat.parent)


def test_cleveland_file_lists_the_rows_lacking_a_finding(window, open_file, shared_data):
    dataset = open_file(window, shared_data / "processed.cleveland.data")
    assert dataset.n_rows == 303  # kept: each is left out only of a model that uses what it lacks
    page = window.data_page
    lacking = dataset.provenance.incomplete
    assert len(lacking) == 303 - dataset.n_complete() == 6
    assert page.dropped.count() == 1 + len(lacking)  # the line saying what they mean, then one each
    assert "left out only of a model that uses a finding it lacks" in page.dropped.item(0).text()
    assert page.dropped.item(1).text() == f"Line {lacking[0].line}: {lacking[0].reason}"
    assert f"({len(lacking)})" in page.tabs.tabText(2)
    assert f"{dataset.n_complete()} have all 13 findings" in page.rows_label.text()
    # the preview says "not recorded" where the file has '?'
    model = page.preview.model()
    row = dataset.lines.tolist().index(lacking[0].line)
    column = schema.FEATURE_NAMES.index(lacking[0].reason.split()[0])
    assert model.data(model.index(row, column)) == "not recorded"


def test_bad_file_shows_a_message_and_keeps_the_old_dataset(
    window, open_file, qtbot, heart_dat, tmp_path, monkeypatch
):
    old = open_file(window, heart_dat)
    broken = tmp_path / "broken.dat"
    lines = heart_dat.read_text().splitlines()[:40]  # only reads; nothing copied into the repository
    lines[4] = "70 1 banana 130 322 0 2 109 0 2.4 2 3 3 2"
    broken.write_text("\n".join(lines) + "\n")
    shown = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text))
    )
    with qtbot.waitSignal(window.dataset_failed, timeout=30_000):
        window.open_data(broken)
    assert len(shown) == 1
    # One plain line first, then the details (file, line, field).
    first, _, details = shown[0].partition("\n\n")
    assert first == "This file could not be read as heart data."
    assert "broken.dat" in details and "line 5" in details
    assert "heart.dat is still open" in shown[0]
    assert window.dataset is old
    assert window.data_page.preview.model().rowCount() == 270
    assert window.recent_files() == [str(heart_dat.resolve())]


def test_recent_files_menu_drops_missing_files(window, open_file, heart_dat, tmp_path):
    gone = tmp_path / "gone.dat"
    gone.write_text(heart_dat.read_text())
    open_file(window, gone)
    open_file(window, heart_dat)
    assert window.recent_files() == [str(heart_dat.resolve()), str(gone.resolve())]
    gone.unlink()
    window.recent_menu.aboutToShow.emit()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts == ["&1  heart.dat"]
    assert window.recent_files() == [str(heart_dat.resolve())]


def test_recent_files_keep_at_most_eight(window, open_file, heart_dat, tmp_path):
    for i in range(10):
        copy = tmp_path / f"copy{i}.dat"
        copy.write_text(heart_dat.read_text())
        window._add_recent(str(copy))
    assert len(window.recent_files()) == 8
    assert Path(window.recent_files()[0]).name == "copy9.dat"


def test_drop_a_file_onto_the_window(window, qtbot, heart_dat):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(heart_dat))])
    enter = QDragEnterEvent(
        QPoint(50, 50),  # QDragEnterEvent takes a QPoint in PySide6 ≤ 6.11, QDropEvent a QPointF
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.dataset_loaded, timeout=30_000):
        QApplication.sendEvent(window, drop)
    assert window.dataset.n_rows == 270


def test_stale_load_is_ignored(window, open_file, heart_dat, shared_data):
    open_file(window, heart_dat)
    current = window.dataset
    from heartgui.core.dataset import load_dataset

    other = load_dataset(shared_data / "processed.cleveland.data")
    window._on_load_finished(-1, other)  # a run the window no longer waits for
    assert window.dataset is current
    assert window.data_page.preview.model().rowCount() == 270


def test_sample_offered_only_when_present(window, qtbot, heart_dat, monkeypatch):
    assert window.data_page.sample_button.isHidden() == (main_window_module.paths.sample_data() is None)
    monkeypatch.setattr(main_window_module.paths, "sample_data", lambda: heart_dat)
    window._update_enabled()
    assert window.open_sample_action.isEnabled()
    with qtbot.waitSignal(window.dataset_loaded, timeout=30_000):
        window.open_sample_action.trigger()
    assert window.dataset.provenance.file_name == "heart.dat"


def test_every_control_has_a_name_and_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    controls = [
        w
        for page in (window.data_page, window.train_page)
        for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
        for w in page.findChildren(kind)
        if not w.objectName().startswith("qt_") and not w.inherits("QToolButton")  # matplotlib's toolbar
    ]
    assert len(controls) >= 15
    missing = [w for w in controls if not (w.accessibleName() and w.toolTip())]
    assert not [(type(w).__name__, w.text() if hasattr(w, "text") else "") for w in missing]


def test_about_names_the_donors_and_the_warning(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda parent, title, text: shown.append(text)))
    window.about_action.trigger()
    assert "Janosi" in shown[0] and "not for clinical decisions" in shown[0]
    assert schema.DATA_CITATION[:40] in shown[0]


def test_window_geometry_is_restored(qtbot, isolated_settings):
    from heartgui.gui.main_window import MainWindow

    first = MainWindow()
    qtbot.addWidget(first)
    first.resize(770, 640)  # fits the offscreen 800 × 800 screen: a larger one would be fitted to it
    first.show()
    size = first.size()
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert second.size() == size
    assert QSettings().contains("window/geometry")


@pytest.mark.parametrize("index", [PAGE_DATA])
def test_keyboard_switches_steps(window, index):
    window.page_actions[index].trigger()
    assert window.stack.currentIndex() == index


# --- the Features tab: counts for coded findings, rare categories flagged ------------------------------
def _data_page(qtbot, dataset):
    from heartgui.gui.pages.data_page import DataPage
    from tests.gui.hosting import shown

    page = DataPage()
    page.host = shown(qtbot, page, (1280, 720))
    page.show_dataset(dataset)
    return page


def test_coded_features_show_patients_per_category_not_a_median(qtbot, heart):
    from heartgui.gui.widgets.dataset_table import SummaryTableModel

    page = _data_page(qtbot, heart)
    model = page.summary.model()
    assert model.columnCount() == 4
    n = heart.n_rows
    for row, feature in enumerate(schema.FEATURES):
        cells = [model.data(model.index(row, c)) for c in range(3)]
        counts = model.data(model.index(row, SummaryTableModel.COUNTS))
        if not feature.is_coded:
            assert cells[1] != "—" and "measurement" in counts
            continue
        # No minimum, median or maximum of codes ("median sex: male" would be a wrong lesson) ...
        assert cells == ["—", "—", "—"], feature.name
        assert not any(word in cell for word in feature.codes.values() for cell in cells)
        # ... but every documented category with its patients and share, from the data itself.
        for code, word in feature.codes.items():
            k = int((heart.X[feature.name] == code).sum())
            assert f"{word} {k} ({k / n * 100:.1f} %)" in counts, (feature.name, word)
    assert page.tabs.tabText(1) == "Features"


def test_a_category_seen_in_few_patients_is_flagged(qtbot, heart, shared_data):
    from heartgui.core.dataset import load_dataset
    from heartgui.gui.widgets.dataset_table import RARE_CATEGORY_PATIENTS, SummaryTableModel

    restecg = schema.FEATURE_NAMES.index("restecg")
    thal = schema.FEATURE_NAMES.index("thal")
    for dataset in (heart, load_dataset(shared_data / "processed.cleveland.data")):
        page = _data_page(qtbot, dataset)
        model = page.summary.model()
        st_t = int((dataset.X["restecg"] == 1).sum())
        assert 0 < st_t < RARE_CATEGORY_PATIENTS  # 2 of 270 in heart.dat, 4 of 297 in Cleveland
        cell = model.index(restecg, SummaryTableModel.COUNTS)
        assert f"ST-T wave abnormality {st_t} (" in model.data(cell)
        assert f"only {st_t}, too few to learn from" in model.data(cell)
        assert f"Only {st_t} of {dataset.n_rows} patients had “ST-T wave abnormality”" in model.data(
            cell, Qt.ItemDataRole.ToolTipRole
        )
        assert model.data(cell, Qt.ItemDataRole.BackgroundRole) is not None
        # The summary above the tabs says so too, without opening the tab.
        assert page.rare_label.isVisible()
        assert f"only {st_t} of {dataset.n_rows} patients" in page.rare_label.text()
        # A category with enough patients (a fixed thallium defect: 14 in heart.dat) is not flagged.
        thal_cell = model.index(thal, SummaryTableModel.COUNTS)
        assert "too few" not in model.data(thal_cell)
        assert model.data(thal_cell, Qt.ItemDataRole.BackgroundRole) is None


def test_the_rare_categories_line_shows_signs_as_signs(qtbot, shared_data):
    """Switzerland's rare 'yes (> 120 mg/dl)' read '&gt; 120' on the page: the line escaped HTML into a
    label that showed it as plain text."""
    from heartgui.core.dataset import load_dataset

    page = _data_page(qtbot, load_dataset(shared_data / "processed.switzerland.data"))
    label = page.rare_label
    assert "yes (> 120 mg/dl) (fasting blood sugar > 120 mg/dl)" in label.text().lower()
    assert "&gt;" not in label.text() and label.textFormat() == Qt.TextFormat.PlainText


def test_a_finding_the_site_hardly_recorded_is_named_once_not_as_rare_categories(qtbot, shared_data):
    """Hungary recorded the fluoroscopy vessels for 3 of 294 patients: the page said "1 vessel: no
    patient, too few", as if none had one vessel; it says the finding was hardly recorded, and counts a
    partly recorded finding's categories among the patients who have it."""
    from heartgui.core.dataset import load_dataset

    dataset = load_dataset(shared_data / "processed.hungarian.data")
    page = _data_page(qtbot, dataset)
    text = page.rare_label.text()
    ca = schema.BY_NAME["ca"]
    recorded = int(dataset.X["ca"].notna().sum())
    assert 0 < recorded < 10
    assert f"{ca.label}: recorded for only {recorded} of {dataset.n_rows} patients" in text
    assert "vessel (" not in text and "vessels (" not in text
    thal = dataset.X["thal"]
    normal = int((thal == 3).sum())
    assert (
        f"normal (Thallium stress test): only {normal} of the {int(thal.notna().sum())} patients with it "
        in text
    )


def test_a_category_missing_from_the_file_is_flagged(qtbot, heart_dat, tmp_path):
    from heartgui.core.dataset import load_dataset

    lines = [line for line in heart_dat.read_text().splitlines() if float(line.split()[6]) != 1]
    subset = tmp_path / "no-st-t.dat"  # heart.dat without its two ST-T patients (a temporary file)
    subset.write_text("\n".join(lines) + "\n")
    page = _data_page(qtbot, load_dataset(subset))
    restecg = schema.FEATURE_NAMES.index("restecg")
    model = page.summary.model()
    assert "ST-T wave abnormality 0 (0.0 %) — none in this file" in model.data(model.index(restecg, 3))
    assert "no patient, too few" in page.rare_label.text()


def test_feature_texts_a_clinician_can_sign(qtbot, heart):
    """FBS names today's diabetes threshold; thallium scan and fluoroscopy are not screening tests."""
    page = _data_page(qtbot, heart)
    model = page.preview.model()

    def tip(name):
        return model.headerData(
            schema.FEATURE_NAMES.index(name), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
        )

    assert "126 mg/dl" in tip("fbs") and "120 mg/dl" in tip("fbs")
    for name in ("thal", "ca"):
        assert "diagnostic test done after referral, not a screening test" in tip(name)
    for feature in schema.FEATURES:
        assert "screening test" not in feature.help.replace("not a screening test", "")
