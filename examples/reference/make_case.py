"""How the worked example in this folder was made (run from the repository root):

    python examples/reference/make_case.py
    python -m ministn reference grid_sample --in examples/reference/grid_sample_case.npz \
        --out examples/reference/grid_sample_result.npz
    python -m ministn reference affine_grid --in examples/reference/affine_grid_case.npz \
        --out examples/reference/affine_grid_result.npz

The grid_sample case is a 2x3 image [[1, 2, 3], [4, 5, 6]] read at three points: the centre
(0, 0), a point beyond the top edge (0.5, -1.5) and one exactly on the right edge (1, 0.25), with
reflection padding and align_corners=True, so the fold and the zero clip gradient at the edge
both show. The affine_grid case is a small rotation with a translation, on a 2x3 output.
With PyTorch installed, the script also prints how far PyTorch's answers are from the results.
"""
import os

import numpy as np

FOLDER = os.path.dirname(os.path.abspath(__file__))

grid_sample_case = dict(
    input=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).reshape(1, 1, 2, 3),
    grid=np.array([[0.0, 0.0], [0.5, -1.5], [1.0, 0.25]]).reshape(1, 1, 3, 2),
    grad_output=np.array([1.0, 2.0, 3.0]).reshape(1, 1, 1, 3),
    mode="bilinear", padding_mode="reflection", align_corners=True)

angle = np.pi / 6
affine_grid_case = dict(
    theta=np.array([[[np.cos(angle), -np.sin(angle), 0.1], [np.sin(angle), np.cos(angle), -0.2]]]),
    size=np.array([1, 1, 2, 3]), align_corners=False)

if __name__ == "__main__":
    np.savez(os.path.join(FOLDER, "grid_sample_case.npz"), **grid_sample_case)
    np.savez(os.path.join(FOLDER, "affine_grid_case.npz"), **affine_grid_case)
    try:
        import torch
    except ImportError:
        raise SystemExit(0)
    from ministn.reference import affine_grid_case as affine, grid_sample_case as sample
    ours = sample(grid_sample_case)
    U = torch.tensor(grid_sample_case["input"], requires_grad=True)
    G = torch.tensor(grid_sample_case["grid"], requires_grad=True)
    V = torch.nn.functional.grid_sample(U, G, "bilinear", "reflection", True)
    V.backward(torch.tensor(grid_sample_case["grad_output"]))
    print("grid_sample vs torch:", max(abs(ours[k] - t.detach().numpy()).max() for k, t in
                                       (("output", V), ("grad_input", U.grad), ("grad_grid", G.grad))))
    ours = affine(affine_grid_case)
    theta = torch.tensor(affine_grid_case["theta"], requires_grad=True)
    grid = torch.nn.functional.affine_grid(theta, (1, 1, 2, 3), align_corners=False)
    grid.backward(torch.ones_like(grid))
    print("affine_grid vs torch:", max(abs(ours["grid"] - grid.detach().numpy()).max(),
                                       abs(ours["grad_theta"] - theta.grad.numpy()).max()))
