"""How nets are trained: the :class:`Training` config, its optimiser and its data checks.

Data.  ``x`` is ``(n, n_in)``.  ``y`` depends on the loss:

* ``"mse"``: real targets ``(n, n_out)`` (``(n,)`` is accepted when ``n_out = 1``);
  loss = mean over examples and outputs of ``(f − y)²``;
* ``"cross_entropy"``: with ``n_out = 1``, labels 0/1 ``(n,)`` and a sigmoid on the output
  (binary cross-entropy); with ``n_out > 1``, integer classes ``(n,)`` and a softmax.

Accuracy.  With one output the predicted class is ``f > 0`` and the true class
is ``y > 0`` under MSE — so train Boolean data with MSE on *signed* targets ±1
(:func:`signed_targets`) — and ``y`` itself under cross-entropy.  With several outputs the
predicted class is the arg-max.

Compilation.  A compiled loop is cached by *shapes and structure* only: the model, the data
shapes, the number of nets (or slots), ``chunk_steps`` / ``n_inner``, the optimiser, loss and
batch size, whether momentum, weight decay and L1 are on, and the initialisation scheme.  The
numbers — learning rate, momentum, weight decay, L1, ``max_steps``, target loss/accuracy and
the init scales σw, σb — are runtime inputs (:func:`hyperparameters`), so sweeping them, or
training for 30 steps and then for 3000, reuses one compiled function.  ``weight_decay`` is
decoupled for ``adamw`` and an L2 term (``add_decayed_weights``) for ``sgd`` and ``adam``;
both it and ``l1`` act on all parameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.base.errors import UsageError
from minimodels.models.inits import Init

if TYPE_CHECKING:
    from jax.typing import ArrayLike

Params = Any

OPTIMIZERS = ("sgd", "adam", "adamw")
DEFAULT_INIT = Init()
LOSSES = ("mse", "cross_entropy")


class Model(Protocol):
    """What training needs from a model: ``MLP`` and ``MeshNet`` both qualify."""

    @property
    def n_outputs(self) -> int: ...

    def init(self, *, key: jax.Array, scheme: str, sigma_w: float, sigma_b: float) -> Params: ...

    def apply(self, params: Params, x: jax.Array) -> jax.Array: ...


@dataclass(frozen=True)
class Training:
    """Optimiser, loss and stopping rule.

    Compiled code depends only on its *structure* (:func:`structure`: optimiser, loss, batch
    size, and whether momentum, weight decay and L1 are used); the numbers (learning rate,
    momentum, weight decay, L1, ``max_steps``, targets) are runtime inputs
    (:func:`hyperparameters`), so changing them does not recompile anything.
    """

    optimizer: str = "adam"
    learning_rate: float = 1e-2
    momentum: float = 0.9  # sgd only; 0 for plain SGD
    loss: str = "mse"
    max_steps: int = 1000
    batch_size: int | None = None  # None: full batch
    weight_decay: float = 0.0
    l1: float = 0.0
    target_accuracy: float | None = None
    target_loss: float | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise UsageError(
                f"unknown optimiser {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}"
            )
        if self.loss not in LOSSES:
            raise UsageError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if not (math.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise UsageError(
                f"learning rate must be a positive number, got {self.learning_rate}", option="lr"
            )
        for name in ("momentum", "weight_decay", "l1"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise UsageError(f"{name} must be a finite number ≥ 0, got {value}", option=name)
        if int(self.max_steps) != self.max_steps or self.max_steps < 0:
            raise UsageError(
                f"max_steps must be an integer ≥ 0, got {self.max_steps}",
                option=("max_steps", "steps"),
            )
        if self.batch_size is not None and self.batch_size <= 0:
            raise UsageError(
                f"batch size must be positive, got {self.batch_size}", option="batch_size"
            )
        if self.target_accuracy is not None and not 0 <= self.target_accuracy <= 1:
            raise UsageError(f"target accuracy must be in [0, 1], got {self.target_accuracy}")
        if self.target_loss is not None and not (
            math.isfinite(self.target_loss) and self.target_loss >= 0
        ):
            raise UsageError(
                f"target loss must be a finite number ≥ 0, got {self.target_loss}",
                option="target_loss",
            )


DEFAULT_TRAINING = Training()


def structure(training: Training) -> Training:
    """``training`` with every number that compiled code takes at run time set to a canonical
    value: two settings with the same structure share one compiled loop."""
    return replace(
        training,
        learning_rate=1.0,
        momentum=float(training.momentum > 0),
        weight_decay=float(training.weight_decay > 0),
        l1=float(training.l1 > 0),
        max_steps=0,
        target_accuracy=None,
        target_loss=None,
    )


def hyperparameters(training: Training) -> dict[str, np.ndarray]:
    """The runtime numbers of ``training`` as arrays (float32 unless x64 is on; ``max_steps``
    int32).  A missing target becomes a bound no loss or accuracy reaches (−∞, +∞)."""
    dtype = float_dtype()
    target_loss = -np.inf if training.target_loss is None else training.target_loss
    target_accuracy = np.inf if training.target_accuracy is None else training.target_accuracy
    values = {
        "learning_rate": training.learning_rate,
        "momentum": training.momentum,
        "weight_decay": training.weight_decay,
        "l1": training.l1,
        "target_loss": target_loss,
        "target_accuracy": target_accuracy,
    }
    # numpy scalars: converted on the host, so no conversion kernel is compiled
    hyper = {name: np.asarray(value, dtype=dtype) for name, value in values.items()}
    hyper["max_steps"] = np.asarray(min(training.max_steps, 2**31 - 1), dtype=np.int32)
    return hyper


def make_optimizer(
    training: Training, hyper: Mapping[str, ArrayLike] | None = None
) -> optax.GradientTransformation:
    """The optax optimiser of ``training``; its numbers come from ``hyper`` when given (traced
    arrays inside compiled code), else from ``training``."""
    if hyper is None:
        hyper = {
            "learning_rate": training.learning_rate,
            "momentum": training.momentum,
            "weight_decay": training.weight_decay,
        }
    lr, wd = hyper["learning_rate"], hyper["weight_decay"]
    if training.optimizer == "adamw":
        return optax.adamw(lr, weight_decay=wd)
    if training.optimizer == "adam":
        base = optax.adam(lr)
    else:
        base = optax.sgd(lr, momentum=hyper["momentum"] if training.momentum > 0 else None)
    return optax.chain(optax.add_decayed_weights(wd), base) if training.weight_decay else base


def signed_targets(bits: Any) -> np.ndarray:
    """0/1 labels → ±1 regression targets (the MSE convention for Boolean data)."""
    return 2.0 * np.asarray(bits, dtype=np.float64) - 1.0


def prepare_data(model: Model, x: Any, y: Any, training: Training) -> tuple[jax.Array, jax.Array]:
    """Check shapes and finiteness; return ``x`` ``(n, n_in)`` and ``y`` in the loss's layout."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise UsageError(f"inputs must be a non-empty (n, n_in) array, got shape {x.shape}")
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise UsageError(f"targets must be numbers, got dtype {y.dtype}")
    if not np.all(np.isfinite(x)):
        raise UsageError("inputs contain NaN or infinite values")
    if not np.all(np.isfinite(y)):
        raise UsageError("targets contain NaN or infinite values")
    if y.shape[0] != x.shape[0]:
        raise UsageError(f"{x.shape[0]} inputs but {y.shape[0]} targets")
    n_out = model.n_outputs
    if training.loss == "cross_entropy" and n_out > 1:
        if y.ndim != 1 or np.any(y != np.round(y)) or y.min() < 0 or y.max() >= n_out:
            raise UsageError(f"cross-entropy targets must be class labels 0..{n_out - 1}")
        return jnp.asarray(x.astype(float_dtype())), jnp.asarray(y.astype(np.int32))
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[1] != n_out:
        raise UsageError(f"targets have {y.shape[1]} columns but the net has {n_out} outputs")
    if training.loss == "cross_entropy" and not np.all((y == 0) | (y == 1)):
        raise UsageError("binary cross-entropy targets must be 0 or 1")
    return jnp.asarray(x.astype(float_dtype())), jnp.asarray(y.astype(float_dtype()))


def float_dtype() -> np.dtype:
    """float32, or float64 when JAX's x64 mode is on (casts done by numpy, not compiled)."""
    return np.dtype(jnp.result_type(float))
