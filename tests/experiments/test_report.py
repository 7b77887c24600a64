"""Table 1's report: a bar holds only by a margin beyond the seeds' spread; wall time."""
from ministn.experiments.report import aggregate, busy_seconds, check_bars


def fake(row, distortion, errors):
    return [{"row": row, "distortion": distortion, "test_error": e, "seed": s,
             "train_seconds": 1.0} for s, e in enumerate(errors)]


def test_bars_need_a_margin_beyond_the_spread():
    records = []
    for d in ("R", "RTS", "P", "E"):
        records += fake("CNN", d, [3.0, 3.2]) + fake("ST-CNN Aff", d, [2.0, 2.1])
        records += fake("FCN", d, [5.0, 5.4]) + fake("ST-FCN TPS", d, [4.8, 5.3])
    holds = {claim: verdict for claim, verdict, _ in check_bars(aggregate(records))}
    assert holds["ST-CNN (best transform) beats CNN by more than the seed spread on every "
                 "distortion"] is True
    # ST-FCN is lower by 0.15 on average but the seeds spread by 0.5: not beyond the spread
    assert holds["ST-FCN (best transform) beats FCN by more than the seed spread on every "
                 "distortion"] is False
    one_seed = fake("CNN", "R", [3.0]) + fake("ST-CNN Aff", "R", [2.0])
    verdict = check_bars(aggregate(one_seed))[0][1]
    assert verdict is None


def test_wall_time_counts_overlapping_runs_once_and_skips_the_gaps_between_sessions():
    runs = [(0, 100), (50, 120), (130, 150), (10_000, 10_030)]     # two sessions, days apart
    records = [{"started_unix": a, "finished_unix": b} for a, b in runs]
    assert busy_seconds(records) == 120 + 20 + 30
    assert busy_seconds(records[::-1]) == 170
    assert busy_seconds([]) == 0
