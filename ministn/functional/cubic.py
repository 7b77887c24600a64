"""The cubic convolution kernel of bicubic sampling, and its derivative (docs §15.1).

Keys' cubic convolution kernel with A = -0.75 (PyTorch's value, as in OpenCV):

    k(s) = ((A + 2)|s| - (A + 3)) |s|^2 + 1              for |s| <= 1     (convolution1)
    k(s) = ((A |s| - 5A) |s| + 8A) |s| - 4A              for 1 < |s| < 2  (convolution2)
    k(s) = 0                                             for |s| >= 2

A sample at pixel coordinate x = x0 + t (x0 = floor(x), 0 <= t < 1) reads the four pixels
x0 - 1, x0, x0 + 1, x0 + 2, at distances 1 + t, t, 1 - t, 2 - t, with weights

    w = (k(1 + t), k(t), k(1 - t), k(2 - t))            (they sum to 1)

and their derivatives with respect to x (= d/dt), with k1' (s) = 3(A + 2)s^2 - 2(A + 3)s and
k2'(s) = 3A s^2 - 10A s + 8A:

    dw/dx = (k2'(1 + t), k1'(t), -k1'(1 - t), -k2'(2 - t))

Their second derivatives, for second-order gradients (grid_sample_backward.py), with
k1''(s) = 6(A + 2)s - 2(A + 3) and k2''(s) = 6A s - 10A (the sign flips of dw/dx cancel):

    d2w/dx2 = (k2''(1 + t), k1''(t), k1''(1 - t), k2''(2 - t))

The weights are evaluated in the order of PyTorch's ``get_cubic_upsample_coefficients``
(ATen's UpSample.h), so that the two agree to the last bits.
"""
A = -0.75


def convolution1(s):
    """k(s) for 0 <= s <= 1."""
    return ((A + 2) * s - (A + 3)) * s * s + 1


def convolution2(s):
    """k(s) for 1 <= s <= 2."""
    return ((A * s - 5 * A) * s + 8 * A) * s - 4 * A


def convolution1_slope(s):
    """k'(s) for 0 <= s <= 1."""
    return (3 * (A + 2) * s - 2 * (A + 3)) * s


def convolution2_slope(s):
    """k'(s) for 1 <= s <= 2."""
    return (3 * A * s - 10 * A) * s + 8 * A


def cubic_weights(t, xp):
    """(N, 4, P) weights of taps x0 - 1 ... x0 + 2 for fractions t (N, P)."""
    u = 1 - t
    return xp.stack([convolution2(t + 1), convolution1(t), convolution1(u), convolution2(u + 1)],
                    axis=1)


def cubic_slopes(t, xp):
    """(N, 4, P) derivatives d weight / dx of ``cubic_weights``."""
    u = 1 - t
    return xp.stack([convolution2_slope(t + 1), convolution1_slope(t),
                     -convolution1_slope(u), -convolution2_slope(u + 1)], axis=1)


def cubic_curvatures(t, xp):
    """(N, 4, P) second derivatives d2 weight / dx2 of ``cubic_weights``."""
    u = 1 - t
    k1, k2 = (lambda s: 6 * (A + 2) * s - 2 * (A + 3)), (lambda s: 6 * A * s - 10 * A)
    return xp.stack([k2(t + 1), k1(t), k1(u), k2(u + 1)], axis=1)
