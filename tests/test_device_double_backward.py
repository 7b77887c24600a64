"""Second order on the 'gpu' device (CuPy, or tests/fake_cupy.py without a GPU) equals NumPy's.

The double backward passes use the same xp code path as the first order; this checks that none
of them touches a host array (fake_cupy refuses to mix) and, on a GPU, that CuPy agrees.
"""
import numpy as np

import ministn.functional as F
from ministn import Tensor, grad
from ministn.backend import to_numpy

TOLERANCE = 1e-10


def _gradient_penalty_grads(xp, arrays):
    """The gradient, with respect to the weights, of the squared norm of the loss's gradient
    with respect to the images, through conv2d, tanh, max-pool, linear and cross_entropy."""
    images, w1, b1, w2 = (Tensor(xp.asarray(a), requires_grad=True) for a in arrays)
    labels = xp.asarray(np.array([1, 0, 2]))
    h = F.max_pool2d(F.tanh(F.conv2d(images, w1, b1, padding=1)), 2)
    loss = F.cross_entropy(F.linear(h.reshape(3, -1), w2), labels)
    (g_images,) = grad(loss, images, create_graph=True)
    grads = grad((g_images * g_images).sum(), [w1, b1, w2])
    assert all(type(g.data) is xp.ndarray for g in grads)
    return [to_numpy(g.data) for g in grads]


def test_double_backward_on_the_device_equals_numpy(gpu):
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((3, 2, 4, 4)), rng.standard_normal((3, 2, 3, 3)),
              rng.standard_normal(3), rng.standard_normal((3, 12))]
    expected = _gradient_penalty_grads(np, arrays)
    for e, a in zip(expected, _gradient_penalty_grads(gpu, arrays)):
        np.testing.assert_allclose(a, e, rtol=TOLERANCE, atol=TOLERANCE * np.abs(e).max())


def test_grid_generators_double_backward_on_the_device(gpu):
    theta = np.array([[[1.1, 0.2, 0.1], [-0.1, 0.9, 0.3], [0.1, -0.2, 1.0]]])

    def hvp(xp):
        t = Tensor(xp.asarray(theta), requires_grad=True)
        grid = F.perspective_grid(t, (1, 1, 3, 4)) + F.affine_grid(t[:, :2], (1, 1, 3, 4))
        (g,) = grad((grid * grid).sum(), t, create_graph=True)
        (h,) = grad((g * g).sum(), t)
        return to_numpy(h.data)

    np.testing.assert_allclose(hvp(gpu), hvp(np), rtol=TOLERANCE, atol=TOLERANCE)


def test_grid_sample_double_backward_on_the_device(gpu):
    rng = np.random.default_rng(8)
    U, theta = rng.standard_normal((2, 2, 5, 6)), np.eye(2, 3) + 0.2 * rng.standard_normal((2, 2, 3))

    def second_order(xp, mode, padding_mode):
        u, t = (Tensor(xp.asarray(a), requires_grad=True) for a in (U, theta))
        V = F.grid_sample(u, F.affine_grid(t, (2, 2, 4, 3)), mode, padding_mode)
        gu, gt = grad((V * V).sum(), [u, t], create_graph=True)
        results = grad((gu * gu).sum() + (gt * gt).sum(), [u, t])
        assert all(type(r.data) is xp.ndarray for r in results)
        return [to_numpy(r.data) for r in results]

    for mode in ("bilinear", "nearest"):
        for padding_mode in ("zeros", "border", "reflection"):
            for e, a in zip(second_order(np, mode, padding_mode), second_order(gpu, mode, padding_mode)):
                np.testing.assert_allclose(a, e, rtol=TOLERANCE, atol=TOLERANCE * max(1.0, np.abs(e).max()))
