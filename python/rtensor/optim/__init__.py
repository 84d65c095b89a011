"""``rtensor.optim``: optimizers and learning-rate schedulers, as ``torch.optim``.

The updates are torch's single-tensor formulas (the path torch takes on the CPU), run under
``rtensor.no_grad()``, so trajectories match torch's to the rounding of the dtype.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
