"""vggviz.explain.attribution.pixel: every pixel-level method of the registry equals its captum class on
the whole model; SmoothGrad is seeded and smoother than Saliency."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from attribution_support import hooks_left, reference_model, state_of

from vggviz.explain import attribution as A
from vggviz.model.layers import find_layer, named_layers


@pytest.mark.parametrize("name", [n for n, m in A.PIXEL_METHODS.items() if m.passes is not None])
def test_pixel_method_equals_captum_on_the_whole_model(vgg16_mini, star16, name):
    """Each gradient method of the registry, on the shared model through its chain, equals its
    captum class run on the whole model (same weights, out-of-place ReLUs), and leaves the
    shared model as it was; Guided Grad-CAM's factor is captum's LayerGradCam, upsampled."""
    import captum.attr
    import torch.nn.functional as F

    loaded, m = vgg16_mini, A.PIXEL_METHODS[name]
    before = state_of(loaded.model)
    target = star16.top[0].index
    rng = torch.random.get_rng_state()
    got = A.method_map(loaded, star16, name, target)
    assert torch.equal(torch.random.get_rng_state(), rng)            # seeded noise: the global RNG is untouched
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)
    assert got.shape == (64, 64) and got.dtype == np.float32 and got.max() > 0

    ref_model = reference_model(loaded)
    x = star16.preprocessed.tensor.clone().requires_grad_(True)
    method = getattr(captum.attr, m.captum)(ref_model)
    if m.wrap:
        method = getattr(captum.attr, m.wrap)(method)
    kwargs = {k: (v(x.detach()) if callable(v) else v) for k, v in m.kwargs.items()}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        ref = method.attribute(x, target=target, **kwargs).detach()
    if m.times_cam:
        module = find_layer(named_layers(ref_model), A.default_layer(loaded)).module
        cam = captum.attr.LayerGradCam(ref_model, module).attribute(
            x, target=target, relu_attributions=True).detach()
        cam = F.interpolate(cam / cam.max(), size=(64, 64), mode="bilinear", align_corners=False).clamp(0, 1)
        ref = ref * cam[0, 0]
    np.testing.assert_allclose(got, A.pixel_map(ref), atol=1e-3)
    assert A.method_passes(name, 64) == m.passes


def test_smoothgrad_is_seeded_and_smoother_than_saliency(vgg16_mini, star16):
    a = A.method_map(vgg16_mini, star16, "SmoothGrad")
    b = A.method_map(vgg16_mini, star16, "SmoothGrad")
    np.testing.assert_array_equal(a, b)
    sal = A.method_map(vgg16_mini, star16, "Saliency")

    def neighbours(m):      # how alike horizontally neighbouring pixels are (lag-1 correlation)
        return float(np.corrcoef(m[:, :-1].ravel(), m[:, 1:].ravel())[0, 1])

    # averaging over noise: the map is smoother than the plain gradient
    assert neighbours(a) > neighbours(sal) + 0.05, (neighbours(a), neighbours(sal))
