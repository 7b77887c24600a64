"""The 'gpu' device end to end: every op, model, optimiser and command gives NumPy's results.

On a machine with a GPU the ``gpu`` fixture is CuPy; elsewhere (CI) it is tests/fake_cupy.py,
NumPy arrays that refuse to mix with host arrays as CuPy's do. So this file checks, on every
run, that nothing in the device path touches a host array, and on a GPU that CuPy agrees with
NumPy: 1e-10 in float64 (the GPU's reductions and atomics reorder sums, so never bitwise).
"""
import re

import numpy as np
import pytest

import ministn.functional as F
from ministn import Tensor, gradcheck, manual_seed, no_grad
from ministn.cli import main
from ministn.backend import rng, to_numpy
from ministn.distortions import DISTORTIONS, distort
from ministn.models import build
from ministn.optim import SGD, Adam
from ministn.training import load_checkpoint

TOLERANCE = 1e-10


def _on(xp, arrays):
    return [Tensor(xp.asarray(a), requires_grad=True) for a in arrays]


def _value_and_grads(xp, function, arrays):
    """function(*tensors) on module xp, summed against fixed weights; value and input grads."""
    inputs = _on(xp, arrays)
    out = function(*inputs)
    assert type(out.data) is xp.ndarray
    weights = np.random.default_rng(99).standard_normal(out.shape)
    out.backward(xp.asarray(weights))
    grads = [x.grad for x in inputs]
    assert all(g is None or type(g) is xp.ndarray for g in grads)
    return [to_numpy(out.data)] + [None if g is None else to_numpy(g) for g in grads]


def _assert_close(expected, actual):
    for e, a in zip(expected, actual):
        if e is None:
            assert a is None
            continue
        assert a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_allclose(a, e, rtol=TOLERANCE, atol=TOLERANCE * max(1.0, np.abs(e).max()))


def _normal(*shape, seed=0):
    return np.random.default_rng([seed, *shape]).standard_normal(shape)


# name -> (function of tensors, its float64 inputs); away from ReLU's and max's kinks
OPS = {
    "linear": (F.linear, [_normal(4, 7), _normal(3, 7), _normal(3)]),
    "conv2d stride 2 padding 1": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
                                  [_normal(2, 3, 7, 6), _normal(4, 3, 3, 3), _normal(4)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), [_normal(2, 3, 6, 6)]),
    "avg_pool2d padding 1": (lambda x: F.avg_pool2d(x, 3, stride=1, padding=1), [_normal(2, 3, 5, 5)]),
    "relu": (F.relu, [_normal(3, 5) + 0.1]),
    "tanh, sigmoid, exp, log": (lambda x: F.log(F.sigmoid(F.tanh(x)) * F.exp(x)), [_normal(3, 5)]),
    "matmul, mean, sum": (lambda a, b: F.mean(F.matmul(a, b), axis=0) + F.sum(a), [_normal(3, 4), _normal(4, 2)]),
    "log_softmax": (lambda x: F.log_softmax(x, dim=1), [_normal(4, 10)]),
    "cross_entropy": (lambda x: F.cross_entropy(x, np.array([1, 0, 9, 3])), [_normal(4, 10)]),
    "getitem, reshape, transpose": (lambda x: F.transpose(F.reshape(x[1:, ::2], (2, -1)), 0, 1),
                                    [_normal(3, 6)]),
}


@pytest.mark.parametrize("name", OPS)
def test_op_on_gpu_gives_numpys_value_and_gradients(name, gpu):
    function, arrays = OPS[name]
    _assert_close(_value_and_grads(np, function, arrays), _value_and_grads(gpu, function, arrays))


def test_gradcheck_runs_on_gpu_inputs(gpu):
    x = Tensor(gpu.asarray(_normal(2, 3, 5, 5)), requires_grad=True)
    w = Tensor(gpu.asarray(_normal(2, 3, 3, 3)), requires_grad=True)
    assert gradcheck(lambda x, w: F.conv2d(x, w, padding=1), [x, w])


def test_dropout_on_gpu_draws_its_mask_on_the_device(gpu):
    manual_seed(0)
    x = Tensor(gpu.ones((200, 100), dtype=np.float32), requires_grad=True)
    y = F.dropout(x, p=0.25)
    assert type(y.data) is gpu.ndarray
    values = to_numpy(y.data)
    assert set(np.unique(values)) == {0.0, np.float32(1 / 0.75)}
    assert abs((values == 0).mean() - 0.25) < 0.01               # 20,000 draws: sd 0.003
    assert type(rng(gpu).random(3)) is gpu.ndarray


MODELS = [("tutorial", "affine", 28), ("tutorial-cnn", "affine", 28), ("fcn", "affine", 28),
          ("cnn", "affine", 42), ("st-fcn", "projective", 28), ("st-cnn", "tps", 28),
          ("st-cnn", "affine", 60)]


@pytest.mark.parametrize("name, transform, size", MODELS)
def test_model_on_gpu_gives_numpys_logits_and_gradients(name, transform, size, gpu):
    """Same weights, eval mode (no dropout), float64: logits and every parameter's gradient."""
    x = np.random.default_rng(3).random((3, 1, size, size))
    labels = np.array([3, 1, 4])
    results = []
    for device, xp in (("cpu", np), ("gpu", gpu)):
        manual_seed(0)
        model = build(name, transform, size).double().to(device)
        model.eval()
        loss = F.cross_entropy(model(Tensor(xp.asarray(x))), labels)
        loss.backward()
        grads = [p.grad for p in model.parameters()]
        assert all(type(g) is xp.ndarray for g in grads)
        results.append([to_numpy(loss.data)] + [to_numpy(g) for g in grads])
    _assert_close(*results)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
                                  lambda ps: Adam(ps, lr=0.01, weight_decay=1e-3)])
def test_optimiser_steps_on_gpu_equal_numpys(make, gpu):
    finals = []
    for xp in (np, gpu):
        p = _on(xp, [_normal(5, 3)])[0]
        optimizer = make([p])
        for step in range(4):
            p.grad = xp.asarray(_normal(5, 3, seed=step + 1))
            optimizer.step()
        assert type(p.data) is xp.ndarray
        state = optimizer.state_dict()
        assert all(type(v) is np.ndarray for s in state["state"] for v in s.values())  # saveable
        finals.append([to_numpy(p.data)])
    _assert_close(*finals)


def test_module_moves_to_gpu_and_back_with_its_state(gpu):
    manual_seed(0)
    model = build("tutorial").to("gpu")
    assert all(type(p.data) is gpu.ndarray for p in model.parameters())
    state = model.state_dict()
    assert all(type(v) is np.ndarray for v in state.values())
    copy = build("tutorial").to("gpu").load_state_dict(state)
    assert all(type(p.data) is gpu.ndarray for p in copy.parameters())
    back = copy.to("cpu")
    assert all(type(p.data) is np.ndarray for p in back.parameters())
    for key, value in back.state_dict().items():
        assert np.array_equal(value, state[key])


@pytest.mark.parametrize("name", [name for name in DISTORTIONS if name != "none"])
def test_distortion_of_gpu_images_equals_numpys(name, gpu):
    """The parameters are drawn on the host from the same Generator; warps run on the device."""
    images = np.random.default_rng(5).random((6, 1, 28, 28)).astype(np.float32)
    on_cpu = distort(name, images, np.random.default_rng(7))
    on_gpu = distort(name, gpu.asarray(images), np.random.default_rng(7))
    assert type(on_gpu) is gpu.ndarray and on_gpu.dtype == np.float32
    np.testing.assert_allclose(to_numpy(on_gpu), on_cpu, rtol=0, atol=1e-5)


TINY = ["--train-size", "96", "--test-size", "64", "--batch-size", "32", "--no-progress"]


@pytest.mark.parametrize("flags", [["--model", "tutorial"],
                                   ["--model", "st-cnn", "--transform", "tps", "--distortion", "TC"]])
def test_train_resume_evaluate_and_show_on_gpu(flags, gpu, tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    assert main(["train", "--device", "gpu", "--epochs", "1", "--out", str(out), *TINY, *flags]) == 0
    assert main(["train", "--resume", "--epochs", "2", "--out", str(out), "--no-progress"]) == 0
    checkpoint = load_checkpoint(out / "checkpoint.npz")
    assert checkpoint["config"]["device"] == "gpu" and checkpoint["state"]["epoch"] == 2
    capsys.readouterr()
    correct = []
    for device in ("gpu", "cpu"):                     # a GPU checkpoint evaluates anywhere
        assert main(["evaluate", "--checkpoint", str(out / "checkpoint.npz"), "--device", device]) == 0
        correct.append(int(re.search(r"\((\d+) correct\)", capsys.readouterr().out)[1]))
    # float32 logits agree to ~1e-6 across devices; only a near-tie could flip one image
    assert abs(correct[0] - correct[1]) <= 1
    monkeypatch.chdir(tmp_path)
    assert main(["show", "--checkpoint", str(out / "checkpoint.npz"), "--out", "show.png",
                 "--count", "4"]) == 0
    assert (tmp_path / "show.png").stat().st_size > 0


def test_trainer_keeps_data_and_weights_on_the_gpu(gpu):
    from ministn.data import BUNDLED_DIR, load_mnist
    from ministn.training import Trainer, TrainConfig
    config = TrainConfig(epochs=1, batch_size=16, train_size=32, test_size=16, device="gpu")
    manual_seed(0)
    trainer = Trainer(build("tutorial").to("gpu"), load_mnist(BUNDLED_DIR, 32, 16), config,
                      progress=False, log=lambda *a: None)
    assert type(trainer.train_x) is gpu.ndarray and type(trainer.test_x) is gpu.ndarray
    trainer.run()
    assert all(type(p.data) is gpu.ndarray for p in trainer.model.parameters())
    with no_grad():
        assert type(trainer.model(trainer.test_x[:2]).data) is gpu.ndarray


def test_bench_on_gpu_times_ministn(gpu, capsys):
    assert main(["bench", "--device", "gpu", "--no-torch", "--case", "stn sample mnist",
                 "--case", "st-cnn train 64", "--repeats", "2", "--warmup", "0"]) == 0
    table = capsys.readouterr().out
    assert "device gpu" in table and "stn sample mnist" in table and "st-cnn train 64" in table


def _xp_calls():
    """{``xp.<name>`` chain: keyword arguments it is called with} over ministn's source (xp
    being numpy or cupy at run time); a chain that is only read, never called, has none."""
    import ast
    from pathlib import Path

    import ministn

    def chain(node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if parts and isinstance(node, ast.Name) and node.id == "xp":
            return ".".join(reversed(parts))

    calls = {}
    for path in Path(ministn.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            name = chain(node.func if isinstance(node, ast.Call) else node)
            if name:
                keywords = calls.setdefault(name, set())
                if isinstance(node, ast.Call):
                    keywords.update(k.arg for k in node.keywords if k.arg)
    return calls


def _accepts(function, keyword):
    """False only when the signature is known and has neither the keyword nor **kwargs."""
    import inspect
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):                     # compiled (Cython) functions
        return True
    return any(p.name == keyword or p.kind is p.VAR_KEYWORD for p in parameters)


def test_every_array_function_and_keyword_ministn_uses_exists_in_cupy():
    """What fake_cupy cannot see: a NumPy name or keyword CuPy lacks. Needs CuPy importable,
    not a GPU."""
    cupy = pytest.importorskip("cupy")
    calls = _xp_calls()
    assert {"zeros", "einsum", "add.at", "lib.stride_tricks.as_strided"} <= set(calls)
    assert "constant_values" in calls["pad"]                      # the scan sees keywords
    missing = []
    for name, keywords in sorted(calls.items()):
        value = cupy
        for part in name.split("."):
            value = getattr(value, part, None)
        if value is None:
            missing.append(name)
        else:
            missing += [f"{name}({k}=...)" for k in sorted(keywords) if not _accepts(value, k)]
    assert not missing, f"CuPy {cupy.__version__} lacks {missing}"


def test_cupy_without_a_working_gpu_leaves_the_cpu_path_alone(monkeypatch):
    """CuPy installed where CUDA fails (no GPU, old driver): seeding and CPU work go on, and
    asking for the GPU is one clear error."""
    import types

    from ministn import backend

    def no_driver(*args, **kwargs):
        raise RuntimeError("cudaErrorInsufficientDriver")
    broken = types.SimpleNamespace(ndarray=type("ndarray", (), {}),
                                   random=types.SimpleNamespace(default_rng=no_driver),
                                   cuda=types.SimpleNamespace(runtime=types.SimpleNamespace(
                                       getDeviceCount=no_driver)))
    monkeypatch.setattr(backend, "_cupy", broken)
    manual_seed(0)
    assert not backend.gpu_available()
    assert build("tutorial")(np.zeros((1, 1, 28, 28), np.float32)).shape == (1, 10)
    with pytest.raises(RuntimeError, match="device='gpu' needs CuPy and a CUDA device"):
        build("tutorial").to("gpu")


def test_fake_cupy_refuses_what_cupy_refuses():
    """The stand-in is only worth its tests if it keeps CuPy's rules (tests/fake_cupy.py)."""
    import fake_cupy as cp
    device, host = cp.asarray(np.arange(6.0)), np.ones(6)
    for mix in (lambda: device * host, lambda: np.add(host, device), lambda: cp.exp(host)):
        with pytest.raises(TypeError, match="host"):
            mix()
    with pytest.raises(ValueError, match="non-scalar numpy.ndarray"):
        device[1:3] = host[:2]
    with pytest.raises(NotImplementedError, match="Writeable"):
        cp.lib.stride_tricks.sliding_window_view(device, 2, writeable=True)
    assert type(device.sum()) is cp.ndarray and type(np.exp(device)) is cp.ndarray
    assert type(cp.asnumpy(device)) is np.ndarray and type(device[np.array([0, 2])]) is cp.ndarray
    assert type(device.take(np.array([0, 1]))) is cp.ndarray            # CuPy copies the index


def test_tensor_with_a_dtype_keeps_gpu_data_on_the_gpu(gpu):
    import ministn
    t = ministn.tensor(gpu.asarray(np.arange(3.0, dtype=np.float32)), dtype="float64")
    assert type(t.data) is gpu.ndarray and t.dtype == np.float64
    assert type(ministn.tensor([1, 2], dtype="float32").data) is np.ndarray
