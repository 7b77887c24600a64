"""Lesson 01: tensors and the autograd tape.

What you will learn: how reverse-mode automatic differentiation works. A forward pass records
every operation on a "tape" (a graph); backward walks that graph in reverse and applies the
chain rule once per node. We build a 40-line scalar engine first (in the style of Karpathy's
micrograd), draw its graph, and then check that ministn's Tensor gives the same numbers.

Assumes: Python and NumPy; the chain rule from calculus.
Run:     python lessons/01_autograd.py
Writes:  figures/01_autograd.png (the computation graph of one neuron, values and gradients)
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

FIGURES = pathlib.Path(os.environ.get("MINISTN_FIGURES", pathlib.Path(__file__).resolve().parents[1] / "figures"))

# %% [markdown]
# A toy engine. Every `Value` stores a number, its gradient dL/d(value), the values it was made
# from, and a closure `_backward` that knows the local derivative. For z = x * y the chain rule
# gives dL/dx = dL/dz * y and dL/dy = dL/dz * x; for z = x + y both are dL/dz; for
# z = tanh(x), dL/dx = dL/dz * (1 - z^2). Gradients are *added* (`+=`), because a value that
# feeds two operations receives a contribution from each.

# %%
class Value:
    def __init__(self, data, parents=(), op="", label=""):
        self.data, self.grad = float(data), 0.0
        self.parents, self.op, self.label = parents, op, label
        self._backward = lambda: None

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")
        def _backward():                     # dz/dx = 1, dz/dy = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")
        def _backward():                     # dz/dx = y, dz/dy = x
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(np.tanh(self.data), (self,), "tanh")
        def _backward():                     # dz/dx = 1 - z^2
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        # Order the graph so that every node comes after everything it was built from
        # (a topological sort), then run the closures from the output back to the inputs.
        order, seen = [], set()
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v.parents:
                    visit(p)
                order.append(v)
        visit(self)
        self.grad = 1.0                      # dL/dL = 1 seeds the chain rule
        for v in reversed(order):
            v._backward()
        return order

# %% [markdown]
# One neuron, o = tanh(x1*w1 + x2*w2 + b). The forward pass computes the numbers and, as a side
# effect, records the graph. By hand: do/dn = 1 - o^2, so do/dw1 = (1 - o^2) * x1 and
# do/dx1 = (1 - o^2) * w1. The bias is chosen so that n = 0.8814 and o = tanh(n) = 1/sqrt(2).

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.881373587019543, label="b")
x1w1 = x1 * w1; x1w1.label = "x1*w1"
x2w2 = x2 * w2; x2w2.label = "x2*w2"
s = x1w1 + x2w2; s.label = "s"
n = s + b; n.label = "n"
o = n.tanh(); o.label = "o"
tape = o.backward()

local = 1 - o.data ** 2
print(f"o = {o.data:.4f}; do/dn = 1 - o^2 = {local:.4f}")
print(f"do/dw1 = {w1.grad:.4f} (by hand {local * x1.data:.4f}); do/dx1 = {x1.grad:.4f} "
      f"(by hand {local * w1.data:.4f})")
assert abs(w1.grad - local * x1.data) < 1e-12 and abs(x1.grad - local * w1.data) < 1e-12

# %% [markdown]
# The same computation with ministn. `ministn.Tensor` plays the role of `Value`, but holds a whole
# array, and each operation is a `Function` with a `forward` and a `backward` on arrays
# (read ministn/autograd.py: the engine is this lesson's toy made array-valued, with an
# iterative sort instead of recursion so that deep graphs do not hit Python's recursion limit).

# %%
def leaf(value):
    return ministn.tensor(np.array(value), requires_grad=True)

tx1, tx2, tw1, tw2, tb = (leaf(v.data) for v in (x1, x2, w1, w2, b))
to = F.tanh(tx1 * tw1 + tx2 * tw2 + tb)
to.backward()
for toy, t in ((x1, tx1), (x2, tx2), (w1, tw1), (w2, tw2), (b, tb)):
    print(f"{toy.label:>2}: toy engine {toy.grad:+.6f}   ministn {t.grad.item():+.6f}")
    assert abs(toy.grad - t.grad.item()) < 1e-12

# %% [markdown]
# Gradients accumulate. In y = x * x + x the tensor x is used three times, so
# dy/dx = x + x + 1 = 2x + 1: each use sends its own contribution back, and they are summed.
# Under `ministn.no_grad()` nothing is recorded, which is what inference and optimiser
# updates want.

# %%
x = ministn.tensor(np.array([-1.0, 0.5, 3.0]), requires_grad=True)
y = (x * x + x).sum()
y.backward()
print("dy/dx =", x.grad, " expected 2x + 1 =", 2 * x.data + 1)
assert np.allclose(x.grad, 2 * x.data + 1)
with ministn.no_grad():
    assert not (x * x).requires_grad

# %% [markdown]
# Arrays work the same way. For a layer y = tanh(X W + c) and L = sum(y), the chain rule in
# matrix form is dL/dW = X^T (1 - y^2) and dL/dc = sum over rows of (1 - y^2): the backward of
# a matrix product multiplies by the *transpose* of the other operand.
#
# Why is c's gradient a *sum*? X W has 5 rows and c only 2 entries, so `X @ W + c` broadcasts:
# it adds the same c to every row, z[i, j] = (X W)[i, j] + c[j]. That is c used five times, once
# per row, exactly like x used three times above; each use sends back dL/dz[i, j], and the
# contributions add up: dL/dc[j] = sum_i dL/dz[i, j]. Broadcasting in the forward pass is a sum
# over the broadcast axis in the backward pass (ministn's `add` backward does this reduction).

# %%
rng = np.random.default_rng(0)
X = ministn.tensor(rng.standard_normal((5, 3)))
W = ministn.tensor(rng.standard_normal((3, 2)), requires_grad=True)
c = ministn.tensor(rng.standard_normal(2), requires_grad=True)
Y = F.tanh(X @ W + c)
Y.sum().backward()
dY = 1 - Y.data ** 2
assert W.grad.shape == W.shape and np.allclose(W.grad, X.data.T @ dY)
assert np.allclose(c.grad, dY.sum(axis=0))
print("dL/dW matches X^T (1 - y^2); dL/dc matches sum_rows (1 - y^2)")

# %% [markdown]
# Draw the tape. Each value sits in a column given by its depth (inputs at depth 0), and each
# box shows the forward value and the gradient that backward left in it.

# %%
depth, consumers = {}, {}
for v in tape:  # topological order: parents are placed before children
    depth[id(v)] = 1 + max((depth[id(p)] for p in v.parents), default=-1)
    for p in v.parents:
        consumers.setdefault(id(p), []).append(v)
for v in tape:  # an input sits just left of the first operation that uses it
    if not v.parents:
        depth[id(v)] = min(depth[id(c)] for c in consumers[id(v)]) - 1
columns = {}
for v in tape:
    columns.setdefault(depth[id(v)], []).append(v)
position = {}
for d, vs in columns.items():
    for k, v in enumerate(vs):
        position[id(v)] = (d * 3.0, 1.3 * ((len(vs) - 1) / 2 - k))

fig, ax = plt.subplots(figsize=(11, 5.2))
for v in tape:
    xv, yv = position[id(v)]
    for p in v.parents:
        xp_, yp = position[id(p)]
        ax.annotate("", xy=(xv - 0.95, yv), xytext=(xp_ + 0.95, yp),
                    arrowprops=dict(arrowstyle="->", color="0.4", lw=1.2))
    if v.op:
        ax.text(xv - 1.25, yv + 0.3, v.op, ha="center", fontsize=14, color="tab:red", weight="bold")
    colour = "#dbe9f6" if not v.parents else "#fde9d0"
    ax.text(xv, yv, f"{v.label}\ndata {v.data:+.3f}\ngrad {v.grad:+.3f}", ha="center", va="center",
            fontsize=11, family="monospace", bbox=dict(boxstyle="round", fc=colour, ec="0.3"))
ax.set_xlim(-1.3, 3.0 * max(columns) + 1.3)
ax.set_ylim(-3.0, 3.0)
ax.set_xticks([3.0 * d for d in columns], [f"stage {d}" for d in columns])
ax.set_yticks([])
ax.set_xlabel("forward pass: left to right;  backward pass (chain rule): right to left")
ax.set_title("The tape of o = tanh(x1*w1 + x2*w2 + b): each box holds its value and do/d(value)\n"
             "(blue: inputs, orange: recorded intermediate results)", fontsize=12)
for side in ("top", "right", "left"):
    ax.spines[side].set_visible(False)
fig.tight_layout()
FIGURES.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURES / "01_autograd.png", dpi=110)
print("wrote", FIGURES / "01_autograd.png")

# %% [markdown]
# What this lesson showed: the toy engine, ministn, and the hand-derived chain rule agree, and a
# value used twice collects both contributions. The check below reuses one toy value in
# a * a + a (da = 2a + 1 = 7 at a = 3); it fails if the closures assign (`=`) instead of
# accumulating (`+=`), and the first line fails if a local derivative is wrong (say 1 - z
# instead of 1 - z^2 for tanh).

# %%
assert abs(w1.grad - tw1.grad.item()) < 1e-12 and abs(w1.grad - (1 - o.data ** 2) * x1.data) < 1e-12
a = Value(3.0)
(a * a + a).backward()
print(f"toy engine: d(a*a + a)/da at a = 3 is {a.grad} (2a + 1 = 7)")
assert a.grad == 7.0

# %% [markdown]
# Try this:
# 1. Add `__pow__` (z = x ** k for a constant k, dz/dx = k x^(k-1)) to `Value` and check
#    d(x ** 3)/dx at x = 2 against 3 x^2 = 12. (Solution: lessons/solutions/01_autograd.py.)
# 2. Build L = tanh(x) * tanh(x) from a *single* `tanh` node and predict dL/dx at x = 0.5
#    before running backward (2 tanh(x) (1 - tanh^2 x) = 0.7269). (Same solution file.)
# 3. Replace `+=` by `=` in `__mul__`'s closure and run the lesson: which assertion fails first,
#    and why does the neuron's gradient survive it? (Same solution file.)
