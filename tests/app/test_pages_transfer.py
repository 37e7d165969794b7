"""The "Teach it your own classes" page in the real app (AppTest): on the mini family, three
classes filled with generated shapes, trained; the probabilities, the PCA chart, Grad-CAM and
the download are there, with no exception. On random full-size weights the page says the
features are random projections and still trains."""

from __future__ import annotations

import io

import pytest
import torch
from streamlit.testing.v1 import AppTest

from vggviz.app import results

pytestmark = pytest.mark.filterwarnings("ignore")


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    return at


def open_page(root, variant: str) -> AppTest:
    results._cached_analysis.clear()
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.session_state["vggviz_variant"] = variant
    at.run()
    at.switch_page("pages/transfer.py").run()
    return ok(at)


def fill(at: AppTest, n: int, count: int = 6) -> None:
    at.number_input(key="own_n").set_value(n).run()
    for i in range(n):
        at.number_input(key=f"own_count_{i}").set_value(count).run()
        at.button(key=f"own_fill_{i}").click().run()
        ok(at)


def test_three_shape_classes_on_the_mini_family(root):
    at = open_page(root, "vgg16_mini")
    assert any("Every class needs at least one image" in i.value for i in at.info)
    fill(at, 3)
    assert [at.text_input(key=f"own_name_{i}").value for i in range(3)] == ["circle", "square", "triangle"]
    at.button(key="own_train").click().run()
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Train accuracy"] == "100%"
    assert int(metrics["Held-out accuracy"].rstrip("%")) >= 80
    specs = {c.key if hasattr(c, "key") else i: c.proto.spec for i, c in enumerate(at.get("plotly_chart"))}
    spec = "\n".join(specs.values())
    assert '"type":"scatter"' in spec and "principal components" in spec      # the PCA
    assert '"type":"bar"' in spec                                             # the probabilities
    # no sidebar image was picked: a generated shape is classified, and gets its class
    assert at.radio(key="own_src").value == "shape"            # shown as "A generated shape"
    at.selectbox(key="own_test_shape").set_value("square").run()
    ok(at)
    assert any("Your layer says **square**" in c.value for c in at.caption)
    assert any("Grad-CAM of your class **square**" in c.value for c in at.caption)
    at.selectbox(key="own_cam_target").set_value(0).run()
    assert any("Grad-CAM of your class **circle**" in c.value for c in ok(at).caption)
    # the sidebar's image (the bundled star drawing) through the cached analysis
    at.sidebar.selectbox(key="vggviz_sample").set_value("Shapes star").run()
    at.radio(key="own_src").set_value("sidebar").run()
    assert any("Your layer says" in c.value for c in ok(at).caption)
    # another layer: train again
    at.selectbox(key="own_layer").set_value("pool5").run()
    assert any("train again" in i.value for i in ok(at).info)
    at.button(key="own_train").click().run()
    assert not [i for i in ok(at).info if "train again" in i.value]
    assert len(at.session_state["own_feats"]) == 18                         # one entry per image
    # the download is the checkpoint dict
    dl = at.get("download_button")
    assert dl and "classifier" in dl[0].label


def test_random_full_size_weights_warn_and_still_work(root):
    at = open_page(root, "vgg11")
    assert any("random projections" in w.value for w in at.warning)
    fill(at, 2, count=3)
    at.button(key="own_train").click().run()
    ok(at)
    labels = [m.label for m in at.metric]
    assert "Held-out accuracy" in labels and "Train accuracy" in labels


def test_head_checkpoint_loads(root):
    from vggviz.lab import transfer
    from vggviz.model.weights import load_model

    loaded = load_model("vgg11_mini", "shapes", "cpu")
    per = {c: transfer.features(loaded, transfer.shape_images(c, 3))["fc7"] for c in ("circle", "ring")}
    head = transfer.fit(loaded, per, "fc7")
    state = torch.load(io.BytesIO(transfer.head_bytes(head)), weights_only=True)
    assert state["variant"] == "vgg11_mini" and state["state_dict"]["weight"].shape == (2, 256)


def test_fine_tune_the_last_block_on_the_page(root, monkeypatch):
    at = open_page(root, "vgg16_mini")
    at.toggle(key="own_ft").set_value(True).run()
    at.number_input(key="own_ft_epochs").set_value(2).run()
    fill(at, 2, count=6)
    at.button(key="own_train").click().run()
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert {"Held-out, frozen features", "Held-out, fine-tuned", "Fine-tuning time"} <= set(metrics)
    assert int(metrics["Held-out, fine-tuned"].rstrip("%")) >= 50
    assert any("Trained on 10 images, tested on 2 held-out images" in c.value for c in at.caption)
    assert any(b.key == "own_download_ft" for b in at.get("download_button"))
    assert at.radio(key="own_use").value == "finetuned"
    at.selectbox(key="own_test_shape").set_value("square").run()
    assert any("Your layer says **square**" in c.value for c in ok(at).caption)
    assert any("Grad-CAM of your class **square**" in c.value for c in at.caption)
    at.radio(key="own_use").set_value("frozen").run()
    assert any("Your layer says **square**" in c.value for c in ok(at).caption)
    # other settings: the result is kept but asks to train again
    at.number_input(key="own_ft_epochs").set_value(3).run()
    assert any("Not fine-tuned for these classes and settings yet" in i.value for i in ok(at).info)
    # over the heavy-run limit: the new layer still trains, fine-tuning waits with one line
    monkeypatch.setenv("VGGVIZ_HEAVY_PER_MINUTE", "1")
    at.button(key="own_train").click().run()
    assert not [w for w in ok(at).warning if "please wait" in w.value]
    at.number_input(key="own_ft_epochs").set_value(1).run()
    at.button(key="own_train").click().run()
    assert any("please wait" in w.value for w in ok(at).warning)
    assert any("Not fine-tuned for these classes and settings yet" in i.value for i in at.info)
    assert "Held-out accuracy" in [m.label for m in at.metric]


def test_the_trained_page_in_the_pseudo_locale(root):
    """Beyond the empty page that tests/test_i18n.py renders: trained and fine-tuned, every text
    of the main area comes from the catalogue (the sidebar and footer belong to vggviz/app/ui.py)."""
    import os

    from support import shown_texts, untranslated

    from vggviz import i18n

    os.environ[i18n.PSEUDO_ENV] = "1"
    results._cached_analysis.clear()
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.query_params.update({"lang": i18n.PSEUDO})
    at.session_state["vggviz_variant"] = "vgg16_mini"
    at.run()
    with i18n.using(i18n.PSEUDO):      # AppTest formats the widgets' labels in this thread's language
        at.switch_page("pages/transfer.py").run()
        at.toggle(key="own_ft").set_value(True).run()
        at.number_input(key="own_ft_epochs").set_value(1).run()
        fill(at, 2, count=3)
        at.button(key="own_train").click().run()
    ok(at)
    texts = shown_texts(at, "main")
    assert any("⟦Held-out, fine-tuned⟧" in t for t in texts)
    owned_by_ui = ("Random weights", "Next step", "Share", "This view", "Trained on shapes")
    bad = [t for t in untranslated(texts) if not t.startswith(owned_by_ui)]
    assert not bad, bad
