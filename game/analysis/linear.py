"""A tiny mixed-integer linear model over named variables, solved by SciPy's `milp` (HiGHS).

Linear expressions are `Expr` values (a constant plus {variable index: coefficient}), so
the scoring formulas read as arithmetic in analyser.py.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array


class Expr:
    __slots__ = ("const", "terms")

    def __init__(self, const: float = 0.0, terms: dict[int, float] | None = None):
        self.const = const
        self.terms = terms or {}

    def __add__(self, other):
        if not isinstance(other, Expr):
            return Expr(self.const + other, dict(self.terms))
        terms = dict(self.terms)
        for index, coef in other.terms.items():
            terms[index] = terms.get(index, 0.0) + coef
        return Expr(self.const + other.const, terms)

    __radd__ = __add__

    def __mul__(self, factor: float):
        return Expr(self.const * factor, {i: c * factor for i, c in self.terms.items()})

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return -self + other


def total(items) -> Expr:
    result = Expr()
    for item in items:
        result = result + item
    return result


@dataclass
class Model:
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    rows: list[tuple[Expr, float, float]] = field(default_factory=list)

    def var(self, low: float = 0.0, high: float = np.inf, *, binary: bool = False) -> Expr:
        self.lower.append(0.0 if binary else low)
        self.upper.append(1.0 if binary else high)
        self.integer.append(1 if binary else 0)
        return Expr(0.0, {len(self.lower) - 1: 1.0})

    def add(self, expr: Expr, low: float = -np.inf, high: float = np.inf) -> None:
        """low ≤ expr ≤ high."""
        self.rows.append((expr, low - expr.const, high - expr.const))

    def fix(self, expr: Expr, value: float) -> None:
        [(index, coef)] = expr.terms.items()
        self.lower[index] = self.upper[index] = (value - expr.const) / coef

    def maximise(self, objective: Expr) -> "Solution":
        size = len(self.lower)
        cost = np.zeros(size)
        for index, coef in objective.terms.items():
            cost[index] -= coef
        constraints = []
        if self.rows:
            rows, cols, data = [], [], []
            for row, (expr, _, _) in enumerate(self.rows):
                for index, coef in expr.terms.items():
                    rows.append(row)
                    cols.append(index)
                    data.append(coef)
            matrix = coo_array((data, (rows, cols)), shape=(len(self.rows), size)).tocsr()
            constraints.append(
                LinearConstraint(
                    matrix, [low for _, low, _ in self.rows], [high for _, _, high in self.rows]
                )
            )
        result = milp(
            cost,
            constraints=constraints,
            integrality=np.array(self.integer),
            bounds=Bounds(np.array(self.lower), np.array(self.upper)),
            options={"mip_rel_gap": 1e-4, "time_limit": 60},
        )
        if result.x is None:
            raise RuntimeError(f"the solver found no solution: {result.message}")
        return Solution(result.x, objective.const - result.fun)


@dataclass
class Solution:
    x: np.ndarray
    objective: float

    def value(self, expr: Expr) -> float:
        return expr.const + sum(coef * self.x[index] for index, coef in expr.terms.items())
