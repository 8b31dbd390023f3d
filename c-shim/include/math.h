/* Freestanding math.h: what wasm2c output names for float instructions. The core uses no floats and
 * the host is built with general registers only, so these are declared but nowhere implemented: a
 * module that did use them would fail to link, which is the intended signal. */
#ifndef WISP_MATH_H
#define WISP_MATH_H

#define NAN __builtin_nanf("")
#define INFINITY __builtin_inff()
#define isnan(x) __builtin_isnan(x)
#define signbit(x) __builtin_signbit(x)

double floor(double x);
float floorf(float x);
double ceil(double x);
float ceilf(float x);
double trunc(double x);
float truncf(float x);
double nearbyint(double x);
float nearbyintf(float x);
double fabs(double x);
float fabsf(float x);
double sqrt(double x);
float sqrtf(float x);

#endif /* WISP_MATH_H */
