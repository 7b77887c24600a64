"""Forward values and every gradient equal torch.nn.functional's to 1e-10, in float64."""
import numpy as np
import pytest
from hypothesis import given, settings

import ministn
import ministn.functional as F
from ministn import Tensor
from strategies import classification_cases, conv_cases, generator, normal, pool_cases, well_separated

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = dict(rtol=0, atol=1e-10)


def _run_both(ministn_fn, torch_fn, arrays, differentiable, seed=0):
    """Apply both with the same random upstream gradient; return outputs and input grads."""
    ours = [Tensor(a, requires_grad=d) for a, d in zip(arrays, differentiable)]
    theirs = [torch.tensor(a, requires_grad=d) for a, d in zip(arrays, differentiable)]
    out, t_out = ministn_fn(*ours), torch_fn(*theirs)
    upstream = normal(generator(seed), out.shape)
    out.backward(upstream)
    t_out.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), **TOL)
    for mine, yours, d in zip(ours, theirs, differentiable):
        if d:
            np.testing.assert_allclose(mine.grad, yours.grad.numpy(), **TOL)


@settings(max_examples=15)
@given(case=conv_cases(max_side=7))
def test_conv2d_equals_torch(case):
    rng = generator(case["seed"])
    arrays = [normal(rng, case["x_shape"]), normal(rng, case["w_shape"])]
    if case["bias"]:
        arrays.append(normal(rng, case["w_shape"][:1]))
    options = dict(stride=case["stride"], padding=case["padding"])
    _run_both(lambda *a: F.conv2d(*a, **options), lambda *a: TF.conv2d(*a, **options),
              arrays, [True] * len(arrays))


def test_conv2d_with_stride_and_padding_pairs_equals_torch():
    rng = generator(3)
    arrays = [normal(rng, (2, 3, 7, 6)), normal(rng, (4, 3, 3, 2)), normal(rng, (4,))]
    options = dict(stride=(2, 1), padding=(1, 0))
    _run_both(lambda *a: F.conv2d(*a, **options), lambda *a: TF.conv2d(*a, **options),
              arrays, [True] * 3)


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
@given(case=pool_cases())
def test_pools_equal_torch(name, case):
    x = well_separated(generator(case["seed"]), case["x_shape"])
    options = dict(kernel_size=case["kernel_size"], stride=case["stride"], padding=case["padding"])
    _run_both(lambda a: getattr(F, name)(a, **options), lambda a: getattr(TF, name)(a, **options),
              [x], [True])


def test_linear_equals_torch():
    rng = generator(1)
    arrays = [normal(rng, (2, 3, 5)), normal(rng, (4, 5)), normal(rng, (4,))]
    _run_both(F.linear, TF.linear, arrays, [True] * 3)
    _run_both(F.linear, TF.linear, arrays[:2], [True] * 2)


@given(case=classification_cases())
def test_log_softmax_equals_torch(case):
    _run_both(lambda z: F.log_softmax(z, dim=1), lambda z: TF.log_softmax(z, dim=1),
              [case["logits"]], [True])


@given(case=classification_cases())
def test_nll_loss_and_cross_entropy_equal_torch(case):
    target, reduction = case["target"], case["reduction"]
    t_target = torch.tensor(target)
    log_probs = case["logits"] - np.log(np.exp(case["logits"]).sum(axis=1, keepdims=True))
    _run_both(lambda a: F.nll_loss(a, target, reduction=reduction),
              lambda a: TF.nll_loss(a, t_target, reduction=reduction), [log_probs], [True])
    _run_both(lambda a: F.cross_entropy(a, target, reduction=reduction),
              lambda a: TF.cross_entropy(a, t_target, reduction=reduction), [case["logits"]], [True])


@pytest.mark.parametrize("name, shape", [("dropout", (400, 50)), ("dropout2d", (40, 50, 2, 2))])
@pytest.mark.parametrize("p", [0.25, 0.5])
def test_dropout_scaling_and_eval_behaviour_equal_torch(name, shape, p):
    """The masks come from different generators; the rule around them must be the same."""
    x = 1 + generator(2).random(shape)
    ministn.manual_seed(0)
    torch.manual_seed(0)
    ours = getattr(F, name)(Tensor(x), p).data
    theirs = getattr(TF, name)(torch.tensor(x), p).numpy()
    for y in (ours, theirs):
        kept = y != 0
        np.testing.assert_allclose(y[kept] / x[kept], 1 / (1 - p), rtol=1e-14)   # inverted scaling
        assert abs(kept.mean() - (1 - p)) < 0.03
        if name == "dropout2d":   # whole channels: every pixel of a channel shares its fate
            assert np.all(kept.all(axis=(2, 3)) | ~kept.any(axis=(2, 3)))
    np.testing.assert_array_equal(getattr(F, name)(Tensor(x), p, training=False).data,
                                  getattr(TF, name)(torch.tensor(x), p, training=False).numpy())
