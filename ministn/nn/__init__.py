"""ministn.nn: Modules (layers with parameters), as torch.nn."""
from .layers import (AvgPool2d, Conv2d, Dropout, Dropout2d, Flatten, Linear, LogSoftmax,
                     MaxPool2d, ReLU, Tanh)
from .module import Module, Parameter, Sequential
from .parallel import ParallelTransformers
from .spatial import SpatialTransformer
from .transforms import TRANSFORMS, rotation_and_scale
