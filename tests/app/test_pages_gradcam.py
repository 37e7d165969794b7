"""The Grad-CAM page in the real app (AppTest, VGG11, random weights): target and layer
changes work, opacity and colormap re-render without computing Grad-CAM again, downloads are
there, and the page says that an untrained network's map means nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support import ROOT

from vggviz.app import models, results, ui
from vggviz.explain import attribution
from vggviz.lab import compare

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture
def calls(monkeypatch):
    """Count attribution.gradcam calls (the page reaches it through vggviz.app.ui)."""
    for f in (results._cached_gradcam, results._cached_depth_sweep, results._cached_method_map):
        f.clear()
    made = []
    real = attribution.gradcam

    def spy(loaded, analysis, layer=None, target=None):
        made.append((layer, target))
        return real(loaded, analysis, layer, target)

    monkeypatch.setattr(attribution, "gradcam", spy)
    yield made
    for f in (results._cached_gradcam, results._cached_depth_sweep, results._cached_method_map):
        f.clear()


def page(variant: str = "vgg11", sample: str | None = "Cat") -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["vggviz_variant"] = variant
    at.run()
    at.switch_page("pages/gradcam.py").run()
    assert not at.exception, at.exception
    if sample:
        at.sidebar.selectbox(key="vggviz_sample").set_value(sample).run()
        assert not at.exception, at.exception
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    return at


def test_gradcam_page(calls):
    at = page()
    assert ok(at)
    # defaults: top-1 class, the last conv; one Grad-CAM computed
    target = at.selectbox(key="gc_target")
    assert target.index == 0 and target.options[0].startswith("top-1 · ") and len(target.options) == 1000
    assert at.selectbox(key="gc_layer").value == "conv5_2"
    assert calls == [("conv5_2", at.session_state["gc_target"])]
    # the untrained network is said plainly, with the Grad-CAM line
    assert any("mean nothing" in w.value for w in at.warning)
    assert any("Grad-CAM of a random network means nothing" in w.value for w in at.warning)
    assert sum("mean" in w.value for w in at.warning) == 1        # once: the page's line joins the one warning
    # downloads, the raw layer map, the class probability, five sweep overlays
    labels = [b.label for b in at.get("download_button")]
    assert any("PNG" in x for x in labels) and any(".npy" in x for x in labels)
    spec = at.get("plotly_chart")[0].proto.spec
    assert '"type":"heatmap"' in spec
    assert any(m.label == "Class probability" for m in at.metric)
    assert sum("relu" in c.value and "×" in c.value for c in at.caption) == 0     # the sweep on request
    at.toggle(key="gc_sweep").set_value(True).run()
    assert sum("relu" in c.value and "×" in c.value for c in at.caption) == 5
    assert dict(at.query_params).get("sweep") in ("1", ["1"])

    # opacity and colormap re-render from the cached map
    n = len(calls)
    at.slider(key="gc_alpha").set_value(0.8).run()
    at.selectbox(key="gc_cmap").set_value("inferno").run()
    ok(at)
    assert len(calls) == n

    # another class (any of the 1000) and another layer: one new Grad-CAM each
    at.selectbox(key="gc_target").set_value(281).run()
    ok(at)
    assert calls[-1] == ("conv5_2", 281) and len(calls) == n + 1
    assert any("tabby" in c.value for c in at.caption)
    at.selectbox(key="gc_layer").set_value("pool4").run()
    ok(at)
    assert calls[-1] == ("pool4", 281) and len(calls) == n + 2
    assert any("14×14" in (c.value or "") for c in at.caption)
    # going back to a seen combination is a cache hit
    at.selectbox(key="gc_layer").set_value("conv5_2").run()
    ok(at)
    assert len(calls) == n + 2


def test_methods_and_depths(calls, monkeypatch):
    at = page()
    at.toggle(key="gc_methods").set_value(True).run()
    ok(at)
    names = [m.value for m in at.markdown]
    for name in ("**Grad-CAM**", "**Guided Grad-CAM**", "**Saliency**"):
        assert name in names

    # compare depths: patch the loader so the test builds small stand-ins, not four VGGs
    seen = []

    def fake_compare(image, target, sel=None, progress=None):
        model = models._cached_model("vgg11", "random", "cpu")
        rows = compare.gradcam_by_variant(["vgg11"], image, target, "random", "cpu", progress=progress,
                                            get_model=lambda v: model)
        seen.append(target)
        return rows * 4

    monkeypatch.setattr(ui, "current_gradcam_by_variant", fake_compare)
    at.button(key="gc_depths_button").click().run()
    ok(at)
    assert seen == [at.session_state["gc_target"]]
    assert sum("conv5_2 · random weights" in m.value for m in at.markdown) == 4


def test_no_image_prompt(calls):
    at = page(sample=None)
    assert any("sidebar" in i.value for i in at.info)
    assert not calls


def test_compare_depths_prefers_cached_models_and_keeps_results(monkeypatch):
    cached = models._cached_model("vgg11", "random", "cpu")
    assert models._peek_cached_model("vgg11", "random", "cpu") is cached
    assert models._peek_cached_model("vgg13", "random", "cpu") is None      # peeking loads nothing
    runs = []

    def fake_gradcam_by_variant(variants, image, target, source, device, progress=None, get_model=None):
        assert tuple(variants) == ("vgg11", "vgg13", "vgg16", "vgg19") and source == "random"
        runs.append(get_model("vgg11"))
        return [{"variant": v} for v in variants]

    monkeypatch.setattr(compare, "gradcam_by_variant", fake_gradcam_by_variant)
    monkeypatch.setattr(results, "_by_variant_results", {})
    image = type("Img", (), {"digest": "abc"})()
    sel = ui.Selection("vgg11", "random", "cpu")
    first = ui.current_gradcam_by_variant(image, 281, sel)
    assert runs == [cached] and [r["variant"] for r in first] == ["vgg11", "vgg13", "vgg16", "vgg19"]
    assert ui.current_gradcam_by_variant(image, 281, sel) is first and len(runs) == 1      # kept
    ui.current_gradcam_by_variant(image, 282, sel)
    assert len(runs) == 2


def test_compare_depths_of_a_mini_selection_compares_the_mini_family_with_shapes_weights(monkeypatch):
    seen = []

    def fake_gradcam_by_variant(variants, image, target, source, device, progress=None, get_model=None):
        seen.append((tuple(variants), source))
        return [{"variant": v} for v in variants]

    monkeypatch.setattr(compare, "gradcam_by_variant", fake_gradcam_by_variant)
    monkeypatch.setattr(results, "_by_variant_results", {})
    image = type("Img", (), {"digest": "abc"})()
    minis = ("vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini")
    ui.current_gradcam_by_variant(image, 4, ui.Selection("vgg16_bn_mini", "shapes", "cpu"))
    ui.current_gradcam_by_variant(image, 4, ui.Selection("vgg16_mini", "trained:abc", "cpu"))   # one model's run
    ui.current_gradcam_by_variant(image, 4, ui.Selection("vgg11_mini", "random", "cpu"))
    assert seen == [(minis, "shapes"), (minis, "random")]     # the second is the first, kept


def test_occlusion_in_compare_methods(calls, monkeypatch):
    """The mini VGG16 (64 px): the occlusion toggle says its forward passes, computes the map
    once per (class, patch, stride) with progress reported, shows it with the other methods,
    and keeps stride ≤ patch when the patch shrinks below it."""
    monkeypatch.setattr(results, "_occlusion_results", ui.SharedResults(ui.OCCLUSION_CACHE_ENTRIES))
    made = []
    real = attribution.occlusion

    def spy(loaded, analysis, target=None, patch=None, stride=None, baseline="mean", batch=16, progress=None):
        steps = []

        def prog(done, total):
            steps.append((done, total))
            progress(done, total)

        out = real(loaded, analysis, target, patch, stride, baseline, batch, prog)
        made.append((patch, stride, steps[-1]))
        return out

    monkeypatch.setattr(attribution, "occlusion", spy)
    at = page("vgg16_mini", "Shapes star")
    at.toggle(key="gc_methods").set_value(True).run()
    ok(at)
    toggle = at.toggle(key="gc_occ")
    assert toggle.label == "Occlusion (slides a grey patch; 226 forward passes)"     # 9/4 at 64 px: 15×15 + 1
    assert "**Occlusion**" not in [m.value for m in at.markdown] and not made
    toggle.set_value(True).run()
    ok(at)
    assert made == [(9, 4, (226, 226))]
    names = [m.value for m in at.markdown]
    for name in ("**Grad-CAM**", "**Guided Grad-CAM**", "**Saliency**", "**Occlusion**"):
        assert name in names
    assert any(c.value.startswith("Occlusion of **star**") for c in at.caption)
    assert "226 forward passes" in at.number_input(key="gc_occ_patch_64").help
    # a re-render (opacity) reuses the map; a new stride computes a new one
    at.slider(key="gc_alpha").set_value(0.7).run()
    ok(at)
    assert len(made) == 1
    at.number_input(key="gc_occ_stride_64").set_value(8).run()
    ok(at)
    assert made[-1] == (9, 8, (65, 65)) and at.toggle(key="gc_occ").label.endswith("65 forward passes)")
    # a patch below the stride pulls the stride down with it
    at.number_input(key="gc_occ_patch_64").set_value(4).run()
    ok(at)
    assert at.number_input(key="gc_occ_stride_64").value == 4 and made[-1][:2] == (4, 4)


def test_gradcam_page_panel(vgg16_mini):
    """The trust panel (vggviz.explain.trust) on the page: off by default, then its checks for Grad-CAM and Saliency."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
    at.session_state["vggviz_variant"] = "vgg16_mini"
    at.run()
    at.switch_page("pages/gradcam.py").run()
    at.sidebar.selectbox(key="vggviz_sample").set_value(at.sidebar.selectbox(key="vggviz_sample").options[1]).run()
    assert not at.exception, at.exception
    n_charts = len(at.get("plotly_chart"))
    assert not any("Deletion AUC" == m.label for m in at.metric)        # off by default: no extra cost
    assert any(c.value.startswith("💡 ") for c in at.caption)           # the layer guide
    at.session_state["gc_trust_steps"] = 10                            # a small budget, to be quick
    at.toggle(key="gc_trust").set_value(True).run()
    assert at.slider(key="gc_trust_steps").value == 10
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    labels = [m.label for m in at.metric]
    assert "Deletion AUC" in labels and "Insertion AUC, random order" in labels
    assert len(at.get("plotly_chart")) == n_charts + 1
    caps = [c.value for c in at.caption]
    assert any(c.startswith("**→ fc8** · ρ") for c in caps) and any(c.startswith("**→ conv1** · ρ") for c in caps)
    assert sum("deletion AUC" in c for c in caps) == 5                  # the depth sweep's blocks
    at.radio(key="gc_trust_method").set_value("Saliency").run()
    assert not at.exception and not [e.value for e in at.error]
    assert sum("deletion AUC" in c for c in at.caption) == 0
