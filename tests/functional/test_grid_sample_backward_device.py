"""grid_sample's second order for volumes (trilinear, nearest) and bicubic on the 'gpu' device
(CuPy, or tests/fake_cupy.py without a GPU, which refuses host arrays) equals NumPy's."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor, grad
from ministn.backend import to_numpy

TOLERANCE = 1e-10


@pytest.mark.parametrize("volume,mode", [(True, "bilinear"), (True, "nearest"),
                                         (False, "bicubic")])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_new_modes_double_backward_on_the_device(gpu, volume, mode, padding_mode):
    rng = np.random.default_rng(9)
    D = 3 if volume else 2
    U = rng.standard_normal((2, 2, 4, 5, 3) if volume else (2, 2, 5, 6))
    theta = np.eye(D, D + 1) + 0.2 * rng.standard_normal((2, D, D + 1))
    size = (2, 2, 3, 4, 2) if volume else (2, 2, 4, 3)

    def second_order(xp):
        u, t = (Tensor(xp.asarray(a), requires_grad=True) for a in (U, theta))
        V = F.grid_sample(u, F.affine_grid(t, size), mode, padding_mode)
        gu, gt = grad((V * V).sum(), [u, t], create_graph=True)
        results = grad((gu * gu).sum() + (gt * gt).sum(), [u, t])
        assert all(type(r.data) is xp.ndarray for r in results)
        return [to_numpy(r.data) for r in results]

    for a, e in zip(second_order(gpu), second_order(np)):
        np.testing.assert_allclose(a, e, rtol=TOLERANCE, atol=TOLERANCE * max(1.0, np.abs(e).max()))
