"""The training job's progress batches: every epoch once, in order, and the weight snapshots each at the
end of a batch (so the window finds one at ``[-1]`` instead of scanning thousands of reports)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Slot

from heartgui.core.network import EpochReport
from heartgui.core.presets import RECOMMENDED
from heartgui.gui.workers import Job, WeightsSnapshot, Worker, training_job


class Collector(QObject):
    """Lives in the UI thread, so the worker's signals reach it queued, as they reach the window."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[tuple] = []
        self.result = None

    @Slot(int, object)
    def progressed(self, run_id: int, batch: tuple) -> None:
        self.batches.append(batch)

    @Slot(int, object)
    def finished(self, run_id: int, result: object) -> None:
        self.result = result


def test_a_training_job_sends_each_epoch_once_and_snapshots_last_in_their_batch(qtbot, heart):
    settings = RECOMMENDED.replace(epochs=3000)
    collector = Collector()
    job = Job(1, training_job(heart, settings))
    job.worker.progressed.connect(collector.progressed)
    job.worker.finished.connect(collector.finished)
    with qtbot.waitSignal(job.done, timeout=60_000):
        job.start()
    job.qthread.wait()
    assert collector.result is not None and len(collector.batches) > 1
    reports, snapshots = [], []
    for batch in collector.batches:
        assert batch
        *head, last = batch
        assert all(isinstance(item, EpochReport) for item in head)
        if isinstance(last, WeightsSnapshot):
            snapshots.append(last)
        else:
            head.append(last)
        reports += head
    assert [r.epoch for r in reports] == list(range(1, settings.epochs + 1))
    np.testing.assert_array_equal([r.train_loss for r in reports], collector.result.loss_curve)
    # The last batch ends with the weights the run finished with.
    assert snapshots and snapshots[-1].epoch == settings.epochs
    final = collector.result.model.network_
    for seen, kept in zip(snapshots[-1].weights, final.coefs_, strict=True):
        np.testing.assert_array_equal(seen, kept)
    assert [s.epoch for s in snapshots] == sorted({s.epoch for s in snapshots})


def test_only_the_newest_latest_item_is_sent_after_the_reports():
    worker = Worker(7, lambda worker: None)
    sent: list[tuple] = []
    worker.progressed.connect(lambda run_id, batch: sent.append(batch))
    worker._last_emit = float("inf")  # hold the batch until flush()
    worker.report("a")
    worker.report_latest("old picture")
    worker.report("b")
    worker.report_latest("new picture")
    worker.flush()
    worker.flush()  # nothing left: nothing sent
    assert sent == [("a", "b", "new picture")]
