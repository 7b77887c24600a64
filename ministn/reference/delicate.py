"""Why a grid point is delicate: the places where grid_sample is not smooth (docs/reference.md).

A kernel that agrees with the reference almost everywhere usually disagrees at a few grid points
where the sampler has a kink, a tie or a boundary. Per axis, with i the unnormalised pixel
coordinate of a point and x its padded coordinate (functional/coords.py), the flags are:

    integer       bilinear, x an integer: the derivative there is one-sided (floor and floor + 1,
                  the right-hand one, docs §7.4); just left of it the other side's applies
    near_integer  bilinear, x within a few rounding errors (of the result's dtype) of an integer:
                  a kernel computing in that dtype may take the other floor (docs §11.2)
    tie           nearest, x = k + 1/2: rounded half to even, as PyTorch (docs §8)
    near_tie      nearest, x within a few rounding errors of k + 1/2
    clip_boundary border or reflection, x exactly 0 or n - 1: the clip's derivative is 0 there
    clipped       border or reflection, x clipped from beyond the edge: derivative 0
    folded        reflection, i outside the mirror planes: folded back, the sign may flip
    outside       zeros, a tap of the point reads the zero padding
    cubic_padded  bicubic, border or reflection, a tap beyond the edge: padded tap by tap
    unit_axis     an axis of one pixel with align_corners=True: every coordinate maps to pixel 0
    huge          |i| >= 2^31: beyond int32, where a kernel's index arithmetic overflows

Every flag is computed for whole arrays of points at once (``axis_flags``); ``describe`` words
the flags of one point.
"""
import numpy as np

from ..functional.coords import pad_coordinate, reflect_coordinate, unnormalise

AXES = "xyz"


def cubic_taps(i):
    """The 4 bicubic tap offsets (-1, 0, 1, 2 from floor(i)) and weights (cubic convolution,
    A = -0.75, as PyTorch)."""
    A = -0.75
    t = i - np.floor(i)
    near = lambda s: ((A + 2) * s - (A + 3)) * s * s + 1                # |s| <= 1
    far = lambda s: ((A * s - 5 * A) * s + 8 * A) * s - 4 * A           # 1 < |s| < 2
    return (-1, 0, 1, 2), np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)])


def tap_coordinates(i, n, mode, padding_mode, align_corners):
    """(T, ...) integer pixel coordinates each point reads on one axis, and their weights.

    Zeros padding leaves out-of-range taps where they are (they read 0); border and reflection
    taps lie inside. Bicubic pads each tap's own coordinate, as PyTorch."""
    if mode == "bicubic":
        offsets, weights = cubic_taps(i)
        taps = np.stack([np.floor(i) + k for k in offsets])
        if padding_mode != "zeros":
            taps = pad_coordinate(taps, n, padding_mode, align_corners)[0]
        return taps, weights
    x = pad_coordinate(i, n, padding_mode, align_corners)[0]
    if mode == "nearest":
        return np.rint(x)[None], np.ones((1,) + np.shape(x))
    x0 = np.floor(x)
    return np.stack([x0, x0 + 1]), np.stack([1 - (x - x0), x - x0])


def axis_flags(i, n, mode, padding_mode, align_corners, eps=np.finfo(np.float64).eps):
    """A dict flag -> bool array (shape of i) for the points i on an axis of n pixels."""
    i = np.asarray(i, dtype=np.float64)
    flags = {"unit_axis": np.full(i.shape, n == 1 and align_corners),
             "huge": np.abs(i) >= 2.0**31}
    if mode == "bicubic":
        beyond = (np.floor(i) - 1 < 0) | (np.floor(i) + 2 > n - 1)
        flags["outside" if padding_mode == "zeros" else "cubic_padded"] = beyond
        return flags
    if padding_mode == "reflection":
        lo, hi = (0.0, n - 1.0) if align_corners else (-0.5, n - 0.5)
        flags["folded"] = (i < lo) | (i > hi)
        unclipped = reflect_coordinate(i, n, align_corners)[0]
    else:
        unclipped = i
    x = pad_coordinate(i, n, padding_mode, align_corners)[0]
    if padding_mode == "zeros":
        taps = tap_coordinates(i, n, mode, padding_mode, align_corners)[0]
        flags["outside"] = ((taps < 0) | (taps > n - 1)).any(axis=0)
        smooth = np.ones(i.shape, dtype=bool)
    else:
        flags["clip_boundary"] = (unclipped == 0) | (unclipped == n - 1)
        flags["clipped"] = (unclipped < 0) | (unclipped > n - 1)
        smooth = ~(flags["clip_boundary"] | flags["clipped"])
    kink = np.floor(x) + (0.5 if mode == "nearest" else 0.0)           # k or k + 1/2
    kink = np.where(np.abs(x - kink) <= np.abs(x - kink - 1), kink, kink + 1)
    rounding = 4 * eps * np.maximum(np.abs(x), 1)
    on, near = (x == kink) & smooth, (np.abs(x - kink) <= rounding) & (x != kink) & smooth
    flags.update({"tie": on, "near_tie": near} if mode == "nearest"
                 else {"integer": on, "near_integer": near})
    return flags


def _phrase(flag, axis, i, x, n):
    edge = "0" if x <= 0 else f"{n - 1}"
    return {
        "integer": f"{axis} = {x:g} is an integer pixel coordinate (one-sided derivative: "
                   f"the right-hand one, floor and floor + 1)",
        "near_integer": f"{axis} = {x!r} is within rounding of an integer pixel coordinate "
                        f"(a kernel rounding differently takes the other floor)",
        "tie": f"{axis} = {x:g} is a nearest-mode tie (.5; rounds half to even, to {np.rint(x):g})",
        "near_tie": f"{axis} = {x!r} is within rounding of a nearest-mode tie (.5)",
        "clip_boundary": f"{axis} lies on the clip boundary {axis} = {edge} (derivative 0 there)",
        "clipped": f"{axis} = {i:g} is clipped to the edge {axis} = {edge} (derivative 0)",
        "folded": f"{axis} = {i:g} is folded by reflection to {axis} = {x:g}",
        "outside": (f"{axis} = {i:g} is outside the image: its taps read the zero padding"
                    if i < 0 or i > n - 1 else
                    f"{axis} = {i:g} is inside, but a tap beyond the edge reads the zero padding"),
        "cubic_padded": f"{axis} = {i:g}: bicubic taps beyond the edge, padded one by one",
        "unit_axis": f"the {axis} axis has one pixel with align_corners=True: every {axis} "
                     f"maps to pixel 0",
        "huge": f"|{axis}| = {abs(i):.3g} is beyond int32 (index arithmetic overflows)",
    }[flag]


def describe(point, sizes, mode, padding_mode, align_corners, eps=np.finfo(np.float64).eps,
             only_axis=None):
    """(position, reasons) of one grid point (x[, y[, z]] normalised; sizes as the input's).

    position: 'at (x, y) = (2.5, 1) px', with the padded coordinates where padding moved them;
    reasons: the phrases of its flags, of every axis, or of ``only_axis`` alone (for a grad_grid
    component: dV/dx is smooth across the other axes' kinks, docs §7.3)."""
    axes = range(len(point))
    ns = [sizes[::-1][a] for a in axes]                                # x pairs with W, y with H
    i = [float(unnormalise(np.float64(point[a]), ns[a], align_corners)) for a in axes]
    x = [float(pad_coordinate(np.float64(i[a]), ns[a], padding_mode, align_corners)[0])
         if mode != "bicubic" else i[a] for a in axes]
    names = AXES[:len(point)]
    position = f"at ({', '.join(names)}) = ({', '.join(f'{v:g}' for v in i)}) px"
    if x != i:
        position += f", padded to ({', '.join(f'{v:g}' for v in x)})"
    reasons = []
    for a in (axes if only_axis is None else [only_axis]):
        flags = axis_flags(np.array(i[a]), ns[a], mode, padding_mode, align_corners, eps)
        reasons += [_phrase(f, names[a], i[a], x[a], ns[a]) for f, on in flags.items() if on]
    return position, reasons


def delicate_points(points, sizes, mode, padding_mode, align_corners, eps):
    """Bool array over the points (..., D): whether any axis has any flag."""
    ns = list(sizes[::-1])
    out = np.zeros(points.shape[:-1], dtype=bool)
    for a in range(points.shape[-1]):
        i = unnormalise(points[..., a].astype(np.float64), ns[a], align_corners)
        for on in axis_flags(i, ns[a], mode, padding_mode, align_corners, eps).values():
            out |= on
    return out


def readers(points, sizes, pixel, mode, padding_mode, align_corners):
    """Bool array over the points (P, D): which of them read ``pixel`` (x[, y[, z]] order)."""
    ns = list(sizes[::-1])
    reads = np.ones(points.shape[:-1], dtype=bool)
    for a in range(points.shape[-1]):
        i = unnormalise(points[..., a].astype(np.float64), ns[a], align_corners)
        taps = tap_coordinates(i, ns[a], mode, padding_mode, align_corners)[0]
        reads &= (taps == pixel[a]).any(axis=0)
    return reads


def nonfinite_taps(U, n, channels, point, mode, padding_mode, align_corners):
    """Phrases for the taps of one point that meet a non-finite input value (inf or NaN).

    U: the input (N, C, *sizes); channels: the channels to look at. An in-range tap of weight 0
    on inf gives 0 x inf = NaN (so does PyTorch); a tap that zero padding drops must give 0,
    although clamping its address into the image would land on inf (docs §6.4)."""
    sizes = U.shape[2:]
    ns = list(sizes[::-1])
    per_axis = []
    for a, g in enumerate(point):
        i = unnormalise(np.float64(g), ns[a], align_corners)
        taps, weights = tap_coordinates(np.array([i]), ns[a], mode, padding_mode, align_corners)
        per_axis.append(list(zip(taps[:, 0], weights[:, 0])))
    phrases = []
    for combination in np.ndindex(*(len(t) for t in per_axis)):         # at most 4^2 or 2^3 taps
        pixel = [per_axis[a][k][0] for a, k in enumerate(combination)]
        weight = np.prod([per_axis[a][k][1] for a, k in enumerate(combination)])
        inside = all(0 <= p <= ns[a] - 1 for a, p in enumerate(pixel))
        clamped = tuple(int(min(max(p, 0), ns[a] - 1)) for a, p in enumerate(pixel))
        values = U[(n, channels) + clamped[::-1]]
        if np.all(np.isfinite(values)):
            continue
        where = f"pixel ({', '.join(map(str, clamped))})"
        if inside and weight == 0:
            phrases.append(f"a tap of weight 0 reads a non-finite input at {where}: "
                           f"0 x inf = NaN (PyTorch's answer too)")
        elif not inside:
            phrases.append(f"a tap outside the image, dropped by zero padding, would clamp onto "
                           f"a non-finite input at {where}: it must contribute 0, not 0 x inf")
    return sorted(set(phrases))
