"""The "Inside the network" page, one module per view.

* :mod:`.page` — :class:`NetworkPage`: the drawing, the walk-throughs and the decision surface together;
* :mod:`.learning` — the backward pass and the update walked through (batch or one patient);
* :mod:`.editing` — a hand on a weight: the edited copy of the network and the editor strip;
* :mod:`.surface` — the decision surface tab.
"""

from heartgui.gui.pages.inside.page import NetworkPage

__all__ = ["NetworkPage"]
