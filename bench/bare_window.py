"""The reference for start-up: a bare PySide6 window, frozen the same way as heartgui.

Prints the wall-clock time of its first paint as JSON and quits (``bench/bench_startup.py`` builds and runs
it side by side with the heartgui binary).
"""

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Paint, QEvent.Type.Expose):
            print(json.dumps({"first_paint_unix": time.time()}), flush=True)
            QTimer.singleShot(0, QApplication.quit)
            watched.removeEventFilter(self)
        return False


app = QApplication(sys.argv)
label = QLabel("bare PySide6 window")
label.resize(400, 200)
probe = FirstPaint()
label.installEventFilter(probe)
label.show()
sys.exit(app.exec())
