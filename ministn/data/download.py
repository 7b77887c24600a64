"""Fetching the full MNIST files from public mirrors, safely.

For every file: try each mirror in turn; stream it through an atomic write (a temporary file
in the destination directory, ministn/files/atomic.py); check its length against
Content-Length and its md5 against the canonical one; only then is it renamed into place.
A failed, truncated or corrupt transfer therefore never leaves a half file under the final
name, and a file that is already present with the right md5 is not fetched again.
"""
import hashlib
import http.client
import urllib.error
import urllib.request
from pathlib import Path

from ..files import FileError, check_writable_folder, write_atomically
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
    """Download ``url`` to ``destination`` through an atomic write; raise on any failure."""
    with write_atomically(destination, what="download") as out, \
            urllib.request.urlopen(url, timeout=timeout) as response:
        expected = response.headers.get("Content-Length")
        digest, received = hashlib.md5(), 0
        for block in iter(lambda: response.read(CHUNK), b""):
            out.write(block)
            digest.update(block)
            received += len(block)
        if expected is not None and received != int(expected):
            raise ValueError(f"truncated: got {received} of {expected} bytes")
        if digest.hexdigest() != md5:
            raise ValueError(f"md5 {digest.hexdigest()} does not match the expected {md5}")


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
    check_writable_folder(dest, "--dest")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"--dest {dest}: cannot make the folder ({error.strerror})") from None
    failed = []
    for filename, md5 in files.items():
        target = dest / filename
        if target.is_file() and md5_of(target) == md5:
            log(f"{filename}: already present, md5 ok")
            continue
        reasons = []
        for k, mirror in enumerate(mirrors):
            url = mirror.rstrip("/") + "/" + filename
            try:
                _fetch(url, target, md5, timeout)
            except FileError:
                raise                                   # the destination, not the mirror
            except (OSError, http.client.HTTPException, ValueError) as error:
                reasons.append(str(describe_error(error)))
                next_one = "; trying the next mirror" if k + 1 < len(mirrors) else ""
                log(f"{filename}: {url} failed ({reasons[-1]}){next_one}")
                continue
            log(f"{filename}: downloaded from {mirror}, md5 ok")
            break
        else:
            failed.append((filename, reasons[-1] if reasons else "no mirrors given"))
    if failed:
        names = ", ".join(name for name, _ in failed)
        mirrors_said = f"{len(mirrors)} mirror{'s' * (len(mirrors) != 1)}"
        raise DataError(f"could not download {names} from any of {mirrors_said} "
                        f"(last reason: {failed[-1][1]})")
    return dest
