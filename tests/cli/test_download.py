"""python -m ministn download: the real MNIST md5s, and one error line naming what failed."""
import pytest

from ministn.cli import main
from ministn.data import BUNDLED_DIR
from local_server import LocalServer


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def test_download_command_with_the_real_md5s(server, tmp_path, capsys):
    """Serve the two canonical test files (the bundled copies are byte-identical) but not the
    training files: those two arrive, checked against the real md5s; one clear error line."""
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        server.routes[f"/mnist/{name}"] = (200, (BUNDLED_DIR / name).read_bytes(), None)
    code = main(["download", "mnist", "--dest", str(tmp_path), "--mirror", server.url + "/mnist"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: could not download train-images-idx3-ubyte.gz")
    assert "train-labels-idx1-ubyte.gz" in err[0] and "t10k" not in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t10k-images-idx3-ubyte.gz",
                                                          "t10k-labels-idx1-ubyte.gz"]
