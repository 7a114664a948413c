/*
 * Test-only: C99 complex functions for Wine's ucrtbase.dll, used by the Windows build under Wine and
 * NEVER shipped (scripts/windows/wine_build.py puts it in the Wine prefix's system32, which PyInstaller
 * does not bundle from, and checks that the built folder holds no ucrtbase.dll).
 *
 * Why: numpy >= 2.1 calls crealf, cimag, cexp, ... from the Universal C Runtime at import, and Debian 12's
 * Wine 8 leaves those 75 exports of its ucrtbase.dll as stubs that abort the process. Windows' own
 * ucrtbase implements them, so the app needs nothing of this on a classroom laptop.
 *
 * How: wine_build.py builds this file with mingw-w64 (Debian's gcc-mingw-w64-x86-64-win32) into a native
 * ucrtbase.dll whose .def file (generated from the export table of Wine's own ucrtbase.dll) forwards every
 * other export to a copy of Wine's ucrtbase.dll named ucrtwine.dll, and exports the functions below under
 * their Microsoft names. The prefix loads it with WINEDLLOVERRIDES=ucrtbase=n.
 *
 * ABI: Microsoft's <complex.h> types are structs, not C99 _Complex: _Dcomplex {double _Val[2]},
 * _Fcomplex {float _Val[2]} and _Lcomplex {long double _Val[2]}, where Microsoft's long double is a
 * 64-bit double. The x64 calling convention passes the 16-byte structs by reference and returns them
 * through a hidden pointer, and returns the 8-byte _Fcomplex in RAX: mingw-w64's GCC does the same for
 * the structs declared here, so these functions take and return exactly what numpy's compiled code
 * (built with MSVC) passes and expects. The arithmetic is mingw-w64's own C99 complex library.
 */
#include <complex.h>
#include <math.h>

typedef struct { double v[2]; } Dcomplex;
typedef struct { float v[2]; } Fcomplex;
typedef Dcomplex Lcomplex; /* Microsoft's long double is a double */

static double complex d_in(Dcomplex z) { return __builtin_complex(z.v[0], z.v[1]); }
static float complex f_in(Fcomplex z) { return __builtin_complex(z.v[0], z.v[1]); }
static Dcomplex d_out(double complex z) { Dcomplex r = {{creal(z), cimag(z)}}; return r; }
static Fcomplex f_out(float complex z) { Fcomplex r = {{crealf(z), cimagf(z)}}; return r; }

/* One complex -> complex function in its three precisions: shim_NAME, shim_NAMEf, shim_NAMEl. */
#define UNARY(name)                                                                              \
    Dcomplex shim_##name(Dcomplex z) { return d_out(name(d_in(z))); }                             \
    Fcomplex shim_##name##f(Fcomplex z) { return f_out(name##f(f_in(z))); }                       \
    Lcomplex shim_##name##l(Lcomplex z) { return d_out(name(d_in(z))); }

/* One complex -> real function in its three precisions. */
#define TO_REAL(name)                                                                            \
    double shim_##name(Dcomplex z) { return name(d_in(z)); }                                      \
    float shim_##name##f(Fcomplex z) { return name##f(f_in(z)); }                                 \
    double shim_##name##l(Lcomplex z) { return name(d_in(z)); }

UNARY(cacos) UNARY(cacosh) UNARY(casin) UNARY(casinh) UNARY(catan) UNARY(catanh)
UNARY(ccos) UNARY(ccosh) UNARY(cexp) UNARY(clog) UNARY(conj) UNARY(cproj)
UNARY(csin) UNARY(csinh) UNARY(csqrt) UNARY(ctan) UNARY(ctanh)
TO_REAL(cabs) TO_REAL(carg) TO_REAL(cimag) TO_REAL(creal)

Dcomplex shim_cpow(Dcomplex x, Dcomplex y) { return d_out(cpow(d_in(x), d_in(y))); }
Fcomplex shim_cpowf(Fcomplex x, Fcomplex y) { return f_out(cpowf(f_in(x), f_in(y))); }
Lcomplex shim_cpowl(Lcomplex x, Lcomplex y) { return d_out(cpow(d_in(x), d_in(y))); }

/* Microsoft's helpers for building and multiplying complex numbers without C99 arithmetic. */
Dcomplex shim__Cbuild(double re, double im) { Dcomplex r = {{re, im}}; return r; }
Fcomplex shim__FCbuild(float re, float im) { Fcomplex r = {{re, im}}; return r; }
Lcomplex shim__LCbuild(double re, double im) { Lcomplex r = {{re, im}}; return r; }
Dcomplex shim__Cmulcc(Dcomplex x, Dcomplex y) { return d_out(d_in(x) * d_in(y)); }
Fcomplex shim__FCmulcc(Fcomplex x, Fcomplex y) { return f_out(f_in(x) * f_in(y)); }
Lcomplex shim__LCmulcc(Lcomplex x, Lcomplex y) { return d_out(d_in(x) * d_in(y)); }
Dcomplex shim__Cmulcr(Dcomplex x, double y) { Dcomplex r = {{x.v[0] * y, x.v[1] * y}}; return r; }
Fcomplex shim__FCmulcr(Fcomplex x, float y) { Fcomplex r = {{x.v[0] * y, x.v[1] * y}}; return r; }
Lcomplex shim__LCmulcr(Lcomplex x, double y) { Lcomplex r = {{x.v[0] * y, x.v[1] * y}}; return r; }
