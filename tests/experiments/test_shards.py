"""--shard I/N: the shards of a sweep are disjoint, cover every job once, and merge in one report."""
import json

import pytest

from ministn.cli import main
from ministn.errors import MinistnError
from ministn.experiments import addition, jobs
from ministn.experiments.shards import parse_shard, shard


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7])
def test_shards_cover_every_job_exactly_once_and_stay_seed_major(count):
    job_list = jobs(3, distortions=("R", "RTS", "P", "E", "TC"))
    parts = [shard(job_list, i, count) for i in range(count)]
    names = [j.name for part in parts for j in part]
    assert sorted(names) == sorted(j.name for j in job_list) and len(set(names)) == len(names)
    for part in parts:
        assert [j.seed for j in part] == sorted(j.seed for j in part)


@pytest.mark.parametrize("text", ["2/2", "-1/3", "1/0", "a/b", "3", "1/2/3"])
def test_bad_shards_are_refused_in_one_line(text, capsys):
    with pytest.raises(MinistnError, match="--shard"):
        parse_shard(text)
    assert main(["addition", "--quick", f"--shard={text}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --shard") and err.count("\n") == 1


def test_two_shards_of_a_sweep_train_every_job_once_into_one_report(tmp_path, capsys):
    trained = []
    for i in range(2):
        assert main(["addition", "--quick", "--seeds", "2", "--rows", "FCN", "ST-FCN",
                     "--shard", f"{i}/2", "--out", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        trained.append({line.split("] ")[1].split(":")[0] for line in out.splitlines()
                        if "] " in line and ": test error" in line})
    assert trained[0].isdisjoint(trained[1])
    expected = {j.name for j in addition.jobs(2, ["FCN", "ST-FCN"])}
    assert trained[0] | trained[1] == expected
    assert {p.stem for p in (tmp_path / "addition").glob("*.json")} == expected
    assert "4 of 10 runs finished" in (tmp_path / "addition.md").read_text()
    record = json.loads(next((tmp_path / "addition").glob("*.json")).read_text())
    assert record["config"]["task"] == "addition"
