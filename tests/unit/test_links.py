"""vggviz.links: values from a URL are checked before they reach a widget (one line when bad),
and a share link keeps the app's base path. The pages reading and writing them: tests/app/test_app_links.py."""

from __future__ import annotations

import pytest

from vggviz.links import LinkError, parse, share_url


def test_parse_checks_options_and_ranges():
    assert parse("layer", "conv2_1", options=["conv1_1", "conv2_1"]) == "conv2_1"
    assert parse("variant", "VGG11", options=["vgg11", "vgg16"], fold=True) == "vgg11"
    assert parse("k", "5", options=[1, 3, 5, 7], cast=int) == 5
    assert parse("opacity", "0.25", lo=0.0, hi=1.0, cast=float) == 0.25
    for raw, kw in [("conv9_9", dict(options=["conv1_1"])), ("9", dict(options=[1, 3], cast=int)),
                    ("x", dict(lo=0, hi=3, cast=int)), ("7", dict(lo=0, hi=3, cast=int)),
                    ("", dict(options=["a"])), ("a" * 200, dict(options=["a"]))]:
        with pytest.raises(LinkError) as e:
            parse("p", raw, **kw)
        assert "\n" not in str(e.value) and len(str(e.value)) < 200


def test_share_url_keeps_the_apps_base_path():
    pages = ["feature_maps", "unit", "start", "home"]
    assert share_url("http://host:8501/feature_maps?x=1", "unit", {"layer": "conv1_1", "variant": "vgg11"}, pages) \
        == "http://host:8501/unit?layer=conv1_1&variant=vgg11"
    assert share_url("https://school.org/vggviz/", "unit", {}, pages) == "https://school.org/vggviz/unit"
    assert share_url("https://school.org/vggviz/unit", "feature_maps", {"sample": "shapes star"}, pages) \
        == "https://school.org/vggviz/feature_maps?sample=shapes+star"
