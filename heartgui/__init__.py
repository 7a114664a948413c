"""heartgui — a teaching tool: a from-scratch neural network that predicts heart-disease risk.

This module holds the version only and imports nothing heavy, so that the window can appear before
NumPy, pandas, scikit-learn and matplotlib are loaded.
"""

__version__ = "0.1.0"
