"""RunLock: one holder per run directory, named in the refusal, and no stale locks ever.

The second holder runs in a child process, as a second training would; the first one is
then killed with SIGKILL, the way a crash or an out-of-memory kill ends a run.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ministn.errors import MinistnError
from ministn.files import FileError, LockedError, RunLock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no flock: RunLock is a no-op")

REPO = Path(__file__).resolve().parents[2]

TRY_LOCK = """
import sys
from ministn.files import LockedError, RunLock
try:
    RunLock(sys.argv[1]).acquire()
    print("acquired")
except LockedError as error:
    print(error)
"""

HOLD_LOCK = """
import sys, time
from ministn.files import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("holding", flush=True)
time.sleep(600)
"""


def try_lock_in_child(directory):
    """What a second process gets: 'acquired', or its LockedError's message."""
    child = subprocess.run([sys.executable, "-c", TRY_LOCK, str(directory)], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    return child.stdout.strip()


def test_second_holder_is_refused_with_the_holders_pid(tmp_path):
    run = tmp_path / "runs" / "x"
    with RunLock(run) as lock:
        assert lock.held and (run / ".lock").exists()
        message = try_lock_in_child(run)
    assert message.startswith(f"run directory {run} is in use by process {os.getpid()} (")
    assert message.endswith("); wait for it or use another --out") and "\n" not in message
    assert "python" in message or Path(sys.executable).name in message


def test_lock_is_free_again_after_release(tmp_path):
    lock = RunLock(tmp_path).acquire()
    lock.release()
    lock.release()    # idempotent
    assert not lock.held
    assert (tmp_path / ".lock").read_text() == ""    # emptied, left in place
    assert try_lock_in_child(tmp_path) == "acquired"


def test_lock_of_a_killed_holder_can_be_taken(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(LockedError, match=rf"in use by process {holder.pid} \("):
            RunLock(tmp_path).acquire()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=60)
        holder.stdout.close()
    assert str(holder.pid) in (tmp_path / ".lock").read_text()    # the dead holder's file
    with RunLock(tmp_path) as lock:
        assert lock.held
        assert (tmp_path / ".lock").read_text().split("\n")[0] == str(os.getpid())


def test_a_second_lock_in_the_same_process_is_refused(tmp_path):
    with RunLock(tmp_path):
        with pytest.raises(LockedError) as caught:
            RunLock(tmp_path, flag="--run-dir").acquire()
    message = str(caught.value)
    assert isinstance(caught.value, MinistnError) and "\n" not in message
    assert message.endswith("wait for it or use another --run-dir")


def test_lock_file_without_a_pid_names_another_process(tmp_path):
    with RunLock(tmp_path):
        (tmp_path / ".lock").write_text("")    # as if the holder had not written it yet
        with pytest.raises(LockedError, match=r"is in use by another process; wait"):
            RunLock(tmp_path).acquire()


def test_lock_released_when_the_with_block_raises(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with RunLock(tmp_path):
            1 / 0
    assert try_lock_in_child(tmp_path) == "acquired"


def test_lock_creates_the_run_directory(tmp_path):
    with RunLock(tmp_path / "a" / "b") as lock:
        assert lock.held and (tmp_path / "a" / "b").is_dir()


def test_lock_in_a_directory_that_cannot_be_made_is_a_file_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FileError, match=r"^cannot lock run directory \S+file/run: ") as caught:
        RunLock(tmp_path / "file" / "run").acquire()
    assert "\n" not in str(caught.value)


def test_lock_holds_for_the_whole_block(tmp_path):
    with RunLock(tmp_path):
        time.sleep(0.05)
        assert try_lock_in_child(tmp_path) != "acquired"
