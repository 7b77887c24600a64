"""log-softmax and the negative log-likelihood loss.

    log_softmax:  y_i = z_i - m - log sum_j exp(z_j - m),  m = max_j z_j   (stable)
                  dz = dy - softmax(z) * sum_i dy_i
    nll_loss:     L = -(1/N) sum_n y[n, t_n]      ('mean'; 'sum' drops 1/N)
                  dy[n, t_n] = -dL / N, every other entry 0
"""
from ..autograd import Function, Tensor
from ..backend import get_array_module
from ._checks import as_tensor, check_choice, check_float

REDUCTIONS = ("mean", "sum", "none")


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, z, *, dim):
        xp = get_array_module(z)
        shifted = z - z.max(axis=dim, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save(y=y, dim=dim)
        return y

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        return grad_out - xp.exp(ctx.y) * grad_out.sum(axis=ctx.dim, keepdims=True)


class NLLLoss(Function):
    @staticmethod
    def forward(ctx, log_probs, *, target, reduction):
        xp = get_array_module(log_probs)
        picked = -xp.take_along_axis(log_probs, target[:, None], axis=1)[:, 0]
        ctx.save(shape=log_probs.shape, target=target, reduction=reduction)
        if reduction == "none":
            return picked
        return picked.sum() / (len(target) if reduction == "mean" else 1)

    @staticmethod
    def backward(ctx, grad_out):
        xp = get_array_module(grad_out)
        N = ctx.shape[0]
        per_sample = grad_out if ctx.reduction == "none" else xp.broadcast_to(grad_out, (N,))
        if ctx.reduction == "mean":
            per_sample = per_sample / N
        grad = xp.zeros(ctx.shape, dtype=grad_out.dtype)
        grad[xp.arange(N), ctx.target] = -per_sample
        return grad


def log_softmax(input, dim=-1):
    x = as_tensor(input, "input")
    check_float(x, "input")
    return LogSoftmax.apply(x, dim=dim)


def nll_loss(input, target, reduction="mean"):
    """input (N, classes) log-probabilities, target (N,) integer class indices."""
    x = as_tensor(input, "input")
    check_float(x, "input")
    check_choice(reduction, "reduction", REDUCTIONS)
    target = target.data if isinstance(target, Tensor) else target
    xp = get_array_module(x.data)
    target = xp.asarray(target)
    if x.ndim != 2:
        raise ValueError(f"nll_loss: input must be 2-D (N, classes), got shape {tuple(x.shape)}")
    if target.shape != (x.shape[0],):
        raise ValueError(f"nll_loss: target must have shape ({x.shape[0]},), got {tuple(target.shape)}")
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold integer class indices, got dtype {target.dtype}")
    if target.size and (int(target.min()) < 0 or int(target.max()) >= x.shape[1]):
        raise ValueError(f"nll_loss: target values must lie in [0, {x.shape[1] - 1}]")
    return NLLLoss.apply(x, target=target.astype(xp.int64), reduction=reduction)


def cross_entropy(input, target, reduction="mean"):
    """nll_loss(log_softmax(input), target): input holds raw scores (logits)."""
    return nll_loss(log_softmax(input, dim=1), target, reduction)
