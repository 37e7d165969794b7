"""The "Teach it your own classes" page in the real app (AppTest): on the mini family, three
classes filled with generated shapes, trained; the probabilities, the PCA chart, Grad-CAM and
the download are there, with no exception. On random full-size weights the page says the
features are random projections and still trains."""

from __future__ import annotations

import io

import pytest
import torch
from streamlit.testing.v1 import AppTest

from vggviz import ui

pytestmark = pytest.mark.filterwarnings("ignore")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    return at


def open_page(root, variant: str) -> AppTest:
    ui._cached_analysis.clear()
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.session_state["vggviz_variant"] = variant
    at.run()
    at.switch_page("pages/transfer.py").run()
    return ok(at)


def fill(at: AppTest, n: int, count: int = 6) -> None:
    at.number_input(key="tr_n").set_value(n).run()
    for i in range(n):
        at.number_input(key=f"tr_count_{i}").set_value(count).run()
        at.button(key=f"tr_fill_{i}").click().run()
        ok(at)


def test_three_shape_classes_on_the_mini_family(root):
    at = open_page(root, "vgg16_mini")
    assert any("Every class needs at least one image" in i.value for i in at.info)
    fill(at, 3)
    assert [at.text_input(key=f"tr_name_{i}").value for i in range(3)] == ["circle", "square", "triangle"]
    at.button(key="tr_train").click().run()
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train accuracy"] == "100%"
    assert int(metrics["Held-out accuracy"].rstrip("%")) >= 80
    specs = {c.key if hasattr(c, "key") else i: c.proto.spec for i, c in enumerate(at.get("plotly_chart"))}
    spec = "\n".join(specs.values())
    assert '"type":"scatter"' in spec and "principal components" in spec      # the PCA
    assert '"type":"bar"' in spec                                             # the probabilities
    # no sidebar image was picked: a generated shape is classified, and gets its class
    assert at.radio(key="tr_src").value == "A generated shape"
    at.selectbox(key="tr_test_shape").set_value("square").run()
    ok(at)
    assert any("Your layer says **square**" in c.value for c in at.caption)
    assert any("Grad-CAM of your class **square**" in c.value for c in at.caption)
    at.selectbox(key="tr_cam_target").set_value(0).run()
    assert any("Grad-CAM of your class **circle**" in c.value for c in ok(at).caption)
    # the sidebar's image (the bundled star drawing) through the cached analysis
    at.sidebar.selectbox(key="vggviz_sample").set_value("Shapes star").run()
    at.radio(key="tr_src").set_value("The sidebar's image").run()
    assert any("Your layer says" in c.value for c in ok(at).caption)
    # another layer: train again
    at.selectbox(key="tr_layer").set_value("pool5").run()
    assert any("train again" in i.value for i in ok(at).info)
    at.button(key="tr_train").click().run()
    assert not [i for i in ok(at).info if "train again" in i.value]
    assert len(at.session_state["tr_feats"]) == 18                         # one entry per image
    # the download is the checkpoint dict
    dl = at.get("download_button")
    assert dl and "classifier" in dl[0].label


def test_random_full_size_weights_warn_and_still_work(root):
    at = open_page(root, "vgg11")
    assert any("random projections" in w.value for w in at.warning)
    fill(at, 2, count=3)
    at.button(key="tr_train").click().run()
    ok(at)
    labels = [m.label for m in at.metric]
    assert "Held-out accuracy" in labels and "Train accuracy" in labels


def test_head_checkpoint_loads(root):
    from vggviz import transfer
    from vggviz.weights import load_model

    loaded = load_model("vgg11_mini", "shapes", "cpu")
    per = {c: transfer.features(loaded, transfer.shape_images(c, 3))["fc7"] for c in ("circle", "ring")}
    head = transfer.fit(loaded, per, "fc7")
    state = torch.load(io.BytesIO(transfer.head_bytes(head)), weights_only=True)
    assert state["variant"] == "vgg11_mini" and state["state_dict"]["weight"].shape == (2, 256)
