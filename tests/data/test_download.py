"""ministn.data.download against a real HTTP server on 127.0.0.1 started by the test."""
import hashlib

import pytest

from ministn.data import DataError, download
from local_server import LocalServer

GOOD = b"\x1f\x8b" + bytes(range(256)) * 40          # any bytes: only the md5 matters here
GOOD_MD5 = hashlib.md5(GOOD).hexdigest()


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def quiet(*args):
    pass


def test_good_file_is_downloaded_and_checked(server, tmp_path):
    server.routes["/a/f.gz"] = (200, GOOD, None)
    dest = download(dest=tmp_path, mirrors=[server.url + "/a/"], files={"f.gz": GOOD_MD5}, log=quiet)
    assert (dest / "f.gz").read_bytes() == GOOD and leftovers(tmp_path) == []


def test_bad_checksum_leaves_no_file(server, tmp_path):
    server.routes["/a/f.gz"] = (200, GOOD[:-1] + b"X", None)
    with pytest.raises(DataError, match="could not download f.gz .*md5 .* does not match"):
        download(dest=tmp_path, mirrors=[server.url + "/a"], files={"f.gz": GOOD_MD5}, log=quiet)
    assert not (tmp_path / "f.gz").exists() and leftovers(tmp_path) == []


def test_404_is_reported(server, tmp_path):
    with pytest.raises(DataError, match="f.gz .*404"):
        download(dest=tmp_path, mirrors=[server.url], files={"f.gz": GOOD_MD5}, log=quiet)
    assert list(tmp_path.iterdir()) == []


def test_truncated_response_leaves_no_file(server, tmp_path):
    server.routes["/f.gz"] = (200, GOOD, len(GOOD) // 3)
    with pytest.raises(DataError, match="f.gz"):
        download(dest=tmp_path, mirrors=[server.url], files={"f.gz": GOOD_MD5}, log=quiet)
    assert list(tmp_path.iterdir()) == []


def test_next_mirror_is_tried_after_404_and_truncation(server, tmp_path):
    server.routes["/cut/f.gz"] = (200, GOOD, 10)
    server.routes["/good/f.gz"] = (200, GOOD, None)
    mirrors = [server.url + "/missing", server.url + "/cut", server.url + "/good"]
    messages = []
    download(dest=tmp_path, mirrors=mirrors, files={"f.gz": GOOD_MD5}, log=messages.append)
    assert (tmp_path / "f.gz").read_bytes() == GOOD
    assert server.hits == ["/missing/f.gz", "/cut/f.gz", "/good/f.gz"]
    assert sum("trying the next mirror" in m for m in messages) == 2


def test_a_present_file_with_the_right_md5_is_not_fetched_again(server, tmp_path):
    (tmp_path / "f.gz").write_bytes(GOOD)
    download(dest=tmp_path, mirrors=[server.url], files={"f.gz": GOOD_MD5}, log=quiet)
    assert server.hits == []


def test_a_failed_download_keeps_the_old_file_intact(server, tmp_path):
    (tmp_path / "f.gz").write_bytes(b"old")                    # wrong md5: fetched again
    server.routes["/f.gz"] = (200, GOOD, 7)                     # ... but truncated
    with pytest.raises(DataError):
        download(dest=tmp_path, mirrors=[server.url], files={"f.gz": GOOD_MD5}, log=quiet)
    assert (tmp_path / "f.gz").read_bytes() == b"old" and leftovers(tmp_path) == []


def test_unknown_data_set_is_an_error(tmp_path):
    with pytest.raises(DataError, match="unknown data set 'svhn'"):
        download("svhn", dest=tmp_path)
