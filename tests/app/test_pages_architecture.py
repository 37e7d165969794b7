"""AppTest: the app shell, Start, Architecture and Compare-depths pages for several variants."""

import pytest
from streamlit.testing.v1 import AppTest
from support import ROOT

from vggviz import i18n
from vggviz.model.summary import summarize


def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_home_and_sidebar():
    at = app()
    assert "VGG, taken apart" in at.title[0].value
    sb = at.sidebar.selectbox(key="vggviz_variant")
    assert sb.value == "vgg16" and len(sb.options) == 22          # 10 full-size + 12 mini
    assert any("VGG16 (D)" in o for o in sb.options) and any("A-LRN" in o for o in sb.options)
    assert sum("trained on shapes, works offline" in o for o in sb.options) == 12
    # tests run with VGGVIZ_WEIGHTS=random: the banner says so plainly on every page
    assert at.sidebar.radio(key="vggviz_weights").value == "random"
    assert any("mean nothing" in w.value for w in at.warning)
    # the start page: 3×3 convs and 2×2 pools, with C's 1×1 convs and A-LRN's LRN named
    intro = at.markdown[0].value
    assert "nothing but" not in intro and "C has 3 convolutions of 1×1" in intro and "LRN" in intro
    assert {m.label: m.value for m in at.metric}["VGG16 parameters"] == "138.4 M"


@pytest.mark.parametrize("variant", ["vgg11", "vgg16", "vgg19_bn", "vgg16_c"])
def test_architecture_page_numbers(variant):
    at = app()
    at.sidebar.selectbox(key="vggviz_variant").set_value(variant).run()
    at.switch_page("pages/architecture.py").run()
    assert not at.exception
    s = summarize(variant, 224)
    df = at.dataframe[0].value
    assert list(df["layer"]) == [r.name for r in s.rows]
    assert int(df["params"].sum()) == s.total_params
    assert f"{s.total_params:,} parameters" in at.markdown[-1].value or any(
        f"{s.total_params:,} parameters" in m.value for m in at.markdown)
    assert at.get("download_button")
    assert any(w.value and "mean nothing" in w.value for w in at.warning)
    if variant == "vgg16":
        row = df.set_index("layer")
        assert (row.loc["conv5_3", "receptive field (px)"], row.loc["pool5", "receptive field (px)"]) == (196, 212)
        assert row.loc["pool5", "effective stride (px)"] == 32
        assert row.loc["pool5", "output (C×H×W)"] == "512×7×7"
        assert any("89.4%" in m.value for m in at.markdown)
        # memory: one inference pass's distinct tensors, and the weights as parameters × 4
        assert row.loc["relu1_1", "new activation memory (KiB)"] == 0
        assert row.loc["conv1_1", "new activation memory (KiB)"] == 4 * 64 * 224 * 224 / 1024
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Activations"] == "57.6 MiB" and metrics["Weights (float32)"] == "528 MiB"
        totals = next(m.value for m in at.markdown if m.value.startswith("**Totals:**"))
        assert "60,448,672 bytes (57.6 MiB)" in totals and "553.4 MB = 527.8 MiB" in totals


def test_architecture_input_size_changes_shapes():
    at = app()
    at.switch_page("pages/architecture.py").run()
    at.number_input(key="arch_size").set_value(384).run()
    assert not at.exception
    df = at.dataframe[0].value.set_index("layer")
    assert df.loc["pool5", "output (C×H×W)"] == "512×12×12"
    assert df.loc["conv1_1", "output (C×H×W)"] == "64×384×384"


def test_compare_page():
    at = app()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    df = at.dataframe[0].value
    assert len(df) == 10
    v16 = df[df["variant"] == "VGG16 (D)"].iloc[0]
    assert v16["parameters (M)"] == 138.36 and v16["ImageNet top-1 %"] == "71.59"
    # an explicit dash, not a missing number or empty text (Chromium showed both as "None")
    for variant in ("VGG16-C", "VGG11-LRN"):
        assert (df[df["variant"].str.startswith(variant)]["ImageNet top-1 %"] == "— (no weights)").all()
    for table in at.dataframe:
        shown = table.value
        if hasattr(shown, "data"):          # a Styler: the frame it shows
            shown = shown.data
        assert not shown.isna().any().any()
        assert not shown.isin(["", "None", "nan"]).any().any()
    # the paper's results: the ILSVRC placing, the comparisons with their sources, beside torchvision
    md = " ".join(m.value for m in at.markdown)
    assert "7.3 % top-5 test error" in md and "2nd in classification" in md and "25.3 % error" in md
    assert "LRN does not help" in md and "Depth helps" in md and "lower error again (27.0 %)" in md
    caps = " ".join(c.value for c in at.caption)
    from vggviz.lab.paper import lab_sentence

    # each finding's source, and beside it the shapes lab's reference result of the same question
    assert "Source: Table 3: A, S = 256, Q = 256" in caps and "A − A-LRN: " in lab_sentence("c_lrn")
    assert lab_sentence("c_lrn") in caps and lab_sentence("depth") in caps
    side = next(t.value for t in at.dataframe if "torchvision variant" in t.value.columns)
    d = side.set_index("config")
    assert d.loc["D", "paper top-1 / top-5 err. % (Table 3, S = 256)"] == "27.0 / 8.8"
    assert d.loc["D", "torchvision top-1 / top-5 err. % (one 224 crop)"] == "28.4 / 9.6"
    assert any("conv1-256" in m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    # generated from torchvision's metadata, not "about 1.5 to 2 points"
    assert "+1.35 points (VGG11)" in captions and "+1.84 points (VGG19)" in captions
    assert "1.5 to 2" not in captions
    assert "92.7 % top-5" in captions and "centre crop" in captions
    assert "α/n = 2e-05" in captions        # A-LRN's LRN convention beside its parameters


def test_architecture_alexnet_beside_vgg16():
    """The section reads AlexNet from torchvision's builder and metadata; without cached ImageNet
    weights it says so instead of showing (or downloading) filters."""
    at = app()
    at.switch_page("pages/architecture.py").run()
    assert not at.exception
    facts = next(t.value for t in at.dataframe if "conv kernels" in t.value.columns).set_index("model")
    assert facts.loc["AlexNet", "parameters"] == "61,100,840" and facts.loc["AlexNet", "MACs at 224"] == "714,188,480"
    assert facts.loc["AlexNet", "conv kernels"].startswith("11×11, stride 4 · 5×5 · 3×3")
    assert facts.loc["AlexNet", "pool5 receptive field / stride (px)"] == "195 / 32"
    assert facts.loc["VGG16", "pool5 receptive field / stride (px)"] == "212 / 32"
    assert facts.loc["AlexNet", "ImageNet top-1 / top-5 % (torchvision)"] == "56.52 / 79.07"
    table = next(t.value for t in at.dataframe if "layer" in t.value.columns and "conv1" in set(t.value["layer"]))
    row = table.set_index("layer")
    assert row.loc["pool5", "receptive field (px)"] == 195 and int(table["params"].sum()) == 61_100_840
    charts = [c for c in at.get("plotly_chart") if "Receptive field after each" in c.proto.spec]
    assert len(charts) == 1
    assert any("after 6 conv/pool layers in AlexNet" in m.value for m in at.markdown)
    assert any("not in this server's cache" in i.value for i in at.info)     # no weights cached in tests


def test_architecture_in_chinese():
    """?lang=zh: the title and the layer table's headers are Chinese; the numbers are the same."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    with i18n.using("zh"):      # AppTest formats the shown widgets' labels in this thread's language
        at.switch_page("pages/architecture.py").run()
    assert not at.exception
    assert at.title[0].value.startswith("网络结构：") and "VGG16 (D)" in at.title[0].value
    df = at.dataframe[0].value
    assert {"层", "模块", "参数量", "感受野（px）", "有效步长（px）"} <= set(df.columns)
    assert int(df["参数量"].sum()) == summarize("vgg16", 224).total_params
    assert df.set_index("层").loc["pool5", "感受野（px）"] == 212
    assert {m.label for m in at.metric} >= {"参数量", "权重层"}
