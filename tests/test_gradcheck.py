"""gradcheck and check_adjoint: they pass correct backwards and catch wrong ones."""
import numpy as np
import pytest

import ministn.functional as F
from ministn import Function, Tensor, gradcheck
from ministn.gradcheck import GradcheckError, check_adjoint


def leaf(shape, seed=0, dtype=np.float64):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


class TransposedBackward(Function):
    """y = A x with a backward that forgets the transpose: the bug an all-ones upstream can hide."""

    @staticmethod
    def forward(ctx, x, *, A):
        ctx.save(A=A)
        return A @ x

    @staticmethod
    def backward(ctx, grad_out):
        return ctx.A @ grad_out  # wrong: should be A.T @ grad_out


class ScaledBackward(Function):
    """y = x^2 with a backward off by 0.1%: small, but far above the 1e-6 bound."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * x

    @staticmethod
    def backward(ctx, grad_out):
        return 2.002 * ctx.x * grad_out


def test_gradcheck_passes_a_correct_backward():
    x, w = leaf((3, 4)), leaf((5, 4), seed=1)
    assert gradcheck(lambda a, b: F.linear(a, b), [x, w]) is True


def test_gradcheck_catches_a_missing_transpose():
    A = np.random.default_rng(2).standard_normal((3, 3))
    with pytest.raises(GradcheckError, match="relative error"):
        gradcheck(lambda x: TransposedBackward.apply(x, A=A), [leaf((3, 2))])


def test_gradcheck_report_names_the_worst_element_and_both_values():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    with pytest.raises(GradcheckError) as error:
        gradcheck(ScaledBackward.apply, [x], upstream=np.ones(3))
    message = str(error.value)
    assert "input 0" in message and "index (2,)" in message   # |x| is largest at index 2
    assert "analytic 6.006" in message and "numeric 6" in message


def test_gradcheck_checks_only_inputs_that_require_grad():
    x, const = leaf((2, 3)), Tensor(np.ones((2, 3)))
    assert gradcheck(lambda a, b: a * b, [x, const])
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda a: a * 2, [Tensor(np.ones(2))])


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda a: a * 2, [leaf((2,), dtype=np.float32)])


def test_check_adjoint_holds_for_conv2d_in_its_input():
    w = np.random.default_rng(3).standard_normal((2, 3, 3, 2))
    assert check_adjoint(lambda x: F.conv2d(x, w, stride=2, padding=1), leaf((2, 3, 5, 6)))


def test_check_adjoint_catches_a_wrong_adjoint():
    A = np.random.default_rng(4).standard_normal((3, 3))
    with pytest.raises(GradcheckError, match="adjoint identity fails"):
        check_adjoint(lambda x: TransposedBackward.apply(x, A=A), leaf((3, 2), seed=5))


def test_check_adjoint_is_not_fooled_by_an_input_drawn_from_the_same_seed():
    """The upstream vector must not equal x when x comes from default_rng(seed) too."""
    A = np.random.default_rng(4).standard_normal((3, 3))
    with pytest.raises(GradcheckError, match="adjoint identity fails"):
        check_adjoint(lambda x: TransposedBackward.apply(x, A=A), leaf((3, 2), seed=0), seed=0)


def test_gradcheck_perturbs_non_contiguous_inputs():
    """A transposed (non-contiguous) input is still perturbed in place, so the check passes."""
    import numpy as np
    import ministn
    from ministn import functional as F
    x = ministn.Tensor(np.random.default_rng(3).standard_normal((4, 3)).T, requires_grad=True)
    assert not x.data.flags.c_contiguous
    assert ministn.gradcheck(lambda t: F.exp(t) * 2.0, [x])
