"""A small real-data case: two classes of scikit-learn's 8×8 digits, P_B from the NNGP.

Data model.  scikit-learn ships 1,797 8×8 grey-level digit images (pixels 0–16) inside the
package, so nothing is downloaded.  :func:`load_digit_pair` keeps two classes, maps them to
labels 0 and 1 (first class → 0), scales pixels to [0, 1] (or binarises them at 8/16) and
draws disjoint training and test sets.  A *test function* is the '0'/'1' string of a model's
predicted labels on the test images in order, as in the Boolean protocol.

P_B(f | S) for images cannot come from rejection sampling (the chance that random parameters fit
even 30 images is astronomically small), so it comes from the neural-network Gaussian process
(:func:`minimodels.analysis.bayes.nngp.nngp_kernel`) with EP (:func:`minimodels.analysis.bayes.ep`):
``log P_B(f | S) = log P(U_{S∪T}) − log P(U_S)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minimodels.analysis.bayes.ep import log_pb_given_train
from minimodels.analysis.bayes.nngp import nngp_kernel
from minimodels.analysis.bayes.protocol import bits_to_strings, tabulate, truth_table_bits
from minimodels.base.errors import UsageError

__all__ = ["DigitPair", "load_digit_pair", "nngp_log_posterior", "sgd_test_functions"]


@dataclass(frozen=True)
class DigitPair:
    """Training and test images of two digit classes, flattened to 64 features."""

    x_train: np.ndarray  # (m, 64) float in [0, 1]
    y_train: np.ndarray  # (m,) 0/1 labels
    x_test: np.ndarray  # (t, 64)
    y_test: np.ndarray  # (t,)
    classes: tuple[int, int]
    binarised: bool

    @property
    def test_target(self) -> str:
        return "".join(map(str, self.y_test.tolist()))

    @property
    def inputs(self) -> np.ndarray:
        """Training images first, then test images: the rows of the GP kernel."""
        return np.vstack([self.x_train, self.x_test])


def load_digit_pair(
    classes: tuple[int, int] = (3, 8),
    *,
    train_size: int = 40,
    test_size: int = 12,
    binarise: bool = False,
    rng: np.random.Generator,
) -> DigitPair:
    """Two classes of the 8×8 digits, with a random disjoint train/test draw."""
    from sklearn.datasets import load_digits

    a, b = classes
    if a == b or not {a, b} <= set(range(10)):
        raise UsageError(f"classes must be two different digits 0..9, got {classes}")
    images, digits = load_digits(return_X_y=True)
    keep = np.flatnonzero((digits == a) | (digits == b))
    if train_size < 1 or test_size < 1 or train_size + test_size > len(keep):
        raise UsageError(
            f"train size {train_size} + test size {test_size} must be positive and at most "
            f"{len(keep)} (the images of digits {a} and {b})"
        )
    chosen = rng.permutation(keep)[: train_size + test_size]
    x = images[chosen] / 16.0
    if binarise:
        x = (x > 0.5).astype(np.float64)
    y = (digits[chosen] == b).astype(np.uint8)
    return DigitPair(
        x[:train_size], y[:train_size], x[train_size:], y[train_size:], (a, b), binarise
    )


def nngp_log_posterior(
    data: DigitPair,
    functions: np.ndarray,
    *,
    depth: int = 2,
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
    activation: str = "relu",
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Natural-log P_B(f | S) of test functions (strings or (F, t) 0/1) by NNGP + EP."""
    functions = np.asarray(functions)
    if functions.dtype.kind in "US":
        functions = np.array([truth_table_bits(str(f)) for f in functions]).reshape(
            len(functions), -1
        )
    K = nngp_kernel(
        data.inputs, depth=depth, sigma_w=sigma_w, sigma_b=sigma_b, activation=activation, rng=rng
    )
    return log_pb_given_train(K, data.y_train, functions)


def sgd_test_functions(
    data: DigitPair,
    *,
    hidden: tuple[int, ...] = (40, 40),
    n_runs: int,
    seed: int,
    optimizer: str = "adam",
    learning_rate: float = 1e-2,
    max_steps: int = 2000,
    sigma_w: float = 1.0,
    sigma_b: float = 1.0,
):
    """P_SGD on the digits: ``n_runs`` ReLU nets trained (MSE on ±1) to 100 % train accuracy.

    Returns a :class:`~minimodels.analysis.bayes.protocol.FunctionCounts` of the test functions of
    the runs that fit (net ``i`` starts from key ``fold_in(key(seed), i)``).
    """
    import time

    import jax

    from minimodels.learners.nets import MLP, Init, Training, train_many

    started = time.perf_counter()
    model = MLP((data.x_train.shape[1], *hidden, 1))
    training = Training(
        optimizer=optimizer, learning_rate=learning_rate, max_steps=max_steps, target_accuracy=1.0
    )
    root = jax.random.key(seed)
    keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(np.arange(n_runs))
    y = 2.0 * data.y_train - 1.0
    result = train_many(
        model, data.x_train, y, training, keys=keys, init=Init("gaussian", sigma_w, sigma_b)
    )
    outputs = np.asarray(result.predict(data.x_test))[:, :, 0]  # (n_runs, t)
    fitted = np.asarray(result.fitted)
    strings = bits_to_strings((outputs[fitted] > 0).astype(np.uint8)).tolist()
    return tabulate(strings, n_attempts=n_runs, seconds=time.perf_counter() - started)
