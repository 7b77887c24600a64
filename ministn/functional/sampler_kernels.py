"""The sampler's three passes over the taps: gather, scatter, tap products (docs §13.3).

Every pass takes the taps of sampler_taps.py, (N, T, P) flat indices and weights built once for
all channels, and the padded input Ũ (N, C, *padded) seen as one flat array. Channel c of every
sample is the view that starts c S further on (S: one padded image), so one index serves all
channels: each pass walks the channels, and for each one reads or writes N T P values through
the same index. The arrays stay in NCHW order, so no pass transposes anything.

    gather   V[n, c, p]   = sum_t w[n, t, p] Ũ_c[k[n, t, p]]                  (forward)
    scatter  dŨ_c[k]      = sum over (n, t, p) with k[n, t, p] = k of w[n, t, p] gV[n, c, p]
    products s[n, t, p]   = sum_c gV[n, c, p] Ũ_c[k[n, t, p]]                  (grid gradient)

Each works on a range of samples [start, stop): samples never share an element of Ũ or dŨ, so
ranges may run in any order, or at once, with identical results.

The scatter is one unbuffered ``add.at`` per channel over the flat index: a sequential sum in
index order (n, t, p), so deterministic on the CPU, in the input's dtype. Measured against the
alternatives (docs §13.3): a 2-D ``add.at`` of C-value rows takes NumPy's slow path (135 ms for
(64, 16, 60, 60) against 30 ms); ``bincount`` per channel converts to float64 (80 ms); a sort
by destination and ``add.reduceat`` cost 6 ms for the sort alone and 96 ms for the segment
sums of C-value rows. On a GPU, ``add.at`` uses atomics, whose order varies.
"""
import numpy as np

from ..backend import get_array_module


def pad_input(U, pad):
    """Ũ: U inside a ring of ``pad`` zeros on every spatial axis, (N, C, *(n + 2 pad)).

    All of Ũ is zeroed, then U copied in: zeroing only the ring, in narrow strided slices, was
    1.6x slower on (64, 16, 60, 60).
    """
    xp = get_array_module(U)
    U_padded = xp.zeros((*U.shape[:2], *(n + 2 * pad for n in U.shape[2:])), dtype=U.dtype)
    U_padded[(Ellipsis, *(slice(pad, pad + n) for n in U.shape[2:]))] = U
    return U_padded


def crop(U_padded, pad):
    """The inverse of ``pad_input``: the image inside the ring."""
    return U_padded[(Ellipsis, *(slice(pad, n - pad) for n in U_padded.shape[2:]))]


def tap_reads(taps, start, stop):
    """(offset, index) for every tap of samples [start, stop): channel c of tap t is read at
    flat[c S + offset + index]. Taps at fixed distances from a corner share one (n, P) index,
    the corner, and differ only in the offset, so no (N, T, P) index is ever written."""
    corner = taps.corner[start:stop]
    if isinstance(taps.table, tuple):
        return [(offset, corner) for offset in taps.table]
    return [(0, corner + taps.table[start:stop, t]) for t in range(taps.table.shape[1])]


def blocks(taps, start, stop):
    """Samples [start, stop) in blocks of about BLOCK_TAPS taps, so that a block's index,
    weights and tap values stay in the cache while every channel passes through them: blocks of
    9 samples made the (64, 16, 60, 60) gather and scatter 20% faster than one block of 64
    (docs §13.3); blocks of 1 sample, 2.5x slower on (64, 1, 28, 28) (call overhead)."""
    size = max(1, BLOCK_TAPS // taps.weight[0].size)
    return [(b, min(b + size, stop)) for b in range(start, stop, size)]


BLOCK_TAPS = 2 ** 17


def take_into(source, index, out):
    """out[...] = source.take(index). NumPy writes into ``out`` without a buffer only in mode
    'clip' (1.5x faster than take and copy); every index is in range by construction (the
    clamp of docs §6.4), so 'clip' never changes a value. CuPy's take has no mode."""
    if get_array_module(source) is np:
        source.take(index, out=out, mode="clip")
    else:
        out[...] = source.take(index)


def gather(flat, taps, start, stop, out, values=None):
    """out[n, c, p] = sum_t w Ũ_c(tap t) for samples [start, stop); out is (N, C, P).

    With ``values`` (C, T, N, P), the tap values are kept there for the grid gradient.
    """
    xp = get_array_module(flat)
    S, T = taps.image_size, taps.weight.shape[1]
    for first, last in blocks(taps, start, stop):
        reads = tap_reads(taps, first, last)
        weight = taps.weight[first:last]
        for c in range(out.shape[1]):
            if values is None:
                tap_values = xp.empty((T, *weight[:, 0].shape), dtype=out.dtype)
            else:
                tap_values = values[c, :, first:last]                            # (T, n, P)
            for t, (offset, index) in enumerate(reads):
                take_into(flat[c * S + offset:], index, tap_values[t])
            # one pass over the T tap values (a multiply and an add per tap: 1.3x slower)
            out[first:last, c] = xp.einsum("tnp,ntp->np", tap_values, weight)


def scatter(grad_flat, taps, gV, start, stop):
    """dŨ_c[k] += w gV[n, c, p] for every tap of samples [start, stop); gV is (N, C, P)."""
    xp = get_array_module(grad_flat)
    S = taps.image_size
    for first, last in blocks(taps, start, stop):
        reads = [(offset, index.reshape(-1)) for offset, index in tap_reads(taps, first, last)]
        for c in range(gV.shape[1]):
            for t, (offset, index) in enumerate(reads):
                contributions = taps.weight[first:last, t] * gV[first:last, c]     # (n, P)
                # a flat (1-D) index: with an (n, P) one, add.at takes NumPy's slow path (7x)
                xp.add.at(grad_flat[c * S + offset:], index, contributions.reshape(-1))


def tap_products(values, gV, taps, start, stop, s):
    """s[n, t, p] = sum_c gV[n, c, p] Ũ_c(tap t) for samples [start, stop), from the gather's
    ``values`` (C, T, N, P); s is (N, T, P)."""
    xp = get_array_module(values)
    for first, last in blocks(taps, start, stop):
        g = gV[first:last]
        for t in range(values.shape[1]):
            s[first:last, t] = xp.einsum("cnp,ncp->np", values[:, t, first:last], g)
