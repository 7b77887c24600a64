"""Spatial transformer rows: affine_grid + grid_sample, forward+backward with gradients to the
input and to theta, float32.

Bilinear, zeros padding, forward alone (no graph) and forward+backward, at two sizes: an MNIST
batch (64, 1, 28, 28), and (64, 16, 60, 60), a batch of 16-channel feature maps. Then the other
samplers, forward+backward: bicubic on (16, 8, 32, 32) and trilinear on a (4, 4, 32, 32, 32)
batch of volumes. theta is a random transform near the identity, the same for both libraries.
"""
import numpy as np

from .. import functional as F
from ..autograd import no_grad
from .registry import case


def _inputs(s, shape):
    rows = len(shape) - 2                                  # 2 x 3 for images, 3 x 4 for volumes
    theta = (np.eye(rows, rows + 1) + s.random(shape[0], rows, rows + 1, scale=0.1)).astype(np.float32)
    return theta, s.random(*shape), s.random(*shape)


def _affine_sample_forward_case(s, shape):
    theta, x, _ = _inputs(s, shape)
    X, T = s.tensor(x), s.tensor(theta)

    def ours():
        with no_grad():
            F.grid_sample(X, F.affine_grid(T, shape))

    def theirs():
        TF = s.torch.nn.functional
        with s.torch.no_grad():
            TF.grid_sample(TX, TF.affine_grid(TT, shape, align_corners=False), align_corners=False)

    if s.torch is not None:
        TX, TT = s.torch_tensor(x), s.torch_tensor(theta)
    return ours, theirs


def _affine_sample_case(s, shape, mode="bilinear"):
    theta, x, grad = _inputs(s, shape)
    on_device = [s.array(a) for a in (x, theta, grad)]

    def ours():
        X, T = s.leaves(*on_device[:2])
        F.grid_sample(X, F.affine_grid(T, shape), mode).backward(on_device[2])

    def theirs():
        X, T = s.torch_leaves(*torch_inputs[:2])
        TF = s.torch.nn.functional
        grid = TF.affine_grid(T, shape, align_corners=False)
        TF.grid_sample(X, grid, mode, align_corners=False).backward(torch_inputs[2])

    if s.torch is not None:
        torch_inputs = [s.torch_tensor(a) for a in (x, theta, grad)]
    return ours, theirs


@case("stn sample mnist", "affine_grid + grid_sample fwd+bwd (input, theta), (64, 1, 28, 28), float32")
def stn_sample_mnist(s):
    return _affine_sample_case(s, (64, 1, 28, 28))


@case("stn sample 16ch", "affine_grid + grid_sample fwd+bwd (input, theta), (64, 16, 60, 60), float32")
def stn_sample_16ch(s):
    return _affine_sample_case(s, (64, 16, 60, 60))


@case("stn sample mnist fwd", "affine_grid + grid_sample forward, no graph, (64, 1, 28, 28), float32")
def stn_sample_mnist_forward(s):
    return _affine_sample_forward_case(s, (64, 1, 28, 28))


@case("stn sample 16ch fwd", "affine_grid + grid_sample forward, no graph, (64, 16, 60, 60), float32")
def stn_sample_16ch_forward(s):
    return _affine_sample_forward_case(s, (64, 16, 60, 60))


@case("stn sample bicubic", "affine_grid + grid_sample bicubic fwd+bwd (input, theta), (16, 8, 32, 32), float32")
def stn_sample_bicubic(s):
    return _affine_sample_case(s, (16, 8, 32, 32), "bicubic")


@case("stn sample 3d", "affine_grid + grid_sample trilinear fwd+bwd (input, theta), (4, 4, 32, 32, 32), float32")
def stn_sample_volume(s):
    return _affine_sample_case(s, (4, 4, 32, 32, 32))
