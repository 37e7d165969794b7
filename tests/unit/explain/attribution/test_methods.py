"""vggviz.explain.attribution.methods: one registry of every method (a note, a CLI name, registered once)
and comparing methods on one image without changing the model."""

from __future__ import annotations

import numpy as np
import pytest
from attribution_support import SIZE, hooks_left, square_images, state_of
from PIL import Image

from vggviz.explain import attribution as A
from vggviz.inference.analysis import analyze


def test_compare_methods(square_net):
    loaded, _ = square_net
    rng = np.random.default_rng(3)
    imgs, boxes = square_images(1, rng, np.ones(1, bool))
    res = analyze(loaded, Image.fromarray(imgs[0]))
    before = state_of(loaded.model)
    maps = A.compare_methods(loaded, res, target=1, methods=A.DEFAULT_METHODS + ("Integrated Gradients",))
    assert list(maps) == ["Grad-CAM", "Guided Grad-CAM", "Saliency", "Integrated Gradients"]
    for name, m in maps.items():
        assert m.shape == (SIZE, SIZE) and m.dtype == np.float32, name
        assert 0 <= m.min() and m.max() <= 1 and m.max() > 0, name
        assert set(A.METHOD_NOTES) >= {name}
    # Guided Grad-CAM is zero where Grad-CAM is zero, and (like Grad-CAM) is about the square
    assert not maps["Guided Grad-CAM"][maps["Grad-CAM"] == 0].any()
    left, t, r, b = boxes[0]
    for name in ("Grad-CAM", "Guided Grad-CAM"):
        y, x = np.unravel_index(np.argmax(maps[name]), maps[name].shape)
        assert left - 2 <= x < r + 2 and t - 2 <= y < b + 2, name
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)


def test_every_method_is_registered_once_with_a_note_and_a_cli_name():
    assert A.METHODS[:2] == ("Grad-CAM", "Grad-CAM++") and len(set(A.METHODS)) == len(A.METHODS)
    assert set(A.METHOD_NOTES) == set(A.METHODS) and all(A.METHOD_NOTES.values())
    for name in A.METHODS:
        assert A.resolve_method(A.method_slug(name)) == name == A.resolve_method(name.upper())
        assert A.uses_layer(name) == (name in A.CAM_METHODS or A.PIXEL_METHODS[name].times_cam)
    assert A.method_slug("Integrated Gradients") == "integrated-gradients"
    with pytest.raises(ValueError, match="unknown method"):
        A.resolve_method("lime")
    assert A.DEFAULT_METHODS == ("Guided Grad-CAM", "Saliency")
    assert A.method_passes("Grad-CAM++", 224) == 0 and A.method_passes("Occlusion", 224) == 170
    for name, m in A.PIXEL_METHODS.items():
        import captum.attr

        assert hasattr(captum.attr, m.captum) and (m.wrap is None or hasattr(captum.attr, m.wrap)), name
