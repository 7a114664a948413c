"""The "Inside the network" page, kept importable from here (the window imports it from this module).

The page is the package :mod:`heartgui.gui.pages.inside`, one module per view.
"""

from heartgui.gui.pages.inside import NetworkPage

__all__ = ["NetworkPage"]
