"""Bring your own fine-tuned VGG, in the app: a 3-class checkpoint from the teacher's folder
predicts with its own names on the Forward pass page and sizes every map and table of the Fully
convolutional page. The CLI and the loader: tests/unit/test_own_classes.py."""

from __future__ import annotations

import json

import pytest
import torch
from support import OWN_NAMES as NAMES
from support import ROOT
from support import three_class_state as _three_class

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.mark.parametrize("form", ["dict", "sidecar"])
def test_app_forward_pass_shows_the_names(tmp_path, monkeypatch, form):
    from streamlit.testing.v1 import AppTest

    d = tmp_path / "teacher"
    d.mkdir()
    state = _three_class("vgg11_mini")
    if form == "dict":
        torch.save({"state_dict": state, "classes": NAMES}, d / "pets.pth")
    else:
        torch.save(state, d / "pets.pth")
        (d / "pets.classes.txt").write_text("\n".join(NAMES))
    monkeypatch.setenv("VGGVIZ_WEIGHTS_DIR", str(d))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["vggviz_variant"] = "vgg11_mini"
    at.run()
    at.sidebar.radio(key="vggviz_weights").set_value("dir").run()
    assert at.sidebar.selectbox(key="vggviz_weights_file").value == "pets.pth"
    at.switch_page("pages/forward_pass.py").run()
    at.sidebar.selectbox(key="vggviz_sample").set_value("Cat").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("3 most likely of its 3 classes" in s.value for s in at.header)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = {str(v) for trace in spec["data"] for v in list(trace.get("y", [])) + list(trace.get("x", []))}
    assert {f"{n} ({i})" for i, n in enumerate(NAMES)} <= labels, labels


def test_fully_convolutional_page_with_a_three_class_checkpoint(tmp_path, monkeypatch):
    """Dense evaluation (the Fully convolutional page) sizes fc8-as-a-conv and every class map,
    top-k list and multi-scale table from the checkpoint's own 3 classes, named."""
    from streamlit.testing.v1 import AppTest

    d = tmp_path / "teacher"
    d.mkdir()
    torch.save({"state_dict": _three_class("vgg11_mini"), "classes": NAMES}, d / "pets.pth")
    monkeypatch.setenv("VGGVIZ_WEIGHTS_DIR", str(d))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["vggviz_variant"] = "vgg11_mini"
    at.run()
    at.sidebar.radio(key="vggviz_weights").set_value("dir").run()
    at.switch_page("pages/fully_conv.py").run()            # no image yet: the shapes canvas (not its classes)
    assert not at.exception, at.exception
    assert at.toggle(key="fc_canvas").value
    at.sidebar.selectbox(key="vggviz_sample").set_value("Cat").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    for canvas in (True, False):
        at.toggle(key="fc_canvas").set_value(canvas).run()
        assert not at.exception, at.exception
        assert {o.rsplit(" (", 1)[0] for o in at.selectbox(key="fc_class").options} == set(NAMES)
    fc8 = at.dataframe[0].value.set_index("layer").loc["fc8"]
    assert fc8["weight after"].startswith("3 × ")                     # fc8 as a 1×1 conv with 3 outputs
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Top class (map averaged)"] in NAMES
    box = at.selectbox(key="fc_class")
    assert len(box.options) == 3 and {o.rsplit(" (", 1)[0] for o in box.options} == set(NAMES)
    multi = at.dataframe[-1].value
    assert set(multi["class"]) == set(NAMES)
