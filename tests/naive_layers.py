"""Naive loop versions of the layers: slow, obviously correct, the definitions themselves.

The vectorised ops in ministn.functional are compared against these element by element. Each
is written straight from the textbook formula with one Python loop per index; nothing here is
shared with the package.
"""
import numpy as np


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """y[n, f, oh, ow] = b[f] + sum_{c,i,j} w[f, c, i, j] * x_pad[n, c, s*oh + i, s*ow + j]."""
    N, C, H, W = x.shape
    F, _, kh, kw = weight.shape
    x_pad = np.zeros((N, C, H + 2 * padding, W + 2 * padding), dtype=x.dtype)
    x_pad[:, :, padding:padding + H, padding:padding + W] = x
    H_out = (H + 2 * padding - kh) // stride + 1
    W_out = (W + 2 * padding - kw) // stride + 1
    y = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for oh in range(H_out):
                for ow in range(W_out):
                    total = 0.0 if bias is None else bias[f]
                    for c in range(C):
                        for i in range(kh):
                            for j in range(kw):
                                total += weight[f, c, i, j] * x_pad[n, c, stride * oh + i, stride * ow + j]
                    y[n, f, oh, ow] = total
    return y


def _pool(x, kernel_size, stride, padding, reduce, pad_value):
    kh, kw = kernel_size
    sh, sw = stride
    N, C, H, W = x.shape
    x_pad = np.full((N, C, H + 2 * padding, W + 2 * padding), pad_value, dtype=x.dtype)
    x_pad[:, :, padding:padding + H, padding:padding + W] = x
    H_out = (H + 2 * padding - kh) // sh + 1
    W_out = (W + 2 * padding - kw) // sw + 1
    y = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for oh in range(H_out):
                for ow in range(W_out):
                    window = [x_pad[n, c, sh * oh + i, sw * ow + j]
                              for i in range(kh) for j in range(kw)]
                    y[n, c, oh, ow] = reduce(window)
    return y


def max_pool2d(x, kernel_size, stride, padding=0):
    """y[n, c, oh, ow] = max over the window (padding never wins: it is -inf); pairs (h, w)."""
    return _pool(x, kernel_size, stride, padding, max, -np.inf)


def avg_pool2d(x, kernel_size, stride, padding=0):
    """y[n, c, oh, ow] = (sum over the window, zero padding included) / (kh * kw)."""
    return _pool(x, kernel_size, stride, padding, lambda w: sum(w) / len(w), 0.0)


def linear(x, weight, bias=None):
    """y[n, o] = b[o] + sum_i x[n, i] * w[o, i]."""
    N, I = x.shape
    O = weight.shape[0]
    y = np.zeros((N, O), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            total = 0.0 if bias is None else bias[o]
            for i in range(I):
                total += x[n, i] * weight[o, i]
            y[n, o] = total
    return y


def log_softmax(z):
    """y[n, k] = z[n, k] - log sum_j exp(z[n, j]) (rows of a 2-D array; math.fsum-free loop)."""
    y = np.zeros_like(z)
    for n in range(z.shape[0]):
        m = max(z[n])
        total = sum(np.exp(v - m) for v in z[n])
        for k in range(z.shape[1]):
            y[n, k] = z[n, k] - m - np.log(total)
    return y


def nll_loss(log_probs, target, reduction="mean"):
    """-log_probs[n, target[n]], then averaged, summed, or left per sample."""
    losses = np.array([-log_probs[n, target[n]] for n in range(len(target))], dtype=log_probs.dtype)
    if reduction == "none":
        return losses
    total = sum(losses)
    return total / len(target) if reduction == "mean" else total
