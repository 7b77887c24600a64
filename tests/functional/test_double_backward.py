"""Second order: gradgradcheck of every twice-differentiable op (float64, relative error 1e-6).

Each case checks the double backward against central differences of the first-order gradient
(ministn.gradgradcheck), for the op alone and, where the op is linear in its input (so its own
second derivative is 0), followed by a square or tanh so that the upstream gradient depends on
the input too. Inputs are kept away from kinks by construction (strategies.py).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ministn.functional as F
from ministn import Tensor, gradgradcheck
from spatial_strategies import homographies, output_sizes, thetas, tps_offsets
from strategies import (away_from_zero, broadcast_shapes, classification_cases, conv_cases,
                        generator, normal, pool_cases, positive, reductions, seeds, shapes,
                        well_separated)


def leaf(array):
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def square(y):
    return y * y


@given(shapes=broadcast_shapes(), seed=seeds,
       op=st.sampled_from(["add", "sub", "mul", "div", "matmul-like"]))
def test_binary_ops_are_twice_differentiable_with_broadcasting(shapes, seed, op):
    rng = generator(seed)
    x = leaf(normal(rng, shapes[0]))
    y = leaf(positive(rng, shapes[1]))
    fn = {"add": lambda a, b: square(a + b), "sub": lambda a, b: square(a - b),
          "mul": lambda a, b: a * b * a, "div": lambda a, b: a / b,
          "matmul-like": lambda a, b: (a * b).exp()}[op]
    assert gradgradcheck(fn, [x, y])


@given(shape=shapes(min_dims=1), seed=seeds,
       op=st.sampled_from(["neg", "exp", "log", "pow 3", "pow -1.5", "tanh", "sigmoid"]))
def test_unary_ops_are_twice_differentiable(shape, seed, op):
    x = leaf(positive(generator(seed), shape))
    fn = {"neg": lambda a: square(-a), "exp": F.exp, "log": F.log, "pow 3": lambda a: a ** 3,
          "pow -1.5": lambda a: a ** -1.5, "tanh": F.tanh, "sigmoid": F.sigmoid}[op]
    assert gradgradcheck(fn, [x])


@given(data=st.data(), seed=seeds)
def test_sum_mean_reshape_permute_getitem_are_twice_differentiable(data, seed):
    shape = data.draw(shapes(min_dims=2, max_dims=3))
    axis = data.draw(reductions(shape))
    keepdims = data.draw(st.booleans())
    x = leaf(normal(generator(seed), shape))
    assert gradgradcheck(lambda a: square(F.sum(a * a, axis, keepdims)), [x])
    assert gradgradcheck(lambda a: square(F.mean(a, axis, keepdims)), [x])
    assert gradgradcheck(lambda a: square(a.reshape(-1)).permute(0), [x])
    assert gradgradcheck(lambda a: square(a.transpose(0, 1)), [x])
    index = np.array([0, shape[0] - 1, 0])                    # repeated rows accumulate
    assert gradgradcheck(lambda a: square(a[index]) + a[:1] * 0.5, [x])


@given(n=st.integers(1, 3), k=st.integers(1, 4), m=st.integers(1, 3), seed=seeds,
       batched=st.booleans())
def test_matmul_is_twice_differentiable(n, k, m, seed, batched):
    rng = generator(seed)
    x = leaf(normal(rng, (2, n, k) if batched else (n, k)))
    y = leaf(normal(rng, (k, m)))
    assert gradgradcheck(lambda a, b: square(a @ b), [x, y])


@given(shape=shapes(min_dims=1), seed=seeds)
def test_relu_second_derivative_is_zero_away_from_the_kink(shape, seed):
    x = leaf(away_from_zero(generator(seed), shape))
    assert gradgradcheck(F.relu, [x])                          # d2 relu / dx2 = 0
    assert gradgradcheck(lambda a: square(F.relu(a)), [x])     # = 2 [x > 0]


@given(shape=shapes(min_dims=4, max_dims=4), seed=seeds, p=st.sampled_from([0.0, 0.3, 1.0]))
def test_dropout_is_twice_differentiable_with_its_mask_fixed(shape, seed, p):
    import ministn
    x = leaf(normal(generator(seed), shape))

    def fn(a):
        ministn.manual_seed(seed % 1000)                          # the same mask every call
        return square(F.dropout(a, p)) + F.dropout2d(a, p)
    assert gradgradcheck(fn, [x])


@settings(max_examples=15)
@given(n=st.integers(1, 3), fin=st.integers(1, 4), fout=st.integers(1, 3), seed=seeds,
       bias=st.booleans(), three_d=st.booleans())
def test_linear_is_twice_differentiable(n, fin, fout, seed, bias, three_d):
    rng = generator(seed)
    inputs = [leaf(normal(rng, (2, n, fin) if three_d else (n, fin))), leaf(normal(rng, (fout, fin)))]
    inputs += [leaf(normal(rng, (fout,)))] if bias else []
    assert gradgradcheck(lambda *a: F.tanh(F.linear(*a)), inputs)


@given(case=classification_cases())
def test_log_softmax_and_cross_entropy_are_twice_differentiable(case):
    z = leaf(case["logits"])
    assert gradgradcheck(lambda a: F.log_softmax(a, dim=1), [z])
    assert gradgradcheck(lambda a: F.log_softmax(a, dim=0), [z])
    assert gradgradcheck(lambda a: F.cross_entropy(a, case["target"], case["reduction"]), [z])
    assert gradgradcheck(lambda a: F.nll_loss(square(a), case["target"], case["reduction"]), [z])


@settings(max_examples=10)
@given(case=conv_cases(max_side=5))
def test_conv2d_is_twice_differentiable(case):
    rng = generator(case["seed"])
    inputs = [leaf(normal(rng, case["x_shape"])), leaf(normal(rng, case["w_shape"]))]
    inputs += [leaf(normal(rng, case["w_shape"][:1]))] if case["bias"] else []
    options = dict(stride=case["stride"], padding=case["padding"])
    assert gradgradcheck(lambda *a: square(F.conv2d(*a, **options)), inputs)


@settings(max_examples=10)
@given(case=conv_cases(max_side=4))
def test_conv2d_is_three_times_differentiable(case):
    # the third order goes through Conv2dInputGrad's and Conv2dWeightGrad's own backward passes
    from ministn import grad
    rng = generator(case["seed"])
    x, w = leaf(normal(rng, case["x_shape"])), leaf(normal(rng, case["w_shape"]))
    options = dict(stride=case["stride"], padding=case["padding"])

    def gradient_norm(a, b):
        gx, gw = grad(square(F.conv2d(a, b, **options)).sum(), [a, b], create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()
    assert gradgradcheck(gradient_norm, [x, w])


@settings(max_examples=15)
@given(case=pool_cases(max_side=5), kind=st.sampled_from(["max", "avg"]))
def test_pools_are_twice_differentiable(case, kind):
    x = leaf(well_separated(generator(case["seed"]), case["x_shape"]))
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    options = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"])
    assert gradgradcheck(lambda a: pool(a, **options), [x])          # linear in x there: 0
    assert gradgradcheck(lambda a: square(pool(a, **options)), [x])


@pytest.mark.filterwarnings("ignore:affine_grid.*spatial axis of size 1:UserWarning")  # drawn sizes may be 1
@settings(max_examples=15)
@given(data=st.data(), align_corners=st.booleans())
def test_affine_grid_is_twice_differentiable(data, align_corners):
    size = data.draw(output_sizes(max_size=4))
    theta = leaf(data.draw(thetas(size[0])))
    assert gradgradcheck(lambda t: F.affine_grid(t, size, align_corners), [theta])
    assert gradgradcheck(lambda t: F.tanh(F.affine_grid(t, size, align_corners)), [theta])


@settings(max_examples=15)
@given(data=st.data(), align_corners=st.booleans(), eight=st.booleans())
def test_perspective_grid_is_twice_differentiable(data, align_corners, eight):
    size = data.draw(output_sizes(max_size=4))
    theta = leaf(data.draw(homographies(size[0], eight)))
    assert gradgradcheck(lambda t: F.perspective_grid(t, size, align_corners), [theta])


@settings(max_examples=10)
@given(data=st.data(), align_corners=st.booleans(), grid_size=st.integers(2, 3))
def test_tps_grid_is_twice_differentiable(data, align_corners, grid_size):
    size = data.draw(output_sizes(max_size=4))
    offsets = leaf(data.draw(tps_offsets(size[0], grid_size)))
    fn = lambda t: square(F.tps_grid(t, size, align_corners, grid_size))  # noqa: E731
    assert gradgradcheck(fn, [offsets])

