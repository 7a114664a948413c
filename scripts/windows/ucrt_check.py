"""Check the test-only ucrtbase shim (ucrt_complex.c) under Wine, before anything is built with it.

Run by wine_build.py with the Windows CPython and its numpy: numpy's complex functions call the C
runtime's (cexp, csin, cpow, ...), so their results, in double and single precision, are compared with
Python's own ``cmath``, which does not use the C runtime's complex functions. A wrong calling convention
in the shim gives garbage or a crash here, not a quietly wrong number in the app's build or smoke test.
Exit code 1 and the differences on stderr when any result is off.
"""

from __future__ import annotations

import cmath
import sys

import numpy as np

POINTS = [1 + 2j, -0.5 + 0.25j, 3 - 4j, -2 - 0.75j, 0.1 + 0j, 0 - 1.5j]
FUNCTIONS = [
    ("exp", np.exp, cmath.exp),
    ("sin", np.sin, cmath.sin),
    ("cos", np.cos, cmath.cos),
    ("tan", np.tan, cmath.tan),
    ("sinh", np.sinh, cmath.sinh),
    ("cosh", np.cosh, cmath.cosh),
    ("tanh", np.tanh, cmath.tanh),
    ("sqrt", np.sqrt, cmath.sqrt),
    ("log", np.log, cmath.log),
    ("arcsin", np.arcsin, cmath.asin),
    ("arccos", np.arccos, cmath.acos),
    ("arctan", np.arctan, cmath.atan),
    ("abs", np.abs, abs),
    ("angle", np.angle, cmath.phase),
    ("power", lambda z: z ** (0.5 + 1j), lambda z: z ** (0.5 + 1j)),
]
#: Relative error allowed: a few units in the last place of each precision.
TOLERANCE = {np.complex128: 1e-13, np.complex64: 1e-5}


def main() -> int:
    problems = []
    checks = 0
    for name, numpy_f, cmath_f in FUNCTIONS:
        for dtype, tolerance in TOLERANCE.items():
            z = np.array(POINTS, dtype=dtype)
            got = np.asarray(numpy_f(z))
            for value, result in zip(z, got):
                want = cmath_f(complex(value))
                error = abs(complex(result) - want) / max(abs(want), 1e-300)
                checks += 1
                if not error <= tolerance:
                    problems.append(f"{name}({complex(value)}) as {np.dtype(dtype)}: {result}, cmath {want}")
    if problems:
        print(
            "ucrtbase shim: numpy's complex functions disagree with cmath:",
            *problems,
            sep="\n",
            file=sys.stderr,
        )
        return 1
    print(f"ucrtbase shim: numpy {np.__version__}'s complex functions equal cmath's ({checks} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
