"""The lab's statistics against values computed by hand (and Student's t table)."""

from __future__ import annotations

import math

import pytest

from vggviz.lab.stats import NOT_RESOLVED, REPRODUCED, REVERSED, mean_sd, paired, t_quantile, verdict


def test_mean_and_sample_sd():
    # mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sd = sqrt(32 / 7)
    m, sd = mean_sd([2, 4, 4, 4, 5, 5, 7, 9])
    assert m == 5 and sd == pytest.approx(math.sqrt(32 / 7), abs=1e-12)
    assert mean_sd([3.5]) == (3.5, 0.0)
    with pytest.raises(ValueError):
        mean_sd([])


@pytest.mark.parametrize("df, t", [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (29, 2.0452), (120, 1.9799)])
def test_t_quantiles_match_the_table(df, t):
    assert t_quantile(0.975, df) == pytest.approx(t, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-t, abs=1e-4)


def test_paired_difference_interval_wins_and_verdict():
    # diffs 2, 3, 2: mean 7/3, sd sqrt(1/3), se 1/3, t(0.975, 2) = 4.302653 → half-width 1.434218
    p = paired([3, 5, 4], [1, 2, 2])
    assert (p.n, p.wins, p.verdict) == (3, 3, REPRODUCED)
    assert p.mean_diff == pytest.approx(7 / 3) and p.sd_diff == pytest.approx(math.sqrt(1 / 3))
    assert p.ci95 == pytest.approx((7 / 3 - 1.434218, 7 / 3 + 1.434218), abs=1e-5)
    # the other way round: the same interval, negated, reversed
    q = paired([1, 2, 2], [3, 5, 4])
    assert (q.wins, q.verdict) == (0, REVERSED) and q.ci95 == pytest.approx((-p.ci95[1], -p.ci95[0]))
    # diffs −1, 2: mean 0.5, sd 2.12132, se 1.5, t(0.975, 1) = 12.7062 → [−18.559, 19.559]
    r = paired([1, 3], [2, 1])
    assert (r.wins, r.verdict) == (1, NOT_RESOLVED)
    assert r.ci95 == pytest.approx((0.5 - 19.0593, 0.5 + 19.0593), abs=1e-3)


def test_one_seed_is_an_anecdote_and_ties_are_not_wins():
    p = paired([5.0], [3.0])
    assert p.ci95 == (-math.inf, math.inf) and p.verdict == NOT_RESOLVED and p.wins == 1
    assert paired([2, 2, 2], [2, 2, 2]).wins == 0
    with pytest.raises(ValueError):
        paired([1, 2], [1])


def test_verdict_from_the_interval():
    assert verdict(0.1, 2) == REPRODUCED and verdict(-0.1, 2) == NOT_RESOLVED
    assert verdict(-2, -0.1) == REVERSED and verdict(0, 0) == NOT_RESOLVED
