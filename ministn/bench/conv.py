"""conv2d rows: the ST-CNN classifier's second convolution (issue 3's speed bar).

N=64 images of 10 channels, 12x12 (after the first conv and pool of a 28x28 digit), 20
filters of 5x5, float32: forward+backward ("train"), and forward alone without a graph
("inference").
"""
from .. import functional as F
from ..autograd import no_grad
from .registry import case

SHAPE = dict(N=64, C=10, F=20, k=5, H=12)
DESCRIPTION = "N=64, 10->20 channels, 5x5 kernel, 12x12 input, float32"


def _inputs(s):
    N, C, F_, k, H = SHAPE.values()
    H_out = H - k + 1
    return (s.random(N, C, H, H), s.random(F_, C, k, k, scale=0.1), s.random(F_, scale=0.1),
            s.random(N, F_, H_out, H_out))


@case("conv2d train", "conv2d forward+backward, " + DESCRIPTION)
def conv2d_train(s):
    x, w, b, grad = _inputs(s)
    on_device = [s.array(a) for a in (x, w, b, grad)]

    def ours():
        X, W, B = s.leaves(*on_device[:3])
        F.conv2d(X, W, B).backward(on_device[3])

    def theirs():
        X, W, B = s.torch_leaves(*torch_inputs[:3])
        s.torch.nn.functional.conv2d(X, W, B).backward(torch_inputs[3])

    if s.torch is not None:
        torch_inputs = [s.torch_tensor(a) for a in (x, w, b, grad)]
    return ours, theirs


@case("conv2d inference", "conv2d forward only, no graph, " + DESCRIPTION)
def conv2d_inference(s):
    x, w, b, _ = _inputs(s)
    X, W, B = s.tensor(x), s.tensor(w), s.tensor(b)

    def ours():
        with no_grad():
            F.conv2d(X, W, B)

    def theirs():
        with s.torch.no_grad():
            s.torch.nn.functional.conv2d(TX, TW, TB)

    if s.torch is not None:
        TX, TW, TB = s.torch_tensor(x), s.torch_tensor(w), s.torch_tensor(b)
    return ours, theirs
