"""The lab's statistics, small and exact: mean ± sd per arm, the paired difference of two arms
over the same seeds with its 95 % t-interval, the win count, and the verdict the interval
gives. No SciPy: Student's t quantile comes from its CDF (the regularised incomplete beta
function, by Lentz's continued fraction) inverted by bisection.

Example::

    from vggviz.lab.stats import paired
    p = paired([91.2, 90.4, 92.0], [88.0, 89.1, 87.5])   # better arm, worse arm, seed by seed
    p.mean_diff, p.ci95, p.wins, p.verdict                 # 3.0, (…, …), 3, "reproduced"
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["mean_sd", "t_quantile", "t_cdf", "Paired", "paired", "verdict",
           "REPRODUCED", "NOT_RESOLVED", "REVERSED", "VERDICTS"]

REPRODUCED, NOT_RESOLVED, REVERSED = "reproduced", "not resolved", "reversed"
VERDICTS = (REPRODUCED, NOT_RESOLVED, REVERSED)


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (n − 1); the sd of one value is 0."""
    n = len(values)
    if n == 0:
        raise ValueError("mean_sd needs at least one value")
    m = math.fsum(values) / n
    if n == 1:
        return m, 0.0
    return m, math.sqrt(math.fsum((v - m) ** 2 for v in values) / (n - 1))


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
            last = d * c
        if abs(last - 1) < eps:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` ≥ 1 degrees of freedom (to ~1e-12)."""
    if not 0 < p < 1 or df < 1:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df ≥ 1, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2
    for _n in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return (lo + hi) / 2


def verdict(lo: float, hi: float) -> str:
    """What a 95 % interval of (better − worse) says, ``better`` being the arm the paper found
    better: ``reproduced`` (above 0), ``reversed`` (below 0), ``not resolved`` (it holds 0)."""
    if lo > 0:
        return REPRODUCED
    if hi < 0:
        return REVERSED
    return NOT_RESOLVED


@dataclass(frozen=True)
class Paired:
    """The paired comparison of two arms over the same seeds (accuracy points)."""

    n: int
    mean_diff: float                 # mean of better − worse, seed by seed
    sd_diff: float
    ci95: tuple[float, float]        # Student's t interval; (−inf, inf) for one seed
    wins: int                        # seeds where the better arm scored strictly higher
    verdict: str


def paired(better: Sequence[float], worse: Sequence[float]) -> Paired:
    """Compare ``better`` with ``worse`` (the same seeds, in the same order): the mean paired
    difference, its 95 % t-interval, the wins and the verdict. One seed gives no interval
    (−inf, inf) and so ``not resolved``: one seed is an anecdote."""
    if len(better) != len(worse) or not better:
        raise ValueError(f"paired needs the same seeds on both sides, got {len(better)} and {len(worse)}")
    diffs = [b - w for b, w in zip(better, worse)]
    n = len(diffs)
    m, sd = mean_sd(diffs)
    if n < 2:
        lo, hi = -math.inf, math.inf
    else:
        half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
        lo, hi = m - half, m + half
    return Paired(n, m, sd, (lo, hi), sum(1 for d in diffs if d > 0), verdict(lo, hi))
