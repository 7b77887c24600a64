"""The training loop: mini-batch gradient descent with a progress bar, resumable at any batch.

One step on a batch (x, y):   logits = model(x);  L = cross_entropy(logits, y);  dL/dw by
backward();  w <- optimizer(w, dL/dw).  One epoch is one pass over the shuffled training set;
after it, the test set is classified and the learning-rate schedule advances.

Everything random is a pure function of the seed and the position in training, so that a run
stopped after any batch and resumed from its checkpoint continues bit for bit:
    the epoch's shuffle            Generator([seed, epoch])
    the batch's distortion         Generator([seed, epoch, batch]) (and, for addition, each
                                   digit's partner)
    dropout                        ministn's generator, whose state the checkpoint stores.
"""
import time

import numpy as np
from tqdm import tqdm

from .. import functional as F
from ..autograd import no_grad
from ..backend import get_rng_state, set_rng_state, to_device
from ..data import batch_indices, normalize_pixels, to_float
from ..distortions import TEST_SEED, distort, distort_fixed, fixed_pairs, random_pairs
from ..nn import SpatialTransformer
from ..optim import SGD, Adam, StepLR


def parameter_groups(model, config):
    """The model's parameters; with a localisation_lr_factor other than 1, two groups: the
    spatial transformers' (localisation nets and regression layers) at lr times the factor,
    and the rest at lr. (The paper trains its SVHN localisation nets at a tenth of the rate.)"""
    if config.localisation_lr_factor == 1:
        return model.parameters()
    own = {id(p) for m in model.modules() if isinstance(m, SpatialTransformer)
           for p in m.parameters()}
    transformer = [p for p in model.parameters() if id(p) in own]
    rest = [p for p in model.parameters() if id(p) not in own]
    return [{"params": transformer, "lr": config.lr * config.localisation_lr_factor},
            {"params": rest}]


def make_optimizer(config, model):
    groups = parameter_groups(model, config)
    if config.optimizer == "sgd":
        return SGD(groups, lr=config.lr, momentum=config.momentum)
    return Adam(groups, lr=config.lr)


class Trainer:
    """Holds a model, its optimiser and schedule, the data, and where training has got to."""

    def __init__(self, model, data, config, progress=True, log=print):
        self.model, self.config, self.progress, self.log = model, config, progress, log
        self.optimizer = make_optimizer(config, model)
        self.scheduler = (StepLR(self.optimizer, config.lr_step, config.lr_gamma)
                          if config.lr_step else None)
        device = config.device
        self.train_x = to_device(to_float(data.train_images[:config.train_size]), device)
        self.train_y = to_device(data.train_labels[:config.train_size], device)
        test_x = to_device(to_float(data.test_images[:config.test_size]), device)
        test_y = to_device(data.test_labels[:config.test_size], device)
        if config.task == "addition":      # pairs of digits and their sums (distortions/pairs.py)
            test_x, self.test_y = fixed_pairs(test_x, test_y, TEST_SEED)
        else:
            test_x, self.test_y = distort_fixed(config.distortion, test_x), test_y
        self.test_x = self._prepare(test_x)
        self.epoch, self.step = 0, 0                      # completed epochs; batches into this one
        self.running = new_running()
        self.history = []                                 # one dict of metrics per epoch

    # ---- data ---------------------------------------------------------------------------
    def _prepare(self, x):
        """What the model is fed: raw pixels, or normalised ones in the tutorial's setup."""
        return x if self.config.normalization == "inside" else normalize_pixels(x)

    def epoch_batches(self, epoch):
        rng = np.random.default_rng([self.config.seed, epoch])
        return batch_indices(len(self.train_y), self.config.batch_size, rng)

    def training_batch(self, epoch, b, index):
        config = self.config
        rng = np.random.default_rng([config.seed, epoch, b])
        if config.task == "addition":
            x, y = random_pairs(self.train_x, self.train_y, to_device(index, config.device), rng)
            return self._prepare(x), y
        x = self.train_x[to_device(index, config.device)]
        name = config.distortion
        if name == "none" and config.augment:
            name = "augment"
        x = distort(name, x, rng, pool=self.train_x)
        return self._prepare(x), self.train_y[to_device(index, config.device)]

    # ---- one step, one epoch, evaluation ---------------------------------------------------
    def train_step(self, x, y):
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        correct = int((logits.data.argmax(axis=1) == y).sum())
        return float(loss.item()), correct

    def train_epoch(self, stop=None):
        """Train from self.step to the end of epoch self.epoch + 1; False if ``stop`` fired."""
        epoch, batches = self.epoch + 1, self.epoch_batches(self.epoch + 1)
        self.model.train()
        bar = tqdm(total=len(batches), initial=self.step, disable=not self.progress, leave=False,
                   desc=f"epoch {epoch}/{self.config.epochs}", unit="batch", dynamic_ncols=True)
        started, seen_before = time.perf_counter(), self.running["seen"]
        with bar:
            for b in range(self.step, len(batches)):
                if stop is not None and stop():
                    self.running["seconds"] += time.perf_counter() - started
                    return False
                x, y = self.training_batch(epoch, b, batches[b])
                loss, correct = self.train_step(x, y)
                r = self.running
                r["loss"] += loss * len(y)
                r["correct"] += correct
                r["seen"] += len(y)
                self.step = b + 1
                rate = (r["seen"] - seen_before) / max(time.perf_counter() - started, 1e-9)
                bar.set_postfix(loss=f"{r['loss'] / r['seen']:.4f}",
                                acc=f"{100 * r['correct'] / r['seen']:.2f}%", img_s=f"{rate:.0f}")
                bar.update(1)
        self.running["seconds"] += time.perf_counter() - started
        return True

    def evaluate(self, x=None, y=None, batch_size=1000):
        """(mean loss, accuracy in %) on the test set (or on x, y), dropout off."""
        x = self.test_x if x is None else x
        y = self.test_y if y is None else y
        self.model.eval()
        loss, correct = 0.0, 0
        with no_grad():
            for i in range(0, len(y), batch_size):
                logits = self.model(x[i:i + batch_size])
                loss += float(F.cross_entropy(logits, y[i:i + batch_size], reduction="sum").item())
                correct += int((logits.data.argmax(axis=1) == y[i:i + batch_size]).sum())
        self.model.train()
        return loss / len(y), 100.0 * correct / len(y)

    def finish_epoch(self):
        """Evaluate, record the epoch's metrics, advance the schedule; returns the record.

        seconds and images/s count the epoch's training time only, summed over its parts
        when it was stopped and resumed."""
        test_loss, test_acc = self.evaluate()
        r = self.running
        seconds = r["seconds"]
        record = {"epoch": self.epoch + 1, "train_loss": r["loss"] / r["seen"],
                  "train_acc": 100.0 * r["correct"] / r["seen"], "test_loss": test_loss,
                  "test_acc": test_acc, "lr": self.optimizer.lr, "seconds": round(seconds, 3),
                  "images_per_s": round(r["seen"] / max(seconds, 1e-9), 1)}
        self.history.append(record)
        self.epoch, self.step = self.epoch + 1, 0
        self.running = new_running()
        if self.scheduler is not None:
            self.scheduler.step()
        return record

    def run(self, stop=None, on_epoch=None):
        """Train until config.epochs; False if ``stop()`` became true (at a batch boundary)."""
        while self.epoch < self.config.epochs:
            if not self.train_epoch(stop):
                return False
            record = self.finish_epoch()
            self.log(format_record(record, self.config.epochs))
            if on_epoch is not None:
                on_epoch(record)
        return True

    # ---- state, for checkpoints ------------------------------------------------------------
    def state(self):
        return {"epoch": self.epoch, "step": self.step, "running": dict(self.running),
                "history": list(self.history), "rng": get_rng_state(),
                "scheduler": self.scheduler.state_dict() if self.scheduler else None}

    def load_state(self, state):
        self.epoch, self.step = state["epoch"], state["step"]
        self.running, self.history = {**new_running(), **state["running"]}, list(state["history"])
        set_rng_state(state["rng"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])


def new_running():
    """The sums of an epoch in progress: loss * images, correct answers, images, seconds."""
    return {"loss": 0.0, "correct": 0, "seen": 0, "seconds": 0.0}


def describe_position(epoch, step):
    """Where training stopped, in words: 'after epoch 1 and 23 batches of epoch 2'."""
    if step == 0:
        return f"after epoch {epoch}"
    return f"after epoch {epoch} and {step} batch{'es' * (step != 1)} of epoch {epoch + 1}"


def format_record(record, epochs):
    return (f"epoch {record['epoch']:>3}/{epochs}  train loss {record['train_loss']:.4f}  "
            f"acc {record['train_acc']:6.2f}%   test loss {record['test_loss']:.4f}  "
            f"acc {record['test_acc']:6.2f}%   lr {record['lr']:.3g}  "
            f"{record['seconds']:.1f} s ({record['images_per_s']:.0f} img/s)")
