"""The shapes world: deterministic, labelled, varied, and its statistics are the ones the mini
variants normalise with."""

import numpy as np
import pytest
import torch

from vggviz.data import shapes


def test_classes_in_plain_english():
    assert shapes.CLASSES[:8] == ("circle", "square", "triangle", "cross", "star", "ring", "diamond", "crescent")
    # confusable pairs: pentagon/hexagon, star/hexagram, cross (+) / xmark (×)
    assert {"pentagon", "hexagon", "hexagram", "xmark"} <= set(shapes.CLASSES)
    assert all(c.isalpha() and c.islower() for c in shapes.CLASSES)


def test_deterministic_per_seed_and_index():
    a, la = shapes.sample(3, 17)
    b, lb = shapes.sample(3, 17)
    assert la == lb and np.array_equal(np.asarray(a), np.asarray(b))
    c, _ = shapes.sample(4, 17)
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    # an image does not depend on the batch it is drawn in
    x1, y1 = shapes.batch(3, 10, 10)
    x2, y2 = shapes.batch(3, 15, 2)
    assert torch.equal(x1[5:7], x2) and torch.equal(y1[5:7], y2)
    assert np.array_equal(np.asarray(shapes.sample(3, 15)[0]).transpose(2, 0, 1), x1[5].numpy())


def test_batch_shapes_and_every_class_appears():
    x, y = shapes.batch(0, 0, 600)
    assert x.shape == (600, 3, 64, 64) and x.dtype == torch.uint8 and y.dtype == torch.int64
    counts = torch.bincount(y, minlength=len(shapes.CLASSES))
    assert (counts > 25).all(), counts          # roughly balanced
    # varied: colours, positions, backgrounds differ between images of one class
    circles = x[y == shapes.CLASSES.index("circle")].float()
    assert circles.std(0).mean() > 30


def test_shape_stands_out_and_sizes_in_range():
    """The shape's pixels differ from the background's (contrast), and its extent is about a
    sixth to four-fifths of the image (measured on plain images: flat background)."""
    seen = 0
    for i in range(300):
        img, label = shapes.sample(5, i)
        if shapes.sample_style(5, i)[1] != "plain":
            continue
        a = np.asarray(img).astype(int)
        corner = a[0, 0]
        diff = np.abs(a - corner).sum(2) > 40
        ys, xs = np.nonzero(diff)
        extent = max(xs.max() - xs.min(), ys.max() - ys.min()) + 1
        assert 0.15 * 64 <= extent <= 0.85 * 64, (i, shapes.CLASSES[label], extent)
        seen += 1
    assert seen >= 40


def test_every_style_on_every_background():
    """The four ways of drawing (filled, textured, outline, sketch) and the four backgrounds
    all occur, each in a fair share; an outline covers fewer pixels than the filled shape."""
    pairs = [shapes.sample_style(0, i) for i in range(400)]
    for style in shapes.STYLES:
        assert sum(s == style for s, _ in pairs) > 40, style
    for bg in shapes.BACKGROUNDS:
        assert sum(b == bg for _, b in pairs) > 50, bg
    # the same big circle, filled and outlined: the outline inks a ring, not the disc
    inked = {}
    for style in ("filled", "outline", "sketch"):
        img = shapes._compose(np.random.default_rng(0), (64, 64), [("circle", 32, 32, 25)], style, "plain")
        a = np.asarray(img).astype(int)
        inked[style] = np.abs(a - a[0, 0]).sum(2) > 40
    assert inked["filled"][32, 32] and not inked["outline"][32, 32] and not inked["sketch"][32, 32]
    assert inked["outline"].sum() < 0.5 * inked["filled"].sum()


def test_heldout_is_fixed_large_and_cached():
    x, y = shapes.heldout()
    assert x.shape == (shapes.HELDOUT_SIZE, 3, 64, 64) and shapes.HELDOUT_SIZE >= 5000
    assert shapes.heldout()[0] is x                       # cached: one set for everyone
    assert torch.equal(x[:3], shapes.batch(shapes.HELDOUT_SEED, 0, 3)[0])
    counts = torch.bincount(y, minlength=len(shapes.CLASSES))
    assert counts.min() > 0.7 * len(y) / len(shapes.CLASSES)


def test_stats_match_the_constants():
    mean, std = shapes.dataset_stats(0, 1000)
    assert np.allclose(mean, shapes.MEAN, atol=0.02)
    assert np.allclose(std, shapes.STD, atol=0.02)


def test_canvas_places_shapes_without_overlap():
    img, placed = shapes.canvas(7, 256, 4)
    assert img.size == (256, 256) and len(placed) == 4
    assert all(p.label in shapes.CLASSES for p in placed)
    import math

    def centre_radius(p):
        x0, y0, x1, y1 = p.box
        return (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2

    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            (ax, ay, ar), (bx, by, br) = centre_radius(a), centre_radius(b)
            assert math.hypot(ax - bx, ay - by) > ar + br, (a, b)      # the shapes' discs are apart
    again, placed2 = shapes.canvas(7, 256, 4)
    assert placed == placed2 and np.array_equal(np.asarray(img), np.asarray(again))


def test_draw_plain_and_bad_label():
    img = shapes.draw_plain("cross")
    a = np.asarray(img)
    assert a[32, 32].tolist() == [0, 0, 0] and a[2, 2].tolist() == [255, 255, 255]
    with pytest.raises(ValueError, match="unknown shape"):
        shapes.draw_plain("blob")


def test_transforms_are_torchvisions_preset():
    t = shapes.transforms()
    assert t.crop_size == [64] and t.resize_size == [64]
    assert tuple(t.mean) == shapes.MEAN and tuple(t.std) == shapes.STD
    img, _ = shapes.sample(0, 0)
    assert t(img).shape == (3, 64, 64)


def test_shown_names_translate_only_the_shapes():
    from vggviz import i18n
    from vggviz.data.shapes import CLASSES, shown_names

    with i18n.using("zh"):
        assert shown_names(CLASSES)[CLASSES.index("star")] == "星形"
        assert shown_names(["cat", "star", "dog"]) == ["cat", "star", "dog"]      # a checkpoint's own names
        assert shown_names(CLASSES[:8])[0] == "圆形"           # a checkpoint of the first, eight-class world
    assert shown_names(CLASSES) == list(CLASSES)
