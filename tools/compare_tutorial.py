"""ministn and PyTorch trained side by side on the STN tutorial's recipe, same data, several seeds.

    python tools/compare_tutorial.py [--seeds 0 1 2] [--epochs 20] [--train-size N] [--json PATH]

Recipe (pytorch/tutorials, spatial_transformer_tutorial.py): the tutorial's ST-CNN, inputs
normalised before the network with MNIST's mean/std, SGD lr 0.01 (no momentum), batch 64,
shuffled, 20 epochs, log_softmax + nll_loss; tested on the official 10,000 test images. Both
sides train on the same arrays: the bundled first 6,000 MNIST training images. PyTorch is needed
only here (``pip install torch==2.13.0``, the CPU build), never by the package. Prints a table and
writes JSON: by default results/compare_tutorial.json (seeds 0-2); seeds 3-5 are in
results/compare_tutorial_seeds_3-5.json (``--seeds 3 4 5 --json PATH``). Run from the repo root.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ministn import functional as Fm, manual_seed
from ministn.optim import SGD
from ministn.data import load_mnist, normalize_pixels, to_float
from ministn.models import build
from ministn.training import TUTORIAL_RECIPE, fit


class TutorialNet(nn.Module):
    """The tutorial's network, verbatim in structure."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5), nn.MaxPool2d(2, stride=2), nn.ReLU(True))
        self.fc_loc = nn.Sequential(nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def stn(self, x):
        theta = self.fc_loc(self.localization(x).view(-1, 10 * 3 * 3)).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = F.relu(self.fc1(x.view(-1, 320)))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def torch_run(mnist, seed, epochs, batch_size=64, lr=0.01):
    torch.manual_seed(seed)
    x = torch.from_numpy(normalize_pixels(to_float(mnist.train_images)))
    y = torch.from_numpy(mnist.train_labels)
    x_test = torch.from_numpy(normalize_pixels(to_float(mnist.test_images)))
    y_test = torch.from_numpy(mnist.test_labels)
    model = TutorialNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        started = time.perf_counter()
        model.train()
        for index in torch.randperm(len(y)).split(batch_size):
            optimizer.zero_grad()
            F.nll_loss(model(x[index]), y[index]).backward()
            optimizer.step()
        seconds = time.perf_counter() - started
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum())
                          for i in range(0, len(y_test), 1000))
        history.append({"epoch": epoch + 1, "test_acc": 100.0 * correct / len(y_test),
                        "seconds": seconds})
    return history


TORCH_NAMES = {  # ministn parameter -> the tutorial's
    "transformer.localization.1": "localization.0", "transformer.localization.4": "localization.3",
    "transformer.localization.8": "fc_loc.0", "transformer.regression": "fc_loc.2",
    "classifier.0": "conv1", "classifier.3": "conv2", "classifier.8": "fc1", "classifier.11": "fc2"}


OFF_IDENTITY = [1.05, 0.02, 0.013, -0.017, 0.96, 0.021]


def lockstep(mnist, steps, batch_size=64, lr=0.01, theta_bias=OFF_IDENTITY):
    """Same initial weights, same batches, dropout off on both sides: the largest differences in
    loss and in weights after ``steps`` SGD steps (float32 round-off only, if all is equal).

    The regression bias starts at ``theta_bias``, by default a little off the identity: at the
    identity every grid point sits on a pixel centre, where the bilinear sampler has a kink, and
    the two libraries' grids differ there by one float32 ulp in about a third of the entries, so
    they take different (equally valid) one-sided derivatives (docs §11.2) and drift apart.
    """
    manual_seed(0)
    ours = build("tutorial", normalization="outside").eval()
    ours.transformer.regression.bias.data[:] = theta_bias
    theirs = TutorialNet().eval()
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            prefix, kind = name.rsplit(".", 1)
            getattr(theirs.get_submodule(TORCH_NAMES[prefix]), kind).copy_(torch.from_numpy(value))
    ours_opt = SGD(ours.parameters(), lr=lr)
    theirs_opt = torch.optim.SGD(theirs.parameters(), lr=lr)
    x = normalize_pixels(to_float(mnist.train_images[:steps * batch_size]))
    y = mnist.train_labels[:steps * batch_size]
    differences = []                       # (loss, weights) after each step
    for i in range(0, len(y), batch_size):
        loss = Fm.cross_entropy(ours(x[i:i + batch_size]), y[i:i + batch_size])
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()
        theirs_opt.zero_grad()
        reference = F.nll_loss(theirs(torch.from_numpy(x[i:i + batch_size])),
                               torch.from_numpy(y[i:i + batch_size]))
        reference.backward()
        theirs_opt.step()
        differences.append((abs(loss.item() - reference.item()), weight_difference(ours, theirs)))
    return differences


def weight_difference(ours, theirs):
    theirs_state = theirs.state_dict()
    return max(float(np.abs(value - theirs_state[f"{TORCH_NAMES[prefix]}.{kind}"].numpy()).max())
               for name, value in ours.state_dict().items() for prefix, kind in [name.rsplit(".", 1)])


def ministn_run(mnist, seed, epochs):
    manual_seed(seed)
    model = build("tutorial", normalization="outside")      # the tutorial's setup: normalised inputs
    recipe = dict(TUTORIAL_RECIPE, epochs=epochs)
    return fit(model, mnist, progress=False, log=lambda *a: None, seed=seed, **recipe)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=TUTORIAL_RECIPE["epochs"])
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--lockstep-steps", type=int, default=90)
    parser.add_argument("--json", default="results/compare_tutorial.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    mnist = load_mnist(train_size=args.train_size)
    print(f"data: {mnist.describe()}; recipe: {TUTORIAL_RECIPE}, epochs {args.epochs}")
    lockstep_results = {}
    for start, bias in (("off the identity", OFF_IDENTITY), ("at the identity", [1, 0, 0, 0, 1, 0])):
        differences = lockstep(mnist, args.lockstep_steps, theta_bias=bias)
        lockstep_results[start] = differences
        (loss_1, weight_1), (loss_n, weight_n) = differences[0], differences[-1]
        print(f"lockstep from theta {start} (same init and batches, dropout off): after 1 step the "
              f"loss differs by {loss_1:.1e} and the weights by {weight_1:.1e}; after "
              f"{len(differences)} steps by {loss_n:.1e} and {weight_n:.1e}", flush=True)
    results = []
    for seed in args.seeds:
        for name, run in (("pytorch", torch_run), ("ministn", ministn_run)):
            started = time.perf_counter()
            history = run(mnist, seed, args.epochs)
            total = time.perf_counter() - started
            results.append({"framework": name, "seed": seed, "final_test_acc": history[-1]["test_acc"],
                            "best_test_acc": max(r["test_acc"] for r in history),
                            "train_s_per_epoch": float(np.mean([r["seconds"] for r in history])),
                            "total_s": total, "history": [r["test_acc"] for r in history]})
            r = results[-1]
            print(f"seed {seed}  {name:8s} final {r['final_test_acc']:6.2f}%  best "
                  f"{r['best_test_acc']:6.2f}%  {r['train_s_per_epoch']:.1f} s/epoch train, "
                  f"{total:.0f} s in all", flush=True)
    mean = {name: float(np.mean([r["final_test_acc"] for r in results if r["framework"] == name]))
            for name in ("pytorch", "ministn")}
    print(f"mean final test accuracy over seeds {args.seeds}: PyTorch {mean['pytorch']:.2f}%, "
          f"ministn {mean['ministn']:.2f}%, difference {mean['ministn'] - mean['pytorch']:+.2f} points")
    with open(args.json, "w") as f:
        json.dump({"recipe": dict(TUTORIAL_RECIPE, epochs=args.epochs), "data": mnist.describe(),
                   "torch": torch.__version__, "results": results, "mean_final": mean,
                   "lockstep_steps": args.lockstep_steps, "lockstep": lockstep_results}, f,
                  indent=1)


if __name__ == "__main__":
    main()
