"""The sampler's three passes over the taps: gather, scatter, tap products (docs §13.3).

Every pass takes the taps of sampler_taps.py, built once for all channels, and the padded input
Ũ (N, C, *padded) seen as one flat array. Channel c of every sample is the view that starts
c S further on (S: one padded image), and tap t the view table[t] further still, so one (N, P)
corner index serves every channel and every tap: each pass walks the channels and the taps,
and for each moves N P values through that index. The arrays stay in NCHW order, so no pass
transposes anything.

    gather   V[n, c, p]   = sum_t w[n, t, p] Ũ_c[k[n, t, p]]                  (forward)
    scatter  dŨ_c[k]      = sum over (n, t, p) with k[n, t, p] = k of w[n, t, p] gV[n, c, p]
    products s[n, t, p]   = sum_c gV[n, c, p] Ũ_c[k[n, t, p]]                  (grid gradient)

Each works on a range of samples [start, stop), in cache-sized blocks: samples never share an
element of Ũ or dŨ, so ranges may run in any order, or at once (ministn.parallel), with
identical results. The gather and the tap products do run on every thread; the scatter runs in
one range, because ``add.at`` holds the GIL (two threads took longer than one).

The scatter is an unbuffered ``add.at`` per channel and tap: a sequential sum in index order,
so deterministic on the CPU, in the input's dtype. Measured against the alternatives on
(64, 16, 60, 60) (docs §13.3): a 2-D ``add.at`` of C-value rows takes NumPy's slow path (4.5x);
``bincount`` per channel converts to float64 (2.7x); a sort by destination and ``add.reduceat``
cost a fifth of the scatter for the sort alone and 3x for the segment sums of C-value rows. On a
GPU, ``add.at`` uses atomics, whose order varies.
"""
import numpy as np

from ..backend import get_array_module
from ..parallel import parallel_for
from . import sampler_taps
from .sampler_taps import coordinate_gradients


def for_samples(N, taps, channels, xp, body):
    """body(start, stop) over ranges of samples, on every thread (ministn.parallel): samples
    share no element of Ũ or dŨ, so the results are those of one thread, bit for bit. Chunks
    of at least MIN_CHUNK_WORK tap values (taps times channels): below that, starting a thread
    costs more than it saves. One range, all samples, unless sampler_taps.SPLIT_OVER_THREADS."""
    if not sampler_taps.SPLIT_OVER_THREADS:
        body(0, N)
        return
    per_sample = max(1, taps.weight[0].size * channels)      # 0 without points or channels
    parallel_for(N, body, min_chunk=-(-MIN_CHUNK_WORK // per_sample), xp=xp)


# Measured on 2 cores (docs/speed.md, 2026-12-04): the forward pass on (64, 1, 28, 28), 0.2M tap
# values, took 1.6 times as long split in two (1.7 -> 2.7 ms); on (64, 16, 60, 60), 15M, 0.7
# times (35 -> 25 ms). A chunk holds at least this many.
MIN_CHUNK_WORK = 2 ** 20


def sample(U, taps, keep_values):
    """The forward pass: V (N, C, P), and the tap values (C, T, N, P) if ``keep_values``.

    Each range of samples is padded and gathered on its own thread.
    """
    xp = get_array_module(U)
    N, C = U.shape[:2]
    T, P = taps.weight.shape[1:]
    U_padded = xp.empty((N, C, *(n + 2 * taps.pad for n in U.shape[2:])), dtype=U.dtype)
    flat = U_padded.reshape(-1)
    V = xp.empty((N, C, P), dtype=U.dtype)
    # the tap values, kept for the grid gradient: cheaper than reading them again (one write
    # against one take per tap and channel)
    values = xp.empty((C, T, N, P), U.dtype) if keep_values else None

    def body(start, stop):
        pad_into(U_padded, U, taps.pad, start, stop)
        gather(flat, taps, start, stop, V, values)
    for_samples(N, taps, C, xp, body)
    return V, values


def gradients(taps, gV, U_shape, values, planes):
    """The backward pass from gV (N, C, P): returns dL/dU (N, C, *sizes) if ``U_shape`` is
    given, and writes the grid gradient into ``planes`` (N, D, P) if the gather's ``values``
    are given.

    Two passes, block by block: dŨ is zeroed and scattered into, in one range (``add.at`` holds
    the GIL); then each range of samples is multiplied out into tap products and coordinate
    gradients on its own thread. The ring of dŨ is then cropped away.
    """
    xp = get_array_module(gV)
    grad_padded = s = None
    if U_shape is not None:
        N, C, *sizes = U_shape
        grad_padded = xp.empty((N, C, *(n + 2 * taps.pad for n in sizes)), dtype=gV.dtype)
    if values is not None:
        s = xp.empty(taps.weight.shape, dtype=gV.dtype)

    N, C = gV.shape[:2]
    if grad_padded is not None:        # one range: np.add.at holds the GIL, a thread would wait
        grad_padded[...] = 0
        for first, last in blocks(taps, 0, N):
            scatter(grad_padded.reshape(-1), taps, gV, first, last)

    def grid_body(start, stop):
        for first, last in blocks(taps, start, stop):
            tap_products(values, gV, first, last, s)
            coordinate_gradients(s, taps, planes, first, last)
    if s is not None:
        for_samples(N, taps, C, xp, grid_body)
    return None if grad_padded is None else crop(grad_padded, taps.pad)


def pad_into(U_padded, U, pad, start, stop):
    """Ũ[start:stop]: samples [start, stop) of U inside a ring of ``pad`` zeros on every
    spatial axis. The block is zeroed, then U copied in: zeroing only the ring, in narrow
    strided slices, was 1.6x slower on (64, 16, 60, 60)."""
    U_padded[start:stop] = 0
    U_padded[(slice(start, stop), slice(None), *(slice(pad, pad + n) for n in U.shape[2:]))] = \
        U[start:stop]


def crop(U_padded, pad):
    """The inverse of ``pad_into``: the image inside the ring."""
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
            # one pass over the T tap values (a multiply and an add per tap: 1.14x slower)
            out[first:last, c] = xp.einsum("tnp,ntp->np", tap_values, weight)


def scatter(grad_flat, taps, gV, start, stop):
    """dŨ_c[k] += w gV[n, c, p] for every tap of samples [start, stop); gV is (N, C, P)."""
    xp = get_array_module(grad_flat)
    S = taps.image_size
    reads = [(offset, index.reshape(-1)) for offset, index in tap_reads(taps, start, stop)]
    for c in range(gV.shape[1]):
        for t, (offset, index) in enumerate(reads):
            contributions = taps.weight[start:stop, t] * gV[start:stop, c]         # (n, P)
            # a flat (1-D) index: with an (n, P) one, add.at takes NumPy's slow path (7x)
            xp.add.at(grad_flat[c * S + offset:], index, contributions.reshape(-1))


def tap_products(values, gV, start, stop, s):
    """s[n, t, p] = sum_c gV[n, c, p] Ũ_c(tap t) for samples [start, stop), from the gather's
    ``values`` (C, T, N, P); s is (N, T, P)."""
    xp = get_array_module(values)
    g = gV[start:stop]
    for t in range(values.shape[1]):
        s[start:stop, t] = xp.einsum("cnp,ncp->np", values[:, t, start:stop], g)
