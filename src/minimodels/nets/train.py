"""Gradient training with optax: one net (:func:`train`), or N nets in one compiled call
(:func:`train_many`), each stopping on its own criterion.

Data.  ``x`` is ``(n, n_in)``.  ``y`` depends on the loss:

* ``"mse"``: real targets ``(n, n_out)`` (``(n,)`` is accepted when ``n_out = 1``);
  loss = mean over examples and outputs of ``(f − y)²``;
* ``"cross_entropy"``: with ``n_out = 1``, labels 0/1 ``(n,)`` and a sigmoid on the output
  (binary cross-entropy); with ``n_out > 1``, integer classes ``(n,)`` and a softmax.

Accuracy.  With one output the predicted class is ``f > 0`` (DESIGN.md §4) and the true class
is ``y > 0`` under MSE — so train Boolean data with MSE on *signed* targets ±1
(:func:`signed_targets`) — and ``y`` itself under cross-entropy.  With several outputs the
predicted class is the arg-max.

One step.  The current parameters are evaluated on the whole training set (loss, accuracy).
If the stopping criterion holds (loss ≤ ``target_loss`` or accuracy ≥ ``target_accuracy``),
or ``max_steps`` updates were made, the net is *done* and keeps these parameters; otherwise
one optimiser update is applied, with the gradient of the full batch or of the next
minibatch (an epoch-wise random permutation drawn from the net's own key) plus the L1 term.
So ``losses[s]`` is the training loss after ``s`` updates, ``s = 0 … n_steps``, and the last
entry is the final loss.  ``weight_decay`` is decoupled for ``adamw`` and an L2 term
(``add_decayed_weights``) for ``sgd`` and ``adam``; both it and ``l1`` act on all parameters.

Many nets.  :func:`train_many` vmaps that same step over a leading net axis of the parameters
and keys.  The loop is a ``lax.while_loop`` that runs until every net is done (done nets are
masked: their parameters and optimiser state no longer change), in chunks of at most
``chunk_steps`` iterations so that progress can be reported between chunks; there is no
Python work per step.  Unless losses are recorded, only a pool of ``n_slots`` nets is in
flight, and a finished net's slot is refilled with the next net.  Net ``i`` of
``train_many(keys=keys)`` follows the trajectory of ``train(key=keys[i])`` up to float
rounding (:func:`train_many` says when even that differs).  Memory is O(N · n_params); for
10^5 nets and more, call it on batches of ~10^4 keys.

Keys.  ``key`` is split into (init key, minibatch key); the init key draws the parameters when
none are given.

Compilation.  A compiled loop is cached by *shapes and structure* only: the model, the data
shapes, the number of nets (or slots), ``chunk_steps`` / ``n_inner``, the optimiser, loss and
batch size, whether momentum, weight decay and L1 are on, and the initialisation scheme.  The
numbers — learning rate, momentum, weight decay, L1, ``max_steps``, target loss/accuracy and
the init scales σw, σb — are runtime inputs (:func:`hyperparameters`), so sweeping them, or
training for 30 steps and then for 3000, reuses one compiled function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import jax
import jax.numpy as jnp
import numpy as np
import optax

from minimodels.display import Drawable
from minimodels.errors import UsageError
from minimodels.inits import Init
from minimodels.progress import ProgressCallback, report

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
    dtype = _float_dtype()
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


# --------------------------------------------------------------------------- data checks


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
        return jnp.asarray(x.astype(_float_dtype())), jnp.asarray(y.astype(np.int32))
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[1] != n_out:
        raise UsageError(f"targets have {y.shape[1]} columns but the net has {n_out} outputs")
    if training.loss == "cross_entropy" and not np.all((y == 0) | (y == 1)):
        raise UsageError("binary cross-entropy targets must be 0 or 1")
    return jnp.asarray(x.astype(_float_dtype())), jnp.asarray(y.astype(_float_dtype()))


def _float_dtype() -> np.dtype:
    """float32, or float64 when JAX's x64 mode is on (casts done by numpy, not compiled)."""
    return np.dtype(jnp.result_type(float))


# --------------------------------------------------------------------------- one step


class TrainState(NamedTuple):
    params: Params
    opt_state: Any
    step: jax.Array  # int32: updates applied so far
    done: jax.Array  # bool
    fitted: jax.Array  # bool: the stopping criterion held when the net stopped
    diverged: jax.Array  # bool: the loss became NaN or infinite
    loss: jax.Array  # loss of the current parameters
    accuracy: jax.Array


def data_loss(output: jax.Array, y: jax.Array, loss: str) -> jax.Array:
    if loss == "mse":
        return jnp.mean((output - y) ** 2)
    if output.shape[-1] == 1:
        return jnp.mean(optax.sigmoid_binary_cross_entropy(output, y))
    return jnp.mean(optax.softmax_cross_entropy_with_integer_labels(output, y))


def accuracy(output: jax.Array, y: jax.Array, loss: str) -> jax.Array:
    if output.shape[-1] > 1:
        return jnp.mean(jnp.argmax(output, axis=-1) == y)
    truth = y > (0.5 if loss == "cross_entropy" else 0.0)
    return jnp.mean((output > 0) == truth)


def _criterion(hyper: Mapping[str, ArrayLike], loss: jax.Array, acc: jax.Array) -> jax.Array:
    return (loss <= hyper["target_loss"]) | (acc >= hyper["target_accuracy"])


def _batch_indices(key: jax.Array, step: jax.Array, n: int, batch_size: int) -> jax.Array:
    n_batches = n // batch_size
    perm = jax.random.permutation(jax.random.fold_in(key, step // n_batches), n)
    return jax.lax.dynamic_slice(perm, ((step % n_batches) * batch_size,), (batch_size,))


def advance(
    model: Model,
    training: Training,
    state: TrainState,
    key: jax.Array,
    x: jax.Array,
    y: jax.Array,
    hyper: Mapping[str, ArrayLike] | None = None,
) -> tuple[TrainState, jax.Array]:
    """One masked step of one net; returns the new state and the loss it evaluated (NaN if done).

    ``hyper`` (default: :func:`hyperparameters` of ``training``) holds the runtime numbers;
    ``training`` then only contributes its structure.
    """
    if hyper is None:
        hyper = hyperparameters(training)
    optimizer = make_optimizer(training, hyper)

    def objective(params, xb, yb):
        output = model.apply(params, xb)
        loss = data_loss(output, yb, training.loss)
        if training.l1:
            loss_l1 = hyper["l1"] * sum(jnp.sum(jnp.abs(p)) for p in jax.tree.leaves(params))
            return loss + loss_l1, (loss, output)
        return loss, (loss, output)

    full_batch = training.batch_size is None or training.batch_size >= x.shape[0]
    if full_batch:
        (_, (loss, output)), grads = jax.value_and_grad(objective, has_aux=True)(state.params, x, y)
    else:
        output = model.apply(state.params, x)
        loss = data_loss(output, y, training.loss)
        assert training.batch_size is not None  # not full_batch
        idx = _batch_indices(key, state.step, x.shape[0], training.batch_size)
        grads = jax.grad(lambda p: objective(p, x[idx], y[idx])[0])(state.params)
    acc = accuracy(output, y, training.loss)
    finite = jnp.isfinite(loss)
    reached = _criterion(hyper, loss, acc)
    stop = state.done | ~finite | reached | (state.step >= hyper["max_steps"])
    updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)

    def keep(old, new):
        return jax.tree.map(lambda a, b: jnp.where(stop, a, b), old, new)

    active = ~state.done
    new_state = TrainState(
        params=keep(state.params, params),
        opt_state=keep(state.opt_state, opt_state),
        step=state.step + jnp.where(stop, 0, 1).astype(jnp.int32),
        done=stop,
        fitted=jnp.where(active, reached & finite, state.fitted),
        diverged=state.diverged | (active & ~finite),
        loss=jnp.where(active, loss, state.loss),
        accuracy=jnp.where(active, acc, state.accuracy),
    )
    return new_state, jnp.where(active, loss, jnp.nan)


@partial(jax.jit, static_argnames=("model", "training", "n_iter", "record", "batched"))
def _run_chunk(model, training, n_iter, record, batched, state, keys, x, y, hyper):
    """Up to ``n_iter`` masked steps, stopping early once every net is done."""
    step_fn = partial(advance, model, training, hyper=hyper)
    if batched:
        step_fn = jax.vmap(step_fn, in_axes=(0, 0, None, None))
    buffer = jnp.full((n_iter if record else 0, *state.done.shape), jnp.nan, dtype=x.dtype)

    def cond(carry):
        i, s, _ = carry
        return (i < n_iter) & ~jnp.all(s.done)

    def body(carry):
        i, s, buf = carry
        s, loss = step_fn(s, keys, x, y)
        if record:
            buf = buf.at[i].set(loss.astype(buf.dtype))
        return i + 1, s, buf

    return jax.lax.while_loop(cond, body, (jnp.int32(0), state, buffer))


def _static_init(model: Model, init: Init) -> Init:
    """What compiled code keeps of ``init``: the scheme, when the scales can be traced."""
    return Init(init.scheme) if hasattr(model, "draw") else init


def _init_scales(init: Init) -> np.ndarray:
    return np.asarray([init.sigma_w, init.sigma_b], dtype=_float_dtype())


def _start_one(model, training, init, key, params, hyper=None, scales=None):
    """One net's initial state (parameters drawn from the init key unless given) and batch key.

    ``scales`` = (σw, σb) as an array when ``init`` is static only through its scheme."""
    optimizer = make_optimizer(training, hyper)
    init_key, batch_key = jax.random.split(key)
    if params is None:
        if scales is None or not hasattr(model, "draw"):
            params = model.init(key=init_key, **init.kwargs())
        else:
            params = model.draw(init_key, init.scheme, scales[0], scales[1])
    dtype = jnp.result_type(float)
    params = jax.tree.map(lambda a: jnp.asarray(a, dtype=dtype), params)
    state = TrainState(
        params=params,
        opt_state=optimizer.init(params),
        step=jnp.int32(0),
        done=jnp.asarray(False),
        fitted=jnp.asarray(False),
        diverged=jnp.asarray(False),
        loss=jnp.asarray(jnp.nan, dtype=dtype),
        accuracy=jnp.asarray(jnp.nan, dtype=dtype),
    )
    return state, batch_key


@partial(jax.jit, static_argnames=("model", "training", "init", "batched"))
def _start(model, training, init, batched, keys, params, hyper, scales):
    start = partial(_start_one, model, training, init, hyper=hyper, scales=scales)
    return jax.vmap(start)(keys, params) if batched else start(keys, params)


# --------------------------------------------------------------------------- a pool of slots


# steps per iteration of the compiled inner loop: fewer loop overheads, same arithmetic
_UNROLL = 2


class Pool(NamedTuple):
    """``n_slots`` nets in flight; a finished net's slot is refilled with the next net."""

    slots: TrainState  # batched over slots
    slot_keys: jax.Array  # (n_slots,) minibatch keys
    slot_net: jax.Array  # (n_slots,) int32: which net a slot holds (N: none)
    next_net: jax.Array  # int32: the first net not yet started
    params: Params  # results, each leaf (N, …)
    n_steps: jax.Array  # (N,)
    fitted: jax.Array
    diverged: jax.Array
    loss: jax.Array
    accuracy: jax.Array


def _gather(tree, index):
    return None if tree is None else jax.tree.map(lambda a: a[index], tree)


def _refill(model, training, init, pool, keys, params, hyper, scales):
    """Store the results of finished slots and load the next nets into the free slots.

    A loop over the slots that need it, one at a time in slot order: a round in which no net
    finished costs one test, and each net is drawn once (not every slot every round)."""
    n_nets = keys.shape[0]
    start = partial(_start_one, model, training, init, hyper=hyper, scales=scales)

    def pending(p):
        # done slots holding a result to store, or free while nets are left to start
        return p.slots.done & ((p.slot_net < n_nets) | (p.next_net < n_nets))

    def serve(p):
        slot = jnp.argmax(pending(p))
        net = p.slot_net[slot]  # n_nets when the slot was empty: the stores are dropped
        s = _gather(p.slots, slot)

        def store(results, value):
            return results.at[net].set(value, mode="drop")

        following = p.next_net
        loads = following < n_nets
        index = jnp.minimum(following, n_nets - 1)
        fresh, fresh_key = start(keys[index], _gather(params, index))
        fresh = fresh._replace(done=~loads)  # a slot with no net left stays done
        return Pool(
            slots=jax.tree.map(lambda a, v: a.at[slot].set(v), p.slots, fresh),
            slot_keys=p.slot_keys.at[slot].set(fresh_key),
            slot_net=p.slot_net.at[slot].set(jnp.where(loads, following, n_nets)),
            next_net=jnp.minimum(following + 1, n_nets),
            params=jax.tree.map(store, p.params, s.params),
            n_steps=store(p.n_steps, s.step),
            fitted=store(p.fitted, s.fitted),
            diverged=store(p.diverged, s.diverged),
            loss=store(p.loss, s.loss),
            accuracy=store(p.accuracy, s.accuracy),
        )

    return jax.lax.while_loop(lambda p: jnp.any(pending(p)), serve, pool)


@partial(jax.jit, static_argnames=("model", "training", "init", "n_slots", "n_inner", "n_rounds"))
def _run_pool(
    model, training, init, n_slots, n_inner, n_rounds, pool, keys, params, x, y, hyper, scales
):
    """Up to ``n_rounds`` rounds of (``n_inner`` masked steps of every slot, then refill)."""
    step = jax.vmap(partial(advance, model, training, hyper=hyper), in_axes=(0, 0, None, None))
    n_nets = keys.shape[0]

    def busy(p):
        return (p.next_net < n_nets) | jnp.any(p.slot_net < n_nets)

    def round_(carry):
        i, p = carry
        slots = jax.lax.fori_loop(
            0, n_inner, lambda _, s: step(s, p.slot_keys, x, y)[0], p.slots,
            unroll=min(_UNROLL, n_inner),
        )  # fmt: skip
        p = _refill(model, training, init, p._replace(slots=slots), keys, params, hyper, scales)
        return i + 1, p

    return jax.lax.while_loop(
        lambda c: (c[0] < n_rounds) & busy(c[1]), round_, (jnp.int32(0), pool)
    )


@partial(jax.jit, static_argnames=("model", "training", "init", "n_slots"))
def _empty_pool(model, training, init, n_slots, keys, params, hyper, scales):
    n_nets = keys.shape[0]
    start = partial(_start_one, model, training, init, hyper=hyper, scales=scales)
    template, _ = jax.eval_shape(start, keys[0], _gather(params, 0))
    slots = jax.tree.map(lambda a: jnp.zeros((n_slots, *a.shape), a.dtype), template)
    slots = slots._replace(done=jnp.ones(n_slots, bool))
    results = jax.tree.map(lambda a: jnp.zeros((n_nets, *a.shape), a.dtype), template)
    return Pool(
        slots=slots,
        slot_keys=jax.random.split(keys[0], n_slots),
        slot_net=jnp.full(n_slots, n_nets, jnp.int32),
        next_net=jnp.int32(0),
        params=results.params,
        n_steps=results.step,
        fitted=results.fitted,
        diverged=results.diverged,
        loss=results.loss,
        accuracy=results.accuracy,
    )


def _loop(model, training, state, keys, x, y, hyper, *, batched, record, chunk_steps, on_progress):
    total = training.max_steps + 1  # evaluations: one per update plus the final one
    # the same number of iterations per compiled call whatever the step budget, so runs of
    # any length share one compiled loop (it stops early once every net is done)
    n_iter = max(1, chunk_steps)
    static = structure(training)
    chunks = []
    iterations = 0
    while True:
        i, state, buffer = _run_chunk(
            model, static, n_iter, record, batched, state, keys, x, y, hyper
        )
        i = int(i)
        iterations += i
        if record:
            chunks.append(np.asarray(buffer)[:i])
        done = np.asarray(state.done)
        if batched:
            report(on_progress, int(done.sum()), done.size)
        else:
            report(on_progress, min(iterations, total), total)
        if done.all():
            break
    losses = np.concatenate(chunks) if record and chunks else None
    return state, losses


def _check_key(key: Any, name: str) -> jax.Array:
    """Typed JAX keys as they are; raw ``uint32`` keys (``PRNGKey``) wrapped."""
    if key is None:
        raise UsageError(f"{name} is required (e.g. jax.random.key(seed))")
    key = jnp.asarray(key)
    if not jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.wrap_key_data(key)
    return key


def _diverged_message(training: Training, n: int, of: int | None = None) -> str:
    who = "the loss" if of is None else f"the loss of {n} of {of} nets"
    return (
        f"training diverged: {who} became NaN or infinite "
        f"(learning rate {training.learning_rate:g} is too large for this net and data)"
    )


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True, eq=False)
class TrainResult(Drawable):
    """One trained net: final parameters and the loss after every update."""

    model: Any
    training: Training
    params: Params
    losses: np.ndarray  # (n_steps + 1,) training loss after 0, 1, … n_steps updates
    n_steps: int
    fitted: bool  # the stopping criterion held (False if it ran out of steps)
    final_loss: float
    final_accuracy: float

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(self.model.apply(self.params, jnp.asarray(x, dtype=float)))


@dataclass(frozen=True, eq=False)
class ManyResult(Drawable):
    """N nets trained together; every array has the net axis first."""

    model: Any
    training: Training
    params: Params  # each leaf (N, …)
    n_steps: np.ndarray  # (N,) updates applied
    fitted: np.ndarray  # (N,) bool
    diverged: np.ndarray  # (N,) bool
    final_loss: np.ndarray  # (N,)
    final_accuracy: np.ndarray  # (N,)
    losses: np.ndarray | None = field(default=None)  # (T, N), NaN once a net is done

    @property
    def n_nets(self) -> int:
        return int(self.n_steps.shape[0])

    def predict(self, x: Any) -> np.ndarray:
        """Every net's outputs on ``x``: ``(N, n, n_out)``."""
        return np.asarray(apply_many(self.model, self.params, jnp.asarray(x, dtype=float)))


@partial(jax.jit, static_argnames=("model",))
def apply_many(model: Model, params: Params, x: jax.Array) -> jax.Array:
    """Outputs of N stacked nets on the same inputs: ``(N, n, n_out)``."""
    return jax.vmap(model.apply, in_axes=(0, None))(params, x)


def init_many(model: Model, keys: jax.Array, init: Init = DEFAULT_INIT) -> Params:
    """Stacked parameters of N nets; net ``i`` as :func:`train` draws it from ``keys[i]``."""
    return jax.vmap(lambda k: model.init(key=jax.random.split(k)[0], **init.kwargs()))(keys)


def train(
    model: Model,
    x: Any,
    y: Any,
    training: Training = Training(),
    *,
    key: jax.Array,
    params: Params | None = None,
    init: Init = DEFAULT_INIT,
    chunk_steps: int = 1000,
    on_progress: ProgressCallback | None = None,
) -> TrainResult:
    """Train one net (from ``params``, or from parameters drawn with ``key``) until it stops."""
    key = _check_key(key, "key")
    x, y = prepare_data(model, x, y, training)
    hyper = hyperparameters(training)
    state, batch_key = _start(
        model, structure(training), _static_init(model, init), False, key, params, hyper,
        _init_scales(init),
    )  # fmt: skip
    state, losses = _loop(
        model, training, state, batch_key, x, y, hyper,
        batched=False, record=True, chunk_steps=chunk_steps, on_progress=on_progress,
    )  # fmt: skip
    if bool(state.diverged):
        raise UsageError(_diverged_message(training, 1))
    return TrainResult(
        model=model,
        training=training,
        params=state.params,
        losses=losses,
        n_steps=int(state.step),
        fitted=bool(state.fitted),
        final_loss=float(state.loss),
        final_accuracy=float(state.accuracy),
    )


def train_many(
    model: Model,
    x: Any,
    y: Any,
    training: Training = Training(),
    *,
    keys: jax.Array,
    params: Params | None = None,
    init: Init = DEFAULT_INIT,
    record_losses: bool = False,
    on_diverge: str = "raise",
    n_slots: int = 64,
    n_inner: int = 16,
    chunk_steps: int = 1000,
    on_progress: ProgressCallback | None = None,
) -> ManyResult:
    """Train N independent nets, one per key, in one compiled loop (see the module docstring).

    ``params`` (optional) is a stacked pytree with leading axis N.  ``on_diverge="mark"`` keeps
    going when some nets' loss becomes NaN/inf and flags them in ``.diverged`` instead of
    raising.  ``on_progress(done_nets, N)`` is called between chunks.

    Scheduling: without ``record_losses``, ``n_slots`` nets are in flight at once; every
    ``n_inner`` steps the finished ones are stored and their slots refilled with the next nets,
    so a slow net delays nobody.  With ``record_losses`` all N nets run side by side until the
    last one stops.  More slots amortise the fixed cost of a step over more nets, but leave
    more slots idle while the last nets finish; 64 suits 10^2–10^5 small nets on a CPU.

    Scheduling changes no result beyond float rounding: XLA may round a batched product or a
    reduction differently for another batch size or loop shape (on a CPU, 7-40-40-1 nets came
    out bit for bit alike for 4 to 96 slots, but not for 128, nor for a batch of one, so a
    single net still gets 2 slots).  After ~10^3 steps such a last-bit difference can move the
    step at which a stopping criterion first holds by a few steps; the same goes for net ``i``
    here and :func:`train` (one unbatched net) with ``keys[i]``.
    """
    keys = _check_key(keys, "keys")
    for name, value in (("n_slots", n_slots), ("n_inner", n_inner), ("chunk_steps", chunk_steps)):
        if int(value) != value or value < 1:
            raise UsageError(f"{name} must be an integer ≥ 1, got {value}")
    if on_diverge not in ("raise", "mark"):
        raise UsageError(f"on_diverge must be 'raise' or 'mark', got {on_diverge!r}")
    if keys.ndim != 1 or keys.shape[0] == 0:
        raise UsageError(f"keys must be a non-empty 1-D array of JAX keys, got shape {keys.shape}")
    x, y = prepare_data(model, x, y, training)
    hyper = hyperparameters(training)
    if record_losses:
        state, batch_keys = _start(
            model, structure(training), _static_init(model, init), True, keys, params, hyper,
            _init_scales(init),
        )  # fmt: skip
        state, losses = _loop(
            model, training, state, batch_keys, x, y, hyper,
            batched=True, record=True, chunk_steps=chunk_steps, on_progress=on_progress,
        )  # fmt: skip
        final = {
            "params": state.params,
            "n_steps": state.step,
            "fitted": state.fitted,
            "diverged": state.diverged,
            "loss": state.loss,
            "accuracy": state.accuracy,
        }
    else:
        losses = None
        final = _run_pool_to_end(
            model, training, init, keys, params, x, y,
            n_slots=n_slots, n_inner=n_inner, chunk_steps=chunk_steps, on_progress=on_progress,
        )  # fmt: skip
    diverged = np.asarray(final["diverged"])
    if on_diverge == "raise" and diverged.any():
        raise UsageError(_diverged_message(training, int(diverged.sum()), diverged.size))
    return ManyResult(
        model=model,
        training=training,
        params=final["params"],
        n_steps=np.asarray(final["n_steps"]),
        fitted=np.asarray(final["fitted"]),
        diverged=diverged,
        final_loss=np.asarray(final["loss"]),
        final_accuracy=np.asarray(final["accuracy"]),
        losses=losses,
    )


def _run_pool_to_end(
    model, training, init, keys, params, x, y, *, n_slots, n_inner, chunk_steps, on_progress
):
    n_nets = keys.shape[0]
    n_slots = min(n_slots, max(n_nets, 2))  # a batch of one rounds unlike the others
    n_rounds = max(1, chunk_steps // n_inner)
    hyper, scales = hyperparameters(training), _init_scales(init)
    static, static_init = structure(training), _static_init(model, init)
    pool = _empty_pool(model, static, static_init, n_slots, keys, params, hyper, scales)
    while True:
        _, pool = _run_pool(
            model, static, static_init, n_slots, n_inner, n_rounds, pool, keys, params, x, y,
            hyper, scales,
        )  # fmt: skip
        in_flight = int(np.sum(np.asarray(pool.slot_net) < n_nets))
        report(on_progress, int(pool.next_net) - in_flight, n_nets)
        if in_flight == 0 and int(pool.next_net) >= n_nets:
            break
    return {
        "params": pool.params,
        "n_steps": pool.n_steps,
        "fitted": pool.fitted,
        "diverged": pool.diverged,
        "loss": pool.loss,
        "accuracy": pool.accuracy,
    }
