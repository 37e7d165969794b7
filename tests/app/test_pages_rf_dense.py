"""AppTest: the "Why 3×3?" explorer and the "Fully convolutional" page, with VGG11 for speed."""

from __future__ import annotations

import base64
import json

import numpy as np
from support import new_app


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _array(z) -> np.ndarray:
    """Plotly sends numpy arrays as base64 typed arrays ({"dtype", "bdata", "shape"})."""
    if isinstance(z, dict) and "bdata" in z:
        shape = [int(v) for v in str(z["shape"]).split(",")]
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.asarray(z, dtype=float)


def heatmaps(at) -> list[np.ndarray]:
    return [_array(t["z"]) for spec in charts(at) for t in spec["data"] if t.get("type") == "heatmap"]


def open_page(page: str, image: str | None = None):
    at = new_app()
    assert not at.exception
    at.sidebar.selectbox(key="vggviz_variant").set_value("vgg11").run()
    if image:
        at.sidebar.selectbox(key="vggviz_sample").set_value(image).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_explorer_counts_follow_the_sliders():
    at = open_page("pages/receptive_field.py")
    m = metrics(at)
    assert m["Stack · receptive field"] == m["One layer · receptive field"] == "7×7"
    assert (m["Stack · weights"], m["One layer · weights"]) == ("27C²", "49C²")
    assert (m["Stack · non-linearities"], m["One layer · non-linearities"]) == ("3", "1")
    assert m["Stack · weights at C = 64"] == f"{27 * 64 * 64:,}"
    assert any("44.9% fewer" in s.value for s in at.success)
    assert any(z.shape == (7, 7) and z[3, 3] == 49 and z.sum() == 3 ** 6 for z in heatmaps(at))   # the path-count grid

    at.slider(key="rf_layers").set_value(5).run()
    assert not at.exception
    m = metrics(at)
    assert m["Stack · receptive field"] == m["One layer · receptive field"] == "11×11"
    assert (m["Stack · weights"], m["One layer · weights"]) == ("45C²", "121C²")
    assert m["Stack · non-linearities"] == "5"
    assert m["Stack · weights at C = 64"] == f"{45 * 64 * 64:,}"
    assert m["One layer · MACs per output position"] == f"{121 * 64 * 64:,}"
    assert any("62.8% fewer" in s.value for s in at.success)
    assert at.slider(key="rf_step").max == 5

    at.select_slider(key="rf_channels").set_value(512).run()
    m = metrics(at)
    assert m["Stack · weights at C = 512"] == f"{45 * 512 * 512:,}"
    assert m["One layer · weights at C = 512"] == f"{121 * 512 * 512:,}"
    assert m["3×3 then 1×1 · weights"] == f"9C² + C² = {10 * 512 * 512:,}"

    at.slider(key="rf_step").set_value(2).run()
    assert any(z.shape == (11, 11) and z[5, 5] == 9 and z.sum() == 9 ** 2
               for z in heatmaps(at))                                       # 5×5 after layer 2

    at.select_slider(key="rf_kernel").set_value(1).run()
    assert metrics(at)["Stack · receptive field"] == "1×1"
    assert any("adds no spatial extent" in i.value for i in at.info)


def test_real_network_fields_and_effective_field():
    at = open_page("pages/receptive_field.py", image="Cat")
    assert at.selectbox(key="rf_layer").value == "conv5_2"                 # VGG11's last conv
    at.selectbox(key="rf_layer").set_value("pool5").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "150×150 px" in captions and "32 px" in captions                 # VGG11 pool5
    assert (at.slider(key="rf_unit_y").value, at.slider(key="rf_unit_y").max) == (3, 6)
    assert "exactly zero outside" in captions
    erf = [z for z in heatmaps(at) if z.shape == (224, 224)]
    assert erf and erf[0].max() == 1.0 and erf[0].min() == 0.0

    at.slider(key="rf_unit_y").set_value(0).run()
    at.slider(key="rf_unit_x").set_value(0).run()
    assert not at.exception
    assert any("padding" in c.value for c in at.caption)

    at.radio(key="rf_erf_source").set_value("noise").run()
    assert not at.exception
    assert any("exactly zero outside" in c.value for c in at.caption)


def test_fully_conv_page_map_and_refusal():
    at = open_page("pages/fully_conv.py")
    assert any("Pick a sample image" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert list(table["layer"]) == ["fc6", "fc7", "fc8"]
    assert list(table["weight after"])[0] == "4096 × 512 × 7 × 7"
    assert set(table["same memory"]) == {"yes"}
    assert any("6×6" in m.value and "not 5×5" in m.value for m in at.markdown)

    at.sidebar.selectbox(key="vggviz_sample").set_value("Cat").run()           # 451×300
    assert not at.exception
    m = metrics(at)
    assert m["Input fed to the network"] == "385×256 px" and m["Class-score map"] == "2×6"
    assert any(z.shape == (2, 6) for z in heatmaps(at))
    assert any("average of the scales" in c for c in at.dataframe[-1].value.columns)

    at.radio(key="fc_size").set_value("384").run()
    assert metrics(at)["Class-score map"] == "6×12"
    at.toggle(key="fc_square").set_value(True).run()
    assert metrics(at)["Class-score map"] == "6×6"

    at.radio(key="fc_size").set_value("custom").run()
    at.number_input(key="fc_custom").set_value(200).run()
    assert not at.exception
    assert [e.value for e in at.error if "needs at least 224×224" in e.value]
    assert "Class-score map" not in metrics(at)
    assert at.dataframe[-1].value.shape[0] == 5                                # multi-scale still shown
