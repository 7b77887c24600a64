"""Fetching the full MNIST files from public mirrors, safely.

For every file: try each mirror in turn; stream it into a temporary file in the destination
directory; check its length against Content-Length and its md5 against the canonical one; only
then rename it into place (``os.replace`` is atomic on one file system). A failed, truncated or
corrupt transfer therefore never leaves a half file under the final name, and a file that is
already present with the right md5 is not fetched again.
"""
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from .idx import DataError
from .mnist import cache_dir

MIRRORS = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
}
MD5 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
}
CHUNK = 1 << 16


def md5_of(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url, destination, md5, timeout):
    """Download ``url`` to ``destination`` through a temporary file; raise OSError on failure."""
    handle, tmp = tempfile.mkstemp(dir=destination.parent, prefix=destination.name + ".",
                                   suffix=".part")
    try:
        os.chmod(tmp, 0o666 & ~_umask())                     # mkstemp makes it private (0600)
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            received = 0
            for block in iter(lambda: response.read(CHUNK), b""):
                out.write(block)
                received += len(block)
        if expected is not None and received != int(expected):
            raise OSError(f"truncated: got {received} of {expected} bytes")
        if md5_of(tmp) != md5:
            raise OSError(f"md5 {md5_of(tmp)} does not match the expected {md5}")
        os.replace(tmp, destination)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def describe_error(error):
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    return getattr(error, "reason", None) or error or type(error).__name__


def download(name="mnist", dest=None, mirrors=None, files=None, timeout=30, log=print):
    """Fetch the data set ``name`` into ``dest`` (default: the cache) and return that directory.

    mirrors: base URLs tried in order for each file (default: MIRRORS[name]).
    files:   {file name: md5} (default: MD5[name]).
    Raises DataError naming every file that no mirror could provide intact; files that did
    arrive are kept (each complete and checked).
    """
    if files is None and name not in MD5:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(MD5)}")
    files = MD5[name] if files is None else files
    mirrors = MIRRORS.get(name, ()) if mirrors is None else mirrors
    dest = Path(dest) if dest is not None else cache_dir()
    dest.mkdir(parents=True, exist_ok=True)
    failed = []
    for filename, md5 in files.items():
        target = dest / filename
        if target.is_file() and md5_of(target) == md5:
            log(f"{filename}: already present, md5 ok")
            continue
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + filename
            try:
                _fetch(url, target, md5, timeout)
            except (OSError, http.client.HTTPException, ValueError) as error:
                reason = describe_error(error)
                errors.append(f"{url}: {reason}")
                log(f"{filename}: {url} failed ({reason}); trying the next mirror")
                continue
            log(f"{filename}: downloaded from {mirror}, md5 ok")
            break
        else:
            failed.append(f"{filename} ({'; '.join(errors) or 'no mirrors given'})")
    if failed:
        raise DataError(f"could not download {', '.join(failed)}")
    return dest


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
