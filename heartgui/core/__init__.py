"""The engine of heartgui: data, the from-scratch network, evaluation and model files.

Imports only the standard library, NumPy, pandas and scikit-learn — never Qt or matplotlib — so that it
can be used and tested without a window (``tests/core/test_core_imports.py`` proves it).
"""
