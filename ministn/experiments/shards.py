"""Splitting a sweep over machines: shard i of n takes every n-th job, starting at job i.

    shard(jobs, i, n) = [jobs[i], jobs[i + n], jobs[i + 2n], ...]        0 <= i < n

The n shards are disjoint and together hold every job exactly once; each keeps the list's
order, so each shard is still seed-major. The split depends only on the job list (the same
command line gives the same list), so a cluster scheduler's job array can hand task i the
argument ``--shard i/n`` and the machines, sharing one results folder, divide the sweep. A
job is still claimed through its run directory's lock, so shards that overlap by mistake
(or a shard started twice) never train a job twice at the same time.
"""
from ..errors import MinistnError


def parse_shard(text):
    """'I/N' -> (I, N), with 0 <= I < N; MinistnError naming --shard otherwise."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise MinistnError(f"--shard must be I/N with whole numbers, e.g. 0/4, got {text!r}") \
            from None
    if count < 1 or not 0 <= index < count:
        raise MinistnError(f"--shard I/N needs N >= 1 and 0 <= I < N (I counts from 0, as "
                           f"Slurm's --array=0-{max(count, 1) - 1}), got {text!r}")
    return index, count


def shard(jobs, index, count):
    """Jobs index, index + count, index + 2 count, ... of the list."""
    return list(jobs)[index::count]
