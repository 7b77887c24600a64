"""Shared builders for the tests of transformer modules: a small float64 transformer, the same
computation written in PyTorch from the same weights, and the 'away from kinks' check."""
import numpy as np

from ministn import Tensor, nn
from ministn.functional.coords import unnormalise
from ministn.nn import transforms


def make_transformer(transform, C=1, H=6, W=5, features=5, output_size=None, seed=0, **kwargs):
    """Flatten -> Linear(C H W, features) -> Tanh, then the regression, all float64; the
    regression moved off the identity so that the gradients are not special."""
    rng = np.random.default_rng(seed)
    loc = nn.Sequential(nn.Flatten(), nn.Linear(C * H * W, features, dtype=np.float64), nn.Tanh())
    st = nn.SpatialTransformer(loc, features, transform, output_size=output_size,
                               dtype=np.float64, **kwargs)
    st.regression.weight.data[:] = 0.1 * rng.standard_normal(st.regression.weight.shape)
    st.regression.bias.data[:] += 0.05 * rng.standard_normal(st.regression.bias.shape)
    return st


def assert_away_from_kinks(st, x, margin=1e-4):
    """Every sampling point is more than ``margin`` pixels from a pixel centre (docs §12.2),
    so central differences with eps = 1e-6 never straddle a kink of the bilinear kernel."""
    _, params = st.forward_with_params(Tensor(x))
    N, C, H, W = x.shape
    size = (N, C, *(st.output_size or (H, W)))
    grid = st.grid(params, size).data
    for axis, n in ((0, W), (1, H)):
        coordinate = unnormalise(grid[..., axis], n, st.align_corners)
        assert np.abs(coordinate - np.rint(coordinate)).min() > margin


def torch_transformer(st, torch):
    """The same transformer in PyTorch (affine family only), from st's weights.

    Returns (forward(x) -> V, parameters: {ministn name: torch leaf})."""
    TF = torch.nn.functional
    names = dict(st.named_parameters())
    leaves = {k: torch.tensor(p.data, requires_grad=True) for k, p in names.items()}
    basis = transforms.BASIS.get(st.transform_name)

    def forward(x):
        h = torch.tanh(x.flatten(1) @ leaves["localization.1.weight"].T
                       + leaves["localization.1.bias"])
        a = h @ leaves["regression.weight"].T + leaves["regression.bias"]
        theta = (a if basis is None else a @ torch.tensor(basis)).reshape(-1, 2, 3)
        N, C, H, W = x.shape
        size = (N, C, *(st.output_size or (H, W)))
        grid = TF.affine_grid(theta, size, align_corners=st.align_corners)
        return TF.grid_sample(x, grid, "bilinear", st.padding_mode,
                              align_corners=st.align_corners)

    return forward, leaves
