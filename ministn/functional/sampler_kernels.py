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
from ..backend import get_array_module


def pad_input(U, pad):
    """Ũ: U inside a ring of ``pad`` zeros on every spatial axis, (N, C, *(n + 2 pad))."""
    xp = get_array_module(U)
    U_padded = xp.zeros((*U.shape[:2], *(n + 2 * pad for n in U.shape[2:])), dtype=U.dtype)
    U_padded[(Ellipsis, *(slice(pad, pad + n) for n in U.shape[2:]))] = U
    return U_padded


def crop(U_padded, pad):
    """The inverse of ``pad_input``: the image inside the ring."""
    return U_padded[(Ellipsis, *(slice(pad, n - pad) for n in U_padded.shape[2:]))]


def channel(flat, c, image_size):
    """Channel c of every sample: the view of the flat padded input that starts c S further on."""
    return flat[c * image_size:]


def gather(flat, taps, start, stop, out):
    """out[n, c, p] = sum_t w Ũ_c(tap t) for samples [start, stop); out is (N, C, P)."""
    xp = get_array_module(flat)
    index, weight = taps.index[start:stop], taps.weight[start:stop]
    for c in range(out.shape[1]):
        values = channel(flat, c, taps.image_size).take(index)                  # (n, T, P)
        out[start:stop, c] = xp.einsum("ntp,ntp->np", values, weight)


def scatter(grad_flat, taps, gV, start, stop):
    """dŨ_c[k] += w gV[n, c, p] for every tap of samples [start, stop); gV is (N, C, P)."""
    xp = get_array_module(grad_flat)
    index = taps.index[start:stop].reshape(-1)
    weight = taps.weight[start:stop]
    for c in range(gV.shape[1]):
        contributions = weight * gV[start:stop, c, None, :]                     # (n, T, P)
        xp.add.at(channel(grad_flat, c, taps.image_size), index, contributions.reshape(-1))


def tap_products(flat, taps, gV, start, stop, s):
    """s[n, t, p] = sum_c gV[n, c, p] Ũ_c(tap t) for samples [start, stop); s is (N, T, P)."""
    index = taps.index[start:stop]
    total = s[start:stop]
    for c in range(gV.shape[1]):
        values = channel(flat, c, taps.image_size).take(index)                  # (n, T, P)
        values *= gV[start:stop, c, None, :]
        total += values
