"""Modular arithmetic tasks: every pair (a, b) of residues mod p, labelled c = a ∘ b mod p.

Data model.  A :class:`ModularData` holds all valid pairs in row-major order of (a, b) — pair
``i`` is ``(a[i], b[i])`` — with labels ``c[i]`` in ``0..p-1``, and a seeded split of the pair
indices into disjoint ``train`` and ``test`` sets (``train`` gets ``round(frac * n_pairs)``
pairs).  Division uses the modular inverse, ``a / b = a · b^(p-2) mod p`` (Fermat), so it needs
p prime, and pairs with ``b = 0`` are left out.  A *polynomial* operation is any expression in
``a`` and ``b`` built from integers, ``+``, ``-``, ``*`` and ``**`` with a non-negative integer
exponent (``"a**2 + a*b + b**2"``), evaluated exactly mod p.

Two encodings of a pair:

* tokens ``(n, 3)``: ``[a, b, p]`` — the transformer's sequence "a b =", where token ``p`` is "=";
* one-hot ``(n, 2p)``: ``onehot(a) ⊕ onehot(b)`` — the MLP's input.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import cast

import numpy as np

from minimodels.base.errors import UsageError

__all__ = [
    "OPERATIONS",
    "ModularData",
    "check_task",
    "count_pairs",
    "is_prime",
    "make_data",
    "one_hot_pairs",
    "operation_table",
    "split_indices",
    "token_pairs",
]

# canonical name -> accepted spellings
OPERATIONS: dict[str, tuple[str, ...]] = {
    "add": ("add", "+", "plus"),
    "sub": ("sub", "-", "minus"),
    "mul": ("mul", "*", "x", "times"),
    "div": ("div", "/", "divide"),
}
_ALIASES = {alias: name for name, aliases in OPERATIONS.items() for alias in aliases}


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    return all(n % d for d in range(2, int(n**0.5) + 1))


def canonical_operation(op: str) -> str:
    """``"+"`` → ``"add"`` …; a polynomial is returned with normalised spacing."""
    name = _ALIASES.get(op.strip().lower())
    if name is not None:
        return name
    _parse_polynomial(op)  # raises with one sentence when it is not a polynomial either
    return " ".join(op.split())


def _parse_polynomial(text: str) -> ast.expr:
    allowed = ", ".join(sorted(_ALIASES))
    bad = UsageError(
        f"operation {text!r} is neither one of {allowed} nor a polynomial in a and b "
        "(integers, +, -, *, ** with integer exponents)",
        option="op",
    )
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise bad from None
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Pow):
                raise bad
            if isinstance(node.op, ast.Pow) and not (
                isinstance(node.right, ast.Constant)
                and isinstance(node.right.value, int)
                and node.right.value >= 0
            ):
                raise bad
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise bad
        elif isinstance(node, ast.Name):
            if node.id not in ("a", "b"):
                raise bad
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, int) or isinstance(node.value, bool):
                raise bad
        elif not isinstance(node, ast.operator | ast.unaryop | ast.Load):
            raise bad
    return tree


def _evaluate_mod(node: ast.expr, a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Evaluate a checked polynomial on int64 arrays, reducing mod p after every operation."""
    if isinstance(node, ast.Name):
        return (a if node.id == "a" else b) % p
    if isinstance(node, ast.Constant):
        return np.full_like(a, cast(int, node.value) % p)  # an int: checked
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate_mod(node.operand, a, b, p)
        return (-inner) % p if isinstance(node.op, ast.USub) else inner
    assert isinstance(node, ast.BinOp)
    left = _evaluate_mod(node.left, a, b, p)
    if isinstance(node.op, ast.Pow):
        return _power_mod(left, node.right.value, p)  # type: ignore[attr-defined]
    right = _evaluate_mod(node.right, a, b, p)
    if isinstance(node.op, ast.Add):
        return (left + right) % p
    if isinstance(node.op, ast.Sub):
        return (left - right) % p
    return (left * right) % p  # residues < p ≤ 2^31, so the product fits in int64


def _power_mod(x: np.ndarray, exponent: int, p: int) -> np.ndarray:
    result = np.ones_like(x) % p
    base = x % p
    while exponent:
        if exponent & 1:
            result = (result * base) % p
        base = (base * base) % p
        exponent >>= 1
    return result


def _check_p(p: int) -> None:
    if not isinstance(p, int | np.integer) or isinstance(p, bool):
        raise UsageError(f"p must be an integer, got {type(p).__name__}")
    if not 2 <= p <= 46_337:
        raise UsageError(f"p = {p} is out of range (2..46337)", option="p")


def count_pairs(op: str, p: int) -> int:
    """The number of valid pairs of ``a op b mod p`` (p², or p(p-1) for division), checked."""
    _check_p(p)
    name = canonical_operation(op)
    if name == "div" and not is_prime(p):
        raise UsageError(
            f"division mod p needs p prime (a modular inverse), but p = {p} is not", option="p"
        )
    return int(p) * (int(p) - 1 if name == "div" else int(p))


def check_task(op: str, p: int, frac: float) -> None:
    """Raise one sentence unless ``make_data(op, p, frac, …)`` would succeed (cheap: no table)."""
    _train_size(count_pairs(op, p), frac)


def operation_table(op: str, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All valid pairs and their labels: ``(a, b, c)`` int arrays in row-major (a, b) order."""
    count_pairs(op, p)
    name = canonical_operation(op)
    a, b = (
        x.ravel().astype(np.int64) for x in np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    )
    if name == "add":
        c = (a + b) % p
    elif name == "sub":
        c = (a - b) % p
    elif name == "mul":
        c = (a * b) % p
    elif name == "div":
        keep = b != 0
        a, b = a[keep], b[keep]
        c = (a * _power_mod(b, p - 2, p)) % p
    else:
        c = _evaluate_mod(_parse_polynomial(name), a, b, p)
    return a, b, c


def split_indices(
    n_pairs: int, frac: float, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A random disjoint split of ``range(n_pairs)``: (train, test), each sorted."""
    n_train = _train_size(n_pairs, frac)
    order = rng.permutation(n_pairs)
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def _train_size(n_pairs: int, frac: float) -> int:
    if not isinstance(frac, float | int) or isinstance(frac, bool) or not 0.0 < frac < 1.0:
        raise UsageError(f"train fraction {frac!r} is outside (0, 1)", option="frac")
    n_train = int(round(frac * n_pairs))
    if not 1 <= n_train <= n_pairs - 1:
        raise UsageError(
            f"train fraction {frac} of {n_pairs} pairs leaves an empty train or test set",
            option="frac",
        )
    return n_train


@dataclass(frozen=True)
class ModularData:
    """All pairs of a modular operation and one train/test split (see the module docstring)."""

    p: int
    op: str
    a: np.ndarray  # (n_pairs,) int64
    b: np.ndarray  # (n_pairs,) int64
    c: np.ndarray  # (n_pairs,) int64 labels in 0..p-1
    train: np.ndarray  # (n_train,) indices into the pairs
    test: np.ndarray  # (n_test,) indices, disjoint from train

    @property
    def n_pairs(self) -> int:
        return len(self.c)

    def tokens(self) -> np.ndarray:
        return token_pairs(self.a, self.b, self.p)

    def one_hot(self) -> np.ndarray:
        return one_hot_pairs(self.a, self.b, self.p)


def make_data(op: str, p: int, frac: float, *, rng: np.random.Generator) -> ModularData:
    """The task ``a op b mod p`` with a random ``frac`` of its pairs for training."""
    a, b, c = operation_table(op, p)
    train, test = split_indices(len(c), frac, rng=rng)
    return ModularData(int(p), canonical_operation(op), a, b, c, train, test)


def token_pairs(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """Token sequences "a b =" as an ``(n, 3)`` int array; "=" is token ``p``."""
    return np.stack([a, b, np.full_like(a, p)], axis=1)


def one_hot_pairs(a: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """``onehot(a) ⊕ onehot(b)``: an ``(n, 2p)`` float32 array."""
    x = np.zeros((len(a), 2 * p), dtype=np.float32)
    rows = np.arange(len(a))
    x[rows, a] = 1.0
    x[rows, p + b] = 1.0
    return x
