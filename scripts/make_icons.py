"""Render resources/icons/heartgui.svg to the PNG sizes, the Windows .ico and the macOS .icns.

Run after editing the SVG: ``python scripts/make_icons.py``. The outputs are committed, so a build
needs neither this script nor Qt's SVG module at build time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # matplotlib's dependency; only this script uses it
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise OSError(f"could not write {out}")


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage/QPainter need a GUI application
    svg = ICONS / "heartgui.svg"
    for size in SIZES:
        render(svg, size, ICONS / f"heartgui-{size}.png")
    big = Image.open(ICONS / "heartgui-256.png")
    big.save(ICONS / "heartgui.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    Image.open(ICONS / "heartgui-512.png").save(ICONS / "heartgui.icns")
    print(f"wrote {len(SIZES)} PNGs, heartgui.ico and heartgui.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
