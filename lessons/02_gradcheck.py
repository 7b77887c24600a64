"""Lesson 02: checking a gradient with finite differences.

What you will learn: how to test a hand-written backward pass. The derivative is a limit,
f'(x) = lim (f(x + eps) - f(x - eps)) / (2 eps), so we can approximate it numerically and
compare. You will see why the check is done in float64 with central differences and eps near
1e-6, why the upstream gradient must be random (not all ones), and what a wrong backward looks
like when `ministn.gradcheck` catches it.

Assumes: lesson 01 (Tensor, Function, backward).
Run:     python lessons/02_gradcheck.py
Writes:  figures/02_gradcheck.png (error versus eps; a buggy derivative against the numeric one)
"""
# %%
import os
import pathlib

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import ministn
import ministn.functional as F
from ministn.gradcheck import GradcheckError

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# How small should eps be? Two errors pull in opposite directions. Taylor's theorem gives the
# *truncation* error: forward differences (f(x+eps) - f(x)) / eps are off by about eps f''/2,
# central differences by only eps^2 f'''/6. Floating point gives the *rounding* error: f is
# known to about u |f| (u = 2.2e-16 in float64, 1.2e-7 in float32), and dividing by eps
# magnifies that to u |f| / eps. The total is smallest near eps = u^(1/3) for central
# differences: about 6e-6 in float64, but 5e-3 in float32, where the best error is only 1e-5.
# That is why gradient checks run in float64.

# %%
def central_error(f, df, x, eps, dtype):
    x, e = dtype(x), dtype(eps)
    numeric = (f(x + e) - f(x - e)) / (dtype(2) * e)
    return abs(float(numeric) - df(float(x))) / abs(df(float(x)))

def forward_error(f, df, x, eps, dtype):
    x, e = dtype(x), dtype(eps)
    return abs(float((f(x + e) - f(x)) / e) - df(float(x))) / abs(df(float(x)))

f, df, x0 = np.tanh, lambda x: 1 - np.tanh(x) ** 2, 0.7
epsilons = np.logspace(-12, -1, 45)
curves = {
    "central, float64": [central_error(f, df, x0, e, np.float64) for e in epsilons],
    "forward, float64": [forward_error(f, df, x0, e, np.float64) for e in epsilons],
    "central, float32": [central_error(f, df, x0, e, np.float32) for e in epsilons],
}
best = min(curves["central, float64"])
print(f"best relative error, central differences in float64: {best:.1e}")
assert best < 1e-9 and min(curves["central, float32"]) > 1e-6

# %% [markdown]
# `ministn.gradcheck(fn, inputs)` applies this idea to whole tensors. It draws a random upstream
# gradient v, lets backward compute the vector-Jacobian product a = J^T v, and perturbs each
# input element to get the numeric n_j = (<v, f(x + eps e_j)> - <v, f(x - eps e_j)>) / (2 eps).
# It raises unless max|a - n| / max(|a|, |n|) <= 1e-6. Here it passes for a small layer.

# %%
rng = np.random.default_rng(0)
X = ministn.tensor(rng.standard_normal((4, 3)), requires_grad=True)
W = ministn.tensor(rng.standard_normal((3, 2)), requires_grad=True)
assert ministn.gradcheck(lambda X, W: F.tanh(X @ W), [X, W])
print("gradcheck passes for tanh(X @ W)")

# %% [markdown]
# Now a user-written op with a mistake. Softplus is y = log(1 + e^x), and its derivative is the
# logistic sigmoid, dy/dx = 1 / (1 + e^-x). The buggy backward below writes e^x where it
# should write e^-x, giving 1 / (1 + e^x) = sigmoid(-x): right at x = 0, wrong everywhere else.

# %%
class BuggySoftplus(ministn.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.logaddexp(0, x)                       # log(1 + e^x), computed stably

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out / (1 + np.exp(ctx.x))           # BUG: should be exp(-ctx.x)

def caught_by_gradcheck(fn, x, **options):
    """True when gradcheck rejects fn's backward at x (and prints why)."""
    try:
        ministn.gradcheck(fn, [x], **options)
        return False
    except GradcheckError as error:
        print("  caught:", error)
        return True

x = ministn.tensor(rng.standard_normal(6), requires_grad=True)
softplus_caught = caught_by_gradcheck(BuggySoftplus.apply, x)

# %% [markdown]
# A subtler mistake: an op that shifts a vector circularly, y[i] = x[i - 1]. Its backward must
# shift the gradient the *other* way, dx[i] = dy[i + 1]. The buggy version shifts it the same
# way. With an all-ones upstream gradient (what `loss = y.sum()` sends back) both versions
# return all ones, so a check against `sum(f(x))` passes a wrong backward. A random upstream
# gradient catches it. Transposition errors in matrix code hide in exactly this way.

# %%
class BuggyRoll(ministn.Function):
    @staticmethod
    def forward(ctx, x):
        return np.roll(x, 1)                            # y[i] = x[i - 1]

    @staticmethod
    def backward(ctx, grad_out):
        return np.roll(grad_out, 1)                     # BUG: should be np.roll(grad_out, -1)

x = ministn.tensor(rng.standard_normal(6), requires_grad=True)
roll_caught_by_ones = caught_by_gradcheck(BuggyRoll.apply, x, upstream=np.ones(6))
print("all-ones upstream gradient: the wrong roll backward", "is caught" if roll_caught_by_ones else "PASSES")
roll_caught = caught_by_gradcheck(BuggyRoll.apply, x)
print("random upstream gradient: the wrong roll backward", "is caught" if roll_caught else "passes")

# %% [markdown]
# The figure: on the left, the error of the numeric derivative against eps (the V shape of
# truncation against rounding); on the right, the buggy softplus derivative against central
# differences of the forward pass.

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2))
for (label, errors), style in zip(curves.items(), ("o-", "s--", "^-")):
    ax0.loglog(epsilons, np.maximum(errors, 1e-17), style, ms=3, label=label)
ax0.axvline(np.finfo(np.float64).eps ** (1 / 3), color="0.6", ls=":", label="u^(1/3), float64")
ax0.set_xlabel("step eps")
ax0.set_ylabel("relative error of d tanh / dx at x = 0.7")
ax0.set_title("Finite differences: truncation vs rounding")
ax0.legend(fontsize=9)

grid = np.linspace(-4, 4, 161)
xs = ministn.tensor(grid.copy(), requires_grad=True)
BuggySoftplus.apply(xs).backward(np.ones_like(grid))
eps = 1e-6
numeric = (np.logaddexp(0, grid + eps) - np.logaddexp(0, grid - eps)) / (2 * eps)
ax1.plot(grid, numeric, lw=3, label="central differences = sigmoid(x)")
ax1.plot(grid, xs.grad, "--", lw=2, label="buggy backward = sigmoid(-x)")
ax1.set_xlabel("x")
ax1.set_ylabel("d softplus / dx")
ax1.set_title("A wrong backward, seen against the numeric one")
ax1.set_ylim(-0.05, 1.3)
ax1.legend(fontsize=9, loc="upper center")
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "02_gradcheck.png", dpi=110)
print("wrote", FIGURES / "02_gradcheck.png")

# %% [markdown]
# What this lesson showed: central differences in float64 reach a relative error near 1e-10,
# enough to tell a right backward from a wrong one. gradcheck accepts the correct softplus
# (backward = sigmoid(x)) and rejects both bugs, but the roll bug only with a random upstream
# gradient. The check below fails if gradcheck is run with an all-ones upstream gradient (the
# roll bug slips through), or if the softplus backward is left as sigmoid(-x).

# %%
class Softplus(ministn.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out / (1 + np.exp(-ctx.x))          # sigmoid(x)

assert ministn.gradcheck(Softplus.apply, [ministn.tensor(rng.standard_normal(6), requires_grad=True)])
assert softplus_caught and roll_caught and not roll_caught_by_ones
assert np.max(np.abs(numeric - 1 / (1 + np.exp(-grid)))) < 1e-9

# %% [markdown]
# Try this:
# 1. Find the eps that minimises the *forward*-difference error in float64, and compare it with
#    the rule of thumb u^(1/2) (about 1.5e-8). (Solution: lessons/solutions/02_gradcheck.py.)
# 2. Write a `Square` Function (y = x^2) whose backward forgets the factor 2; by how much does
#    gradcheck say it is off? (The relative error is 0.5; same solution file.)
# 3. Run `ministn.gradcheck(F.relu, [x])` with an x that has an entry at exactly 0, and explain
#    the failure: which one-sided slope does the backward return, and what do central
#    differences average?
