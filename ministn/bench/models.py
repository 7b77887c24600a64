"""Whole-model rows: the PyTorch tutorial's ST-CNN (``ministn.models.build("tutorial")``), and the
same classifier without the transformer ("tutorial-cnn"), beside the same networks in PyTorch.

A training step is what ``python -m ministn train`` does per batch: forward, cross-entropy,
zero_grad, backward, one optimiser step (SGD, lr 0.01, the tutorial's recipe), in training mode
(dropout on). Inference is the forward pass in eval mode without a graph, at batch 1000 (the
evaluation batch). Inputs are random pixels in [0, 1] and random labels, float32; PyTorch's
network starts from ministn's weights (the parameter names are the same).
"""
from .. import functional as F
from ..autograd import no_grad
from ..data.batching import MNIST_MEAN, MNIST_STD
from ..models import build
from ..optim import SGD
from .registry import case

LR = 0.01


def torch_tutorial(torch, with_transformer):
    """The tutorial's network in PyTorch, laid out with ministn's module names and order."""
    nn, TF = torch.nn, torch.nn.functional

    class Normalize(nn.Module):
        def forward(self, x):
            return (x - MNIST_MEAN) * (1.0 / MNIST_STD)

    class Transformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.localization = nn.Sequential(
                Normalize(), nn.Conv2d(1, 8, 7), nn.MaxPool2d(2), nn.ReLU(),
                nn.Conv2d(8, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
                nn.Flatten(), nn.Linear(90, 32), nn.ReLU())
            self.regression = nn.Linear(32, 6)

        def forward(self, x):
            theta = self.regression(self.localization(x)).view(-1, 2, 3)
            grid = TF.affine_grid(theta, x.size(), align_corners=False)
            return TF.grid_sample(x, grid, align_corners=False)

    class TutorialNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = Transformer() if with_transformer else None
            self.normalization = Normalize()
            self.classifier = nn.Sequential(
                nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
                nn.Conv2d(10, 20, 5), nn.Dropout2d(), nn.MaxPool2d(2), nn.ReLU(),
                nn.Flatten(), nn.Linear(320, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10))

        def forward(self, x):
            if self.transformer is not None:
                x = self.transformer(x)
            return self.classifier(self.normalization(x))

    return TutorialNet()


def _models(s, name):
    """ministn's model on the device, and PyTorch's copy of it (None without torch)."""
    ours = build(name)
    if s.device == "gpu":
        ours.to("gpu")
    if s.torch is None:
        return ours, None
    theirs = torch_tutorial(s.torch, name == "tutorial")
    theirs.load_state_dict({key: s.torch.from_numpy(value)
                            for key, value in ours.state_dict().items()})
    return ours, theirs.to(s.torch_device)


def _batch(s, size):
    return s.uniform(size, 1, 28, 28), s.labels(size)


def _train_step_case(s, name, batch):
    ours, theirs = _models(s, name)
    images, labels = _batch(s, batch)
    x, y = s.array(images), s.array(labels)
    ours.train()
    optimizer = SGD(ours.parameters(), lr=LR)

    def ours_step():
        loss = F.cross_entropy(ours(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    if theirs is None:
        return ours_step, None
    torch = s.torch
    tx, ty = s.torch_tensor(images), torch.tensor(labels, device=s.torch_device)
    theirs.train()
    torch_optimizer = torch.optim.SGD(theirs.parameters(), lr=LR)

    def theirs_step():
        loss = torch.nn.functional.cross_entropy(theirs(tx), ty)
        torch_optimizer.zero_grad()
        loss.backward()
        torch_optimizer.step()

    return ours_step, theirs_step


def _inference_case(s, name, batch):
    ours, theirs = _models(s, name)
    images, _ = _batch(s, batch)
    x = s.tensor(images)
    ours.eval()

    def ours_forward():
        with no_grad():
            ours(x)

    if theirs is None:
        return ours_forward, None
    tx = s.torch_tensor(images)
    theirs.eval()

    def theirs_forward():
        with s.torch.no_grad():
            theirs(tx)

    return ours_forward, theirs_forward


TRAIN = "training step (forward, loss, backward, SGD step), random 28x28 digits, float32"


@case("st-cnn train 64", "tutorial ST-CNN " + TRAIN + ", batch 64")
def st_cnn_train_64(s):
    return _train_step_case(s, "tutorial", 64)


@case("st-cnn train 256", "tutorial ST-CNN " + TRAIN + ", batch 256")
def st_cnn_train_256(s):
    return _train_step_case(s, "tutorial", 256)


@case("cnn train 64", "tutorial classifier without the STN, " + TRAIN + ", batch 64")
def cnn_train_64(s):
    return _train_step_case(s, "tutorial-cnn", 64)


@case("cnn train 256", "tutorial classifier without the STN, " + TRAIN + ", batch 256")
def cnn_train_256(s):
    return _train_step_case(s, "tutorial-cnn", 256)


@case("st-cnn inference 1000", "tutorial ST-CNN forward, eval mode, no graph, batch 1000, float32")
def st_cnn_inference_1000(s):
    return _inference_case(s, "tutorial", 1000)
