"""Running the jobs of an experiment: resumable, atomic, and shared by parallel workers.

    runs/<job>/checkpoint.npz     the trainer's checkpoint after every epoch (and on a stop)
    results/<job>.json            written once, atomically, when the job has finished

A job whose result file exists is never trained again. A job with a checkpoint continues from
it (bit for bit, see ministn/training/trainer.py) if the checkpoint was written for the same
configuration, and starts over otherwise. Workers claim a job by holding its run directory's
lock (``RunLock``, an flock on runs/<job>/.lock) while they train it: the operating system
releases it when a worker exits or dies, so a stopped run leaves no stale claims. Each worker takes the first
job in the list that is neither finished nor claimed, so with the seed-major order of
``table1.jobs`` seed 0 of every cell finishes before seed 1 starts.

Intermediate epochs are evaluated on the first PROBE test images only (a progress signal for
the log); the last epoch on the whole test set, which is the number recorded.
"""
import json
import signal
import time
from pathlib import Path

from ..backend import manual_seed
from ..data import load_mnist
from ..errors import MinistnError
from ..files import LockedError, RunLock, write_atomically
from ..machine import describe_machine
from ..training import (CheckpointError, TrainConfig, Trainer, build_model, describe_position,
                        load_checkpoint, restore, save_checkpoint)

PROBE = 1000


class ProbeTrainer(Trainer):
    """A Trainer that tests intermediate epochs on a probe of the test set, the last on all."""

    def evaluate(self, x=None, y=None, batch_size=1000):
        if x is None and self.epoch + 1 < self.config.epochs:
            x, y = self.test_x[:PROBE], self.test_y[:PROBE]
        return super().evaluate(x, y, batch_size)


def write_json(path, record):
    """Write JSON to path atomically (ministn/files/atomic.py), making its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with write_atomically(path, "w", what="result") as f:
        f.write(json.dumps(record, indent=1) + "\n")


def result_path(results, job):
    return Path(results) / f"{job.name}.json"


def run_job(job, recipe, runs, results, data, stop=lambda: False, log=print):
    """Train one job (continuing its checkpoint); its result, or None if it was stopped."""
    config = TrainConfig(**job.config(recipe)).check()
    out = Path(runs) / job.name
    model = build_model(config)
    manual_seed(config.seed)
    trainer = ProbeTrainer(model, data, config, progress=False, log=lambda line: None)
    checkpoint_file = out / "checkpoint.npz"
    if checkpoint_file.is_file():
        try:
            checkpoint = load_checkpoint(checkpoint_file)
            if TrainConfig.from_dict(checkpoint["config"]) != config:
                raise CheckpointError("written for another recipe")
            restore(trainer, checkpoint, checkpoint_file, job.name)
            log(f"{job.name}: continuing {describe_position(trainer.epoch, trainer.step)}")
        except MinistnError as error:
            log(f"{job.name}: starting over ({error})")
    out.mkdir(parents=True, exist_ok=True)

    def save(record=None):
        save_checkpoint(checkpoint_file, model, trainer.optimizer, config.to_dict(),
                        trainer.state())
        if record is not None:
            probe = "test" if record["epoch"] == config.epochs else f"probe ({PROBE} test)"
            log(f"{job.name}: epoch {record['epoch']}/{config.epochs} train loss "
                f"{record['train_loss']:.4f}, {probe} error {100 - record['test_acc']:.2f}% "
                f"({record['seconds']:.1f} s)")

    started = time.time()
    if not trainer.run(stop=stop, on_epoch=save):
        save()
        log(f"{job.name}: stopped {describe_position(trainer.epoch, trainer.step)} "
            "(checkpoint saved)")
        return None
    final = trainer.history[-1]
    result = {"row": job.row, "model": job.model, "transform": job.transform,
              "distortion": job.distortion, "seed": job.seed, "cell": job.cell,
              "test_error": round(100.0 - final["test_acc"], 4), "test_loss": final["test_loss"],
              "test_images": len(trainer.test_y), "train_images": len(trainer.train_y),
              "parameters": model.num_parameters(), "config": config.to_dict(),
              "train_seconds": round(sum(r["seconds"] for r in trainer.history), 1),
              "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
              "session_seconds": round(time.time() - started, 1),
              "started_unix": round(started, 1), "finished_unix": round(time.time(), 1),
              "machine": describe_machine(), "history": trainer.history}
    write_json(result_path(results, job), result)
    log(f"{job.name}: test error {result['test_error']:.2f}% "
        f"({result['train_seconds']:.0f} s of training)")
    return result


def claim(runs, job):
    """The job's run-directory lock, held, or None if another worker holds it."""
    lock = RunLock(Path(runs) / job.name)
    try:
        return lock.acquire()
    except LockedError:
        return None


def trained_with(config, recipe):
    """True if a result's config (a dict) has the recipe's values; a field the result predates
    counts as its default."""
    config = {**TrainConfig().to_dict(), **config}
    return all(config.get(k) == v for k, v in recipe.items())


def matching(records, recipe):
    """Records trained with this recipe (a result of another recipe is ignored, not mixed in)."""
    return [r for r in records if trained_with(r["config"], recipe)]


class RecipeError(MinistnError, ValueError):
    """A results folder that holds runs of another recipe than the one asked for."""


def check_recipe(results, job_list, recipe):
    """RecipeError if a job's result file was trained with another recipe: running the job
    would overwrite it, and the report would drop it."""
    for job in job_list:
        path = result_path(results, job)
        if path.is_file():
            config = {**TrainConfig().to_dict(), **json.loads(path.read_text())["config"]}
            for key, value in recipe.items():
                if config.get(key) != value:
                    raise RecipeError(
                        f"{path} was trained with {key} {config.get(key)!r}, not {value!r}; "
                        f"a folder holds one recipe's runs: give this one its own --out")


def is_done(results, job, recipe):
    """True if the job has a result file written with this recipe."""
    path = result_path(results, job)
    if not path.is_file():
        return False
    return trained_with(json.loads(path.read_text())["config"], recipe)


def work(job_list, recipe, runs, results, stop=lambda: False, log=print, max_jobs=None,
         on_result=None):
    """Run every unfinished, unclaimed job in order until done or stopped; returns jobs finished.

    on_result(result) is called after each finished job (to refresh the report).
    """
    data, done = load_mnist(recipe.get("data_dir")), 0
    for job in job_list:
        if stop() or (max_jobs is not None and done >= max_jobs):
            break
        if is_done(results, job, recipe):
            continue
        handle = claim(runs, job)
        if handle is None:
            continue
        try:
            if is_done(results, job, recipe):   # finished while we looked
                continue
            result = run_job(job, recipe, runs, results, data, stop, log)
            if result is not None:
                done += 1
                if on_result is not None:
                    on_result(result)
        finally:
            handle.release()
    return done


def stop_flag():
    """(stop callable, install function): SIGINT/SIGTERM ask to stop after the current batch."""
    asked = {"stop": False}

    def handler(signum, frame):
        asked["stop"] = True

    def install():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    return (lambda: asked["stop"]), install
