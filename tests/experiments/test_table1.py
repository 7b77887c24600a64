"""Table 1's jobs: seed-major, one per cell and seed, named for their run directory."""
from ministn.experiments import Job, jobs


def test_jobs_are_seed_major_and_cover_the_table():
    job_list = jobs(2)
    assert len(job_list) == 2 * 8 * 4
    assert [j.seed for j in job_list] == [0] * 32 + [1] * 32
    assert len({j.cell for j in job_list}) == 32
    assert Job("ST-CNN TPS", "st-cnn", "tps", "E", 1).name == "st-cnn-tps_E_s1"
