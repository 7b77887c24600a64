"""Differentiable backward passes of linear, log_softmax and nll_loss (create_graph=True).

    linear:       dx = dy W,  dW = dy^T x,  db = sum_n dy            (matmuls and a sum)
    log_softmax:  dz = dy - exp(y) * sum_i dy_i                     (y the output Tensor)
    nll_loss:     dy[n, t_n] = -dL / N: linear in dL, a scatter (NLLLossBackward). Its adjoint,
                  G -> -(1/N) sum_n G[n, t_n], is nll_loss itself, so NLLLossBackward's
                  backward is NLLLoss and NLLLoss's is NLLLossBackward: the pair closes.

cross_entropy = nll_loss(log_softmax(.)) is then twice differentiable; its Hessian with respect
to the logits, per sample, is (diag(p) - p p^T) / N with p = softmax (PyTorch's as well).
"""
from ..autograd import Function
from . import basic as B
from .basic_backward import differentiable_backward_of
from .linear import Linear
from .loss import LogSoftmax, NLLLoss


@differentiable_backward_of(Linear)
def _linear(ctx, inputs, output, g):
    x, w = inputs[:2]
    g2 = B.reshape(g, -1, g.shape[-1])                                    # (rows, out)
    needs = ctx.needs_input_grad
    grad_x = B.reshape(g2 @ w, x.shape) if needs[0] else None
    grad_w = B.transpose(g2, 0, 1) @ B.reshape(x, -1, x.shape[-1]) if needs[1] else None
    grad_b = B.sum(g2, axis=0) if len(needs) > 2 and needs[2] else None
    return grad_x, grad_w, grad_b


@differentiable_backward_of(LogSoftmax)
def _log_softmax(ctx, inputs, output, g):
    return g - B.exp(output) * B.sum(g, axis=ctx.dim, keepdims=True)


class NLLLossBackward(Function):
    """dlog_probs = scatter of -dL (/ N for 'mean') to (n, t_n): NLLLoss.backward as an op."""
    @staticmethod
    def forward(ctx, grad_loss, *, shape, target, reduction):
        ctx.save(target=target, reduction=reduction)
        return NLLLoss.backward(_NLLContext(shape, target, reduction), grad_loss)

    @staticmethod
    def backward(ctx, grad_out):
        # the adjoint of the scatter: -(1/N) sum_n G[n, t_n] = nll_loss(G)
        return NLLLoss.forward(_NLLContext(None, None, None), grad_out, target=ctx.target,
                               reduction=ctx.reduction)


class _NLLContext:
    """The context NLLLoss's forward and backward read, built by hand."""
    def __init__(self, shape, target, reduction):
        self.shape, self.target, self.reduction = shape, target, reduction

    def save(self, **arrays):
        self.__dict__.update(arrays)


@differentiable_backward_of(NLLLoss)
def _nll_loss(ctx, inputs, output, g):
    return NLLLossBackward.apply(g, shape=ctx.shape, target=ctx.target, reduction=ctx.reduction)


@differentiable_backward_of(NLLLossBackward)
def _nll_loss_backward(ctx, inputs, output, g):
    return NLLLoss.apply(g, target=ctx.target, reduction=ctx.reduction)
