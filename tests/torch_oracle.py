"""PyTorch's result for a reference case dict: the oracle the reference tests compare against."""
import numpy as np


def torch_result(op, case, dtype="float64"):
    """PyTorch's outputs and gradients for a grid_sample or affine_grid case, in ``dtype``.

    The case's arrays are cast to ``dtype`` (save the case in that dtype for a fair check)."""
    import torch
    import torch.nn.functional as TF
    cast = lambda a: torch.tensor(np.asarray(a, dtype=dtype))
    if op == "grid_sample":
        U, G = cast(case["input"]).requires_grad_(), cast(case["grid"]).requires_grad_()
        out = TF.grid_sample(U, G, mode=str(case.get("mode", "bilinear")),
                             padding_mode=str(case.get("padding_mode", "zeros")),
                             align_corners=bool(case.get("align_corners", False)))
        upstream = cast(case["grad_output"]) if "grad_output" in case else torch.ones_like(out)
        grad_U, grad_G = torch.autograd.grad(out, [U, G], upstream)
        return dict(output=out.detach().numpy(), grad_input=grad_U.numpy(),
                    grad_grid=grad_G.numpy())
    theta = cast(case["theta"]).requires_grad_()
    grid = TF.affine_grid(theta, [int(s) for s in case["size"]],
                          align_corners=bool(case.get("align_corners", False)))
    upstream = cast(case["grad_output"]) if "grad_output" in case else torch.ones_like(grid)
    (grad_theta,) = torch.autograd.grad(grid, [theta], upstream)
    return dict(grid=grid.detach().numpy(), grad_theta=grad_theta.numpy())
