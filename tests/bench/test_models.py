"""The bench's model rows time the same network on both sides (ministn and PyTorch)."""
import numpy as np
import pytest


@pytest.mark.parametrize("name", ["tutorial", "tutorial-cnn"])
def test_bench_torch_network_is_ministns_network(name):
    """The model rows time the same network on both sides: same outputs from the same weights."""
    torch = pytest.importorskip("torch")
    from ministn.autograd import no_grad
    from ministn.bench import Setup
    from ministn.bench.models import _models
    setup = Setup("cpu", torch)
    ours, theirs = _models(setup, name)
    if name == "tutorial":  # a transform away from the identity, so that the sampler matters
        ours.transformer.regression.bias.data[...] = [0.9, 0.1, 0.05, -0.1, 1.1, -0.05]
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    ours.eval(), theirs.eval()
    x = setup.uniform(4, 1, 28, 28)
    with no_grad():
        expected = ours(x).numpy()
    with torch.no_grad():
        np.testing.assert_allclose(theirs(torch.from_numpy(x)).numpy(), expected, atol=1e-5)
