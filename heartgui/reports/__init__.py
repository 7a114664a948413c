"""PDF reports: a training run (in TRIPOD+AI's order) and one patient's prediction, for a student to keep
or hand in.

The one idea of this package: *turn core results into A4 pages of plain words and figures*. It uses
matplotlib's object API only (``Figure`` + ``PdfPages``; never pyplot, never the global rcParams) and no
Qt, so the window (from a worker thread) and the command line can both call it. The text is set in
matplotlib's DejaVu Sans, embedded in the PDF, so it can be searched and copied. Files are written to a
temporary file beside the target and renamed, so a failed write never leaves half a report.

:mod:`~heartgui.reports.layout`
    pages, the flowing :class:`~heartgui.reports.layout.Document`, words for numbers and settings;
:mod:`~heartgui.reports.training`
    :func:`training_report`, item by item of TRIPOD+AI: what the run knows filled in, the rest listed for
    the student to complete;
:mod:`~heartgui.reports.patient`
    :func:`patient_report` (2 pages): the risk, the flag at the threshold, the inputs, and why.
"""

from heartgui.reports.layout import CAVEAT, format_interval, format_percent, settings_in_words
from heartgui.reports.patient import PATIENT_REPORT_PAGES, patient_report
from heartgui.reports.training import TRIPOD_ITEMS, training_report

__all__ = [
    "CAVEAT",
    "PATIENT_REPORT_PAGES",
    "TRIPOD_ITEMS",
    "format_interval",
    "format_percent",
    "patient_report",
    "settings_in_words",
    "training_report",
]
