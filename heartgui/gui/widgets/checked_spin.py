"""A number field that never changes or drops what was typed without saying so.

A plain :class:`QDoubleSpinBox` silently refuses keystrokes: typing 400 in a 1–120 field leaves 40, a
letter vanishes, and a value below the minimum reverts to the previous one when the field loses focus.
:class:`CheckedSpinBox` lets every keystroke through and, when the text is not a value the field accepts,
says why in :attr:`CheckedSpinBox.message` (a label the owner puts under the field) and which value is
in use. The value itself only ever changes to an acceptable one, exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QSpinBox, QVBoxLayout, QWidget

__all__ = ["CheckedIntSpinBox", "CheckedSpinBox", "with_message"]


if TYPE_CHECKING:  # what the mixin is mixed into (a QSpinBox has the same methods, with int values)
    _SpinBox = QDoubleSpinBox
else:
    _SpinBox = object


class _Explained(_SpinBox):
    """What :class:`CheckedSpinBox` and :class:`CheckedIntSpinBox` share: refused input is explained in
    :attr:`message`.

    Parameters
    ----------
    what : the field's name in a sentence ("Age", "The cost of a missed disease").
    hint : optional ``hint(number) -> str`` adding a sentence for an out-of-range number (e.g. "did you
        mean mg/dl?"); an empty string adds nothing.
    """

    def __init__(
        self,
        what: str,
        parent: QWidget | None = None,
        *,
        hint: Callable[[float], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.what = what
        self._hint = hint
        # What the user typed last, while it is not acceptable; None when the field holds what was typed.
        self._refused: str | None = None
        self.message = QLabel()
        self.message.setObjectName("field_message")
        self.message.setWordWrap(True)
        # The palette's text colour (readable in light and dark themes), marked by the sign and bold.
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.message.hide()
        self.lineEdit().textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    # ----------------------------------------------------------------------------------------------
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Let every text through: what the field cannot take is explained, not swallowed."""
        state, text, pos = self._base_validate(text, pos)
        if state == QValidator.State.Invalid:
            state = QValidator.State.Intermediate
        return state, text, pos

    def stepBy(self, steps: int) -> None:
        # An arrow key or the wheel always lands on an acceptable value.
        super().stepBy(steps)
        self.clear_message()

    def clear_message(self) -> None:
        """Forget a refused entry (the field was set to a value by the program or by stepping)."""
        self._refused = None
        self.message.clear()
        self.message.hide()

    @property
    def refused_text(self) -> str | None:
        """The last text typed that the field did not take, or ``None``."""
        return self._refused

    # ----------------------------------------------------------------------------------------------
    def _base_validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state, text, pos = self._base.validate(self, text, pos)  # type: ignore[arg-type]
        return state, text, pos

    _base: type[QDoubleSpinBox] | type[QSpinBox]

    def _decimals(self) -> int:
        return int(self.decimals()) if hasattr(self, "decimals") else 0

    def _body(self, text: str) -> str:
        """``text`` without the prefix, suffix and surrounding spaces."""
        body = text
        for affix in (self.prefix(), self.prefix().strip()):
            if affix and body.startswith(affix):
                body = body[len(affix) :]
                break
        for affix in (self.suffix(), self.suffix().strip()):
            if affix and body.endswith(affix):
                body = body[: -len(affix)]
                break
        return body.strip()

    def _unit(self) -> str:
        unit = self.suffix().strip()
        return f" {unit}" if unit else ""

    def problem(self, text: str) -> str | None:
        """Why ``text`` is not a value this field takes, in plain words; ``None`` if it is (or if empty)."""
        body = self._body(text)
        if not body:
            return None
        number, ok = self.locale().toDouble(body)
        unit = self._unit()
        low, high = self.textFromValue(self.minimum()), self.textFromValue(self.maximum())
        if not ok:
            return f"“{body}” is not a number; type digits only."
        if number < self.minimum() or number > self.maximum():
            sentence = f"{body} is outside {low}–{high}{unit}; enter a value in that range."
            extra = self._hint(number) if self._hint is not None else ""
            return f"{sentence} {extra}" if extra else sentence
        decimals = body.split(self.locale().decimalPoint())[1] if self.locale().decimalPoint() in body else ""
        if len(decimals) > self._decimals():
            if self._decimals() == 0:
                return f"{body} has decimals; {self.what} takes whole numbers only."
            return f"{body} has more than {self._decimals()} decimals; round it to {self._decimals()}."
        return None

    def _say(self, problem: str) -> None:
        current = f"{self.textFromValue(self.value())}{self._unit()}"
        # The value in use, not "still": keyboard tracking took the acceptable prefix ("40" of "400").
        self.message.setText(f"⚠ {problem} {self.what} in use: {current}.")
        self.message.setAccessibleName(self.message.text())
        self.message.show()

    @Slot(str)
    def _on_text_edited(self, text: str) -> None:
        state, _, _ = self._base_validate(text, len(text))
        if state == QValidator.State.Acceptable:
            self.clear_message()
            return
        self._refused = text
        problem = self.problem(text)
        if state == QValidator.State.Invalid and problem:
            self._say(problem)
        else:
            # Could still become a value (the "2" of "245" in a 50–1000 field): judged when editing ends.
            self.message.clear()
            self.message.hide()

    @Slot()
    def _on_editing_finished(self) -> None:
        # Qt has by now put the previous value back into the field; say so, with the reason.
        if self._refused is None:
            return
        problem = self.problem(self._refused)
        if problem is None:
            problem = f"“{self._body(self._refused) or 'An empty field'}” is not a value this field takes."
            if not self._body(self._refused):
                problem = "The field was left empty."
        self._say(problem)


class CheckedSpinBox(_Explained, QDoubleSpinBox):
    """A :class:`QDoubleSpinBox` whose refused input is explained in :attr:`message` (see the module)."""

    _base = QDoubleSpinBox


class CheckedIntSpinBox(_Explained, QSpinBox):  # type: ignore[misc]
    """A :class:`QSpinBox` whose refused input is explained in :attr:`message` (see the module)."""

    _base = QSpinBox

    if TYPE_CHECKING:  # (the mixin is typed as a QDoubleSpinBox)

        def value(self) -> int: ...


def with_message(spin: CheckedSpinBox | CheckedIntSpinBox, parent: QWidget | None = None) -> QWidget:
    """``spin`` with its message under it, in one widget for a form row."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(spin)
    layout.addWidget(spin.message)
    return box
