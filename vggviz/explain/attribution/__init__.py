"""Attribution: where, for a class, the network's evidence lies — a family of methods.

* :mod:`.chain` — the private network attribution runs on (:class:`Chain`: the model's layers
  with their own ReLUs) and :func:`attribution_mode` (the model's lock; mode, ``requires_grad``
  and ReLU flags restored; hooks counted, read-only).
* :mod:`.cam` — layer-level class activation maps on one base, :class:`CamMethod`, whose
  subclasses only say how channels are weighted (:class:`GradCAM`, :class:`GradCAMPlusPlus`);
  :func:`gradcam` / :func:`cam` on the cached analysis (only the tail after the layer runs) and
  :func:`depth_sweep` (every block's end from one backward pass).
* :mod:`.pixel` — pixel-level methods, one registry :data:`PIXEL_METHODS` (name → captum class,
  arguments, note, cost): Guided Grad-CAM, saliency, integrated gradients, SmoothGrad, guided
  backprop, occlusion.
* :mod:`.occlusion` — occlusion sensitivity as batched forward passes (no gradients, no hooks).
* :mod:`.methods` — every method by name (:data:`METHODS`, :data:`METHOD_NOTES`):
  :func:`compare_methods` / :func:`method_map` on the shared model, :func:`private_map` on a
  private copy (the randomisation check of :mod:`vggviz.explain.trust`).

Colouring a map over the image is :func:`vggviz.figures.maps.overlay`; Grad-CAM across VGG11…19 is
:func:`vggviz.lab.compare.gradcam_by_variant`.

Example::

    from vggviz.inference.analysis import analyze
    from vggviz.figures.maps import overlay
    res = analyze(loaded, image)
    cam = gradcam(loaded, res, "conv5_3")                   # top-1 class
    heat = cam.image_map(res.preprocessed.crop_box, image.image.size)
    overlay(image.image, heat, alpha=0.5, crop_box=res.preprocessed.crop_box).save("cam.png")
    maps = compare_methods(loaded, res, methods=["Saliency", "SmoothGrad"])
"""

from vggviz.explain.attribution.cam import (
                  CAM_METHODS,
                  GRADCAM_KINDS,
                  CamMethod,
                  GradCAM,
                  GradCam,
                  GradCAMPlusPlus,
                  cam,
                  check_layer,
                  default_layer,
                  depth_sweep,
                  gradcam,
                  gradcam_layers,
                  place_in_image,
)
from vggviz.explain.attribution.chain import (
                  HOOK_DICTS,
                  Chain,
                  UnknownTargetError,
                  attribution_mode,
                  check_target,
                  class_label,
                  hook_count,
)
from vggviz.explain.attribution.methods import (
                  DEFAULT_METHODS,
                  METHOD_NOTES,
                  METHODS,
                  check_window,
                  compare_methods,
                  method_map,
                  method_passes,
                  method_slug,
                  private_map,
                  resolve_method,
                  uses_layer,
)
from vggviz.explain.attribution.occlusion import (
                  OCCLUSION_BASELINES,
                  OcclusionMap,
                  occlusion,
                  occlusion_defaults,
                  occlusion_map,
                  occlusion_passes,
)
from vggviz.explain.attribution.pixel import PIXEL_CLIP_PERCENTILE, PIXEL_METHODS, PixelMethod, pixel_map
from vggviz.figures.maps import overlay  # noqa: F401  (pages/transfer.py's spelling; the function lives in maps)

_HOOK_DICTS = HOOK_DICTS        # the name tests/unit/lab/test_transfer.py reads

__all__ = [
    "Chain", "attribution_mode", "UnknownTargetError", "HOOK_DICTS", "hook_count", "check_target", "class_label",
    "GradCam", "CamMethod", "GradCAM", "GradCAMPlusPlus", "CAM_METHODS", "GRADCAM_KINDS", "cam", "gradcam",
    "depth_sweep", "gradcam_layers", "default_layer", "check_layer", "place_in_image",
    "PixelMethod", "PIXEL_METHODS", "PIXEL_CLIP_PERCENTILE", "pixel_map",
    "OCCLUSION_BASELINES", "OcclusionMap", "occlusion", "occlusion_map", "occlusion_defaults", "occlusion_passes",
    "METHODS", "METHOD_NOTES", "DEFAULT_METHODS", "compare_methods", "method_map", "method_passes", "method_slug",
    "private_map", "resolve_method", "uses_layer", "check_window",
]
