"""Solutions to lesson 02's exercises (run: python lessons/solutions/02_gradcheck.py)."""
import numpy as np

import ministn
import ministn.functional as F
from ministn.gradcheck import GradcheckError

# Exercise 1: the forward difference's error is truncation eps |f''|/2 plus rounding u|f|/eps,
# smallest near eps = sqrt(u) ~ 1.5e-8 (up to a factor that depends on f).
f, df, x0 = np.tanh, lambda x: 1 - np.tanh(x) ** 2, 0.7
epsilons = np.logspace(-12, -2, 201)
errors = [abs((f(x0 + e) - f(x0)) / e - df(x0)) / df(x0) for e in epsilons]
best = epsilons[int(np.argmin(errors))]
print(f"exercise 1: best forward-difference eps {best:.1e} (sqrt(u) = {np.sqrt(np.finfo(float).eps):.1e})")
assert 1e-9 < best < 1e-6


# Exercise 2: a Square whose backward forgets the factor 2 returns half the true gradient:
# |x - 2x| / |2x| = 0.5 relative error.
class BuggySquare(ministn.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * x

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.x                          # BUG: should be 2 * x


x = ministn.tensor(np.random.default_rng(0).standard_normal(5), requires_grad=True)
try:
    ministn.gradcheck(BuggySquare.apply, [x])
    raise RuntimeError("gradcheck should have failed")
except GradcheckError as error:
    relative = float(str(error).split("relative error ")[1].split()[0])
    print(f"exercise 2: {error}")
    assert abs(relative - 0.5) < 1e-6

# Exercise 3: at x = 0 exactly, relu's backward returns 0 (the slope on the left), while central
# differences see (relu(eps) - relu(-eps)) / (2 eps) = 1/2, the average of the two slopes.
x = ministn.tensor(np.array([0.0, 1.0, -1.0]), requires_grad=True)
F.relu(x).backward(np.ones(3))
numeric = (np.maximum(1e-6, 0) - np.maximum(-1e-6, 0)) / 2e-6
print(f"exercise 3: relu backward at 0 gives {x.grad[0]}, central differences {numeric}")
assert x.grad[0] == 0.0 and abs(numeric - 0.5) < 1e-9
try:
    ministn.gradcheck(F.relu, [ministn.tensor(np.array([0.0, 1.0, -1.0]), requires_grad=True)])
    raise RuntimeError("gradcheck should have failed at the kink")
except GradcheckError:
    pass
