"""The backward pass: the chain rule over the recorded graph, once or to any order.

For ``y = f(x1, ..., xk)`` with upstream gradient dL/dy, in reverse topological order,

    dL/dx_i += f.backward(dL/dy)[i]        (summed over every use of x_i)

The sort is iterative (a 10,000-op chain does not hit Python's recursion limit) and gradients
of a tensor used twice accumulate.

Two modes, one loop:

* create_graph=False (training): gradients are plain arrays, each Function's fast array
  ``backward`` computes them, and the graph is freed as it is used. Nothing else runs.
* create_graph=True (second order): gradients are Tensors, and each Function's
  ``differentiable_backward`` computes them from the input and output Tensors with Tensor
  ops, so the gradients record a graph of their own and can be differentiated again. Those ops
  are either compositions of ops that already have one (mul, exp, matmul, sum, reshape, ...:
  Exp's is ``grad_out * output``) or, where the backward is its own kernel, a Function whose
  forward is the array backward and whose backward is the hand-derived double backward (as
  PyTorch's XBackward nodes: Conv2dInputGrad and Conv2dWeightGrad, whose own backward passes
  are again conv2d and each other, so the family closes and any order works). The graph of the
  first pass is kept (PyTorch's retain_graph = create_graph). An op with no
  ``differentiable_backward`` raises under create_graph=True, never silently returns zero.
"""
from .tensor import Function, Tensor, enable_grad
from .. import backend


def backward(root, grad, create_graph):
    """``Tensor.backward``: accumulate into ``.grad`` of every leaf that requires grad."""
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad (no graph was recorded)")
    grads = backpropagate([root], [_seed(root, grad, "backward", create_graph)], create_graph)
    for leaf, g in grads.values():
        leaf.grad = g if leaf.grad is None else leaf.grad + g


def grad(outputs, inputs, grad_outputs=None, create_graph=False, allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    outputs, inputs: a Tensor or a sequence of Tensors; grad_outputs: one upstream gradient per
    output (None: ones, for a one-element output), which may itself require grad. Returns a tuple
    with one gradient Tensor per input, each of the input's shape; ``.grad`` is not touched.
    An input the outputs do not depend on raises, or gives None with allow_unused=True.
    With create_graph=True the gradients carry a graph: differentiate them again with grad.
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or hasattr(grad_outputs, "shape"):  # one, not a list
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    for name, tensors in (("outputs", outputs), ("inputs", inputs)):
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor) or not t.requires_grad:
                raise RuntimeError(f"grad: {name}[{i}] does not require grad (no graph reaches it)")
    seeds = [_seed(y, g, "grad", create_graph) for y, g in zip(outputs, grad_outputs)]
    found = backpropagate(outputs, seeds, create_graph, targets={id(x) for x in inputs})
    result = []
    for i, x in enumerate(inputs):
        g = found.get(id(x), (x, None))[1]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: inputs[{i}] was not used in the graph of the outputs; "
                               f"pass allow_unused=True to get None for it")
        result.append(g if g is None or create_graph else Tensor(g))
    return tuple(result)


def _seed(output, grad, caller, create_graph):
    """The upstream gradient of one output: ones for a one-element output, else as given."""
    xp = backend.get_array_module(output.data)
    if grad is None:
        if output.data.size != 1:
            raise ValueError(f"{caller}: grad must be given for a non-scalar output of shape "
                             f"{output.shape} (grad can be implicitly created only for scalars)")
        grad = xp.ones_like(output.data)
    if isinstance(grad, Tensor):
        grad = grad if create_graph else grad.data
    else:
        grad = xp.asarray(grad, dtype=output.dtype)
        grad = Tensor(grad) if create_graph else grad
    if grad.shape != output.shape:
        raise ValueError(f"{caller}: grad has shape {grad.shape}, expected {output.shape}")
    return grad


def backpropagate(roots, root_grads, create_graph, targets=None):
    """Run the chain rule from ``roots``. Returns {id: (tensor, total gradient)} for the leaves
    (targets=None) or for the tensors whose ids are in ``targets``."""
    order = _topological_order(roots)
    if targets is not None:
        order = _leading_to(order, targets)
    if create_graph:
        with enable_grad():  # the gradients' own graph is recorded, even inside no_grad()
            return _chain_rule(order, roots, root_grads, create_graph, targets)
    return _chain_rule(order, roots, root_grads, create_graph, targets)


def _chain_rule(order, roots, root_grads, create_graph, targets):
    grads = {}
    for root, g in zip(roots, root_grads):
        grads[id(root)] = grads[id(root)] + g if id(root) in grads else g
    found = {}
    for node in reversed(order):
        grad_out = grads.pop(id(node), None)
        creator = node._creator
        if not create_graph:
            node._creator = None  # free the graph as we go
        if grad_out is None:  # no gradient flows here (e.g. a backward returned None)
            continue
        if (creator is None) if targets is None else (id(node) in targets):
            found[id(node)] = (node, grad_out)
        if creator is None:
            continue
        fn, ctx, inputs = creator
        if create_graph:
            input_grads = _differentiable_step(fn, ctx, inputs, node, grad_out)
        else:
            input_grads = fn.backward(ctx, grad_out)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for x, g in zip(inputs, input_grads):
            if not x.requires_grad or g is None:
                continue
            if g.shape != x.shape or g.dtype != x.dtype:
                raise RuntimeError(f"{fn.__name__}.backward returned a gradient of shape "
                                   f"{g.shape} {g.dtype} for an input of shape {x.shape} {x.dtype}")
            grads[id(x)] = grads[id(x)] + g if id(x) in grads else g
    return found


def _differentiable_step(fn, ctx, inputs, output, grad_out):
    if fn.differentiable_backward is Function.differentiable_backward:
        raise NotImplementedError(f"{fn.__name__} has no second derivative in ministn, so it "
                                  f"cannot be differentiated with create_graph=True")
    return fn.differentiable_backward(ctx, inputs, output, grad_out)


def _topological_order(roots):
    """Tensors reachable from ``roots`` that need a gradient, each after every tensor it reads.

    Iterative depth-first search with an explicit stack (no recursion limit): a node is
    emitted once all of its inputs' subtrees are done.
    """
    order, visited = [], set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if node._creator is not None:
            for x in node._creator[2]:
                if x.requires_grad and id(x) not in visited:
                    stack.append((x, False))
    return order


def recorded_ops(root):
    """The graph recorded behind ``root``, inputs first: a list of (tensor, name of the Function
    that made it or None for a leaf, [its input tensors that require grad]), for drawing."""
    return [(node, None if node._creator is None else node._creator[0].__name__,
             [] if node._creator is None else [x for x in node._creator[2] if x.requires_grad])
            for node in _topological_order([root])]


def _leading_to(order, targets):
    """The nodes of ``order`` from which some target can be reached (the rest need no work)."""
    leads = set()
    for node in order:  # inputs come before the nodes that read them
        if id(node) in targets or (node._creator is not None
                                   and any(id(x) in leads for x in node._creator[2])):
            leads.add(id(node))
    return [node for node in order if id(node) in leads]
