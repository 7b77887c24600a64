"""Solutions to lesson 01's exercises (run: python lessons/solutions/01_autograd.py)."""
import numpy as np


class Value:
    """Lesson 01's toy engine, with the exercise's __pow__ added."""

    def __init__(self, data, parents=()):
        self.data, self.grad, self.parents = float(data), 0.0, parents
        self._backward = lambda: None

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other))
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other))
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):                                # exercise 1: dz/dx = k x^(k-1)
        out = Value(self.data ** k, (self,))
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(np.tanh(self.data), (self,))
        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v.parents:
                    visit(p)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


# Exercise 1: d(x^3)/dx at x = 2 is 3 x^2 = 12.
x = Value(2.0)
(x ** 3).backward()
print("exercise 1: d(x**3)/dx at 2 =", x.grad)
assert x.grad == 12.0

# Exercise 2: one tanh node t used twice in L = t * t: dL/dt = 2t, dL/dx = 2 tanh(x)(1 - tanh^2 x).
x = Value(0.5)
t = x.tanh()
(t * t).backward()
expected = 2 * np.tanh(0.5) * (1 - np.tanh(0.5) ** 2)
print(f"exercise 2: dL/dx = {x.grad:.4f}, by hand {expected:.4f}")
assert abs(x.grad - expected) < 1e-12 and round(expected, 4) == 0.7269


# Exercise 3: with `=` instead of `+=` in __mul__, a * a + a at a = 3 gives 3, not 7: the add
# node's contribution (1) is overwritten by the multiply's, and of the two uses inside a * a only
# the last assignment survives. The neuron survives because no value in it feeds two operations.
class Overwriting(Value):
    def __mul__(self, other):
        out = Overwriting(self.data * other.data, (self, other))
        def _backward():
            self.grad = other.data * out.grad             # the mistake
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


a = Overwriting(3.0)
(a * a + a).backward()
print("exercise 3: with `=` in __mul__, d(a*a + a)/da =", a.grad, "instead of 7")
assert a.grad == 3.0
