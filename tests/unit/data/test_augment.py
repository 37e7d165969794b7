"""Scale jittering drawn on one image: the paper's ranges, seeded, crops taken where they say."""

import numpy as np
import pytest
from PIL import Image

from vggviz.data.augment import jitter_draws, jitter_range


def picture(w=300, h=200):
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def test_ranges_paper_and_mini():
    assert jitter_range(224) == (256, 512) and jitter_range(64) == (64, 96)


def test_draws_are_seeded_within_range_and_are_the_crops_they_claim():
    img = picture()
    draws = jitter_draws(img, n=8, seed=3)
    again = jitter_draws(img, n=8, seed=3)
    assert [(d.S, d.box, d.flipped) for d in draws] == [(d.S, d.box, d.flipped) for d in again]
    assert [(d.S, d.box) for d in draws] != [(d.S, d.box) for d in jitter_draws(img, n=8, seed=4)]
    assert all(256 <= d.S <= 512 and d.image.size == (224, 224) for d in draws)
    assert len({d.S for d in draws}) > 1 and {d.flipped for d in jitter_draws(img, 20, 0)} == {True, False}
    for d in draws:
        rw, rh = round(300 * d.S / 200), d.S                    # shorter side (200) → S, aspect kept
        left, top, right, bottom = d.box
        assert 0 <= left and right <= rw and 0 <= top and bottom <= rh
        expected = img.resize((rw, rh), Image.Resampling.BILINEAR).crop(d.box)
        if d.flipped:
            expected = expected.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        assert np.array_equal(np.asarray(d.image), np.asarray(expected))


def test_mini_scale_and_bad_range():
    draws = jitter_draws(picture(64, 64), n=5, seed=1, crop=64)
    assert all(64 <= d.S <= 96 and d.image.size == (64, 64) for d in draws)
    with pytest.raises(ValueError):
        jitter_draws(picture(), crop=224, s_range=(200, 300))
