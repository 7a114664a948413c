"""What the window remembers between sessions (QSettings), read so that a bad value can never stop it.

A settings file may hold anything: a value from another version, a hand edit, a half-written file. Every
value is checked for its type and range when it is read; a value that fails falls back to its default, and
:func:`training_settings` says so, so the window can tell the student. :func:`reset` empties the store
(the window's *Reset settings* action and ``heartgui --reset-settings``).

Only PySide6 and the standard library are imported at module level (the window imports this before its
first paint); the core's presets are imported when the training settings are read.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

if TYPE_CHECKING:
    from heartgui.core.presets import TrainingSettings

__all__ = [
    "KEY_GEOMETRY",
    "KEY_LAST_FOLDER",
    "KEY_RECENT",
    "KEY_SPLITTER",
    "KEY_TRAINING",
    "RANGES",
    "byte_array",
    "folder",
    "reset",
    "string_list",
    "training_settings",
]

KEY_GEOMETRY = "window/geometry"
KEY_SPLITTER = "window/splitter"
KEY_LAST_FOLDER = "files/last_folder"
KEY_RECENT = "files/recent"
KEY_TRAINING = "training/settings"

#: Allowed range of each numeric training setting: the Train page's fields (a test checks they agree).
RANGES: dict[str, tuple[float, float]] = {
    "learning_rate": (1e-5, 10.0),
    "epochs": (1, 100_000),
    "seed": (0, 2_147_483_647),
    "test_size": (0.1, 0.5),
    "validation_fraction": (0.0, 0.4),
    "l2": (0.0, 1.0),
    "patience": (1, 100_000),  # or None: never stop early
    "split_seed": (0, 2**32 - 1),  # what scikit-learn's random_state accepts
    "threshold": (0.0, 1.0),
}
_INTEGERS = {"epochs", "seed", "patience", "split_seed"}
_CHOICES = {
    "preset": ("tutorial", "recommended", "custom"),
    "init": ("normal", "he"),
    "gradient": ("sum", "mean"),
}
#: The Train page's hidden-layers field: 1 to 5 layers of 1 to 9999 neurons.
_MAX_LAYERS, _MAX_LAYER_SIZE = 5, 9999


def _number_in_range(name: str, value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if name in _INTEGERS and not isinstance(value, int):
        return False
    low, high = RANGES[name]
    return math.isfinite(value) and low <= value <= high


def _valid_field(name: str, value: object) -> bool:
    if name in _CHOICES:
        return value in _CHOICES[name]
    if name == "one_hot":
        return isinstance(value, bool)
    if name == "patience" and value is None:
        return True
    if name == "features":  # None = all 13; else distinct schema names (stored as a JSON list)
        from heartgui.core.schema import check_features

        if value is None:
            return True
        if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
            return False
        try:
            return list(check_features(value)) == value
        except ValueError:
            return False
    if name == "hidden_layers":
        return (
            isinstance(value, list)
            and 1 <= len(value) <= _MAX_LAYERS
            and all(
                isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= _MAX_LAYER_SIZE for n in value
            )
        )
    return name in RANGES and _number_in_range(name, value)


def training_settings(settings: QSettings) -> tuple[TrainingSettings, bool]:
    """The stored training settings, or the recommended preset; and whether a stored value was bad.

    Every field must have its type and lie in the Train page's range; one bad field discards the whole
    record (a half-kept record would mix two sessions). Settings named after a preset but with other
    values are shown as custom, not as that preset.
    """
    from heartgui.core.presets import PRESETS, RECOMMENDED, TrainingSettings

    stored = settings.value(KEY_TRAINING, "")
    if stored in ("", None):
        return RECOMMENDED, False
    try:
        values = json.loads(str(stored))
    except ValueError:
        return RECOMMENDED, True
    known = set(RECOMMENDED.as_dict())
    if (
        not isinstance(values, dict)
        or not set(values) <= known
        or not all(_valid_field(name, value) for name, value in values.items())
    ):
        return RECOMMENDED, True
    values["hidden_layers"] = tuple(values.get("hidden_layers", RECOMMENDED.hidden_layers))
    if values.get("features") is not None:
        values["features"] = tuple(values["features"])
    try:
        result = TrainingSettings(**values)
    except (TypeError, ValueError):
        return RECOMMENDED, True
    preset = PRESETS.get(result.preset)
    if preset is not None and result.replace(preset=preset.preset, threshold=preset.threshold) != preset:
        result = result.replace(preset="custom")
    return result, False


def byte_array(settings: QSettings, key: str) -> QByteArray | None:
    """A stored ``QByteArray`` (a window geometry, a splitter state), or None if it is missing or not one."""
    value = settings.value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    return None


def string_list(settings: QSettings, key: str) -> list[str]:
    """A stored list of non-empty strings (one string is a list of one); anything else is an empty list."""
    value = settings.value(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [item for item in value if isinstance(item, str) and item]


def folder(settings: QSettings, key: str, default: str) -> str:
    """A stored folder that still exists, else ``default``."""
    value = settings.value(key, default)
    if isinstance(value, str) and value:
        try:
            if Path(value).is_dir():
                return value
        except (OSError, ValueError):  # a name the file system cannot even look up
            pass
    return default


def reset(settings: QSettings) -> str:
    """Forget everything heartgui remembered; returns the settings file's name (to tell the user)."""
    settings.clear()
    settings.sync()
    return settings.fileName()
