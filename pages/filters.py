import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.figures import maps
from vggviz.figures.filters import filter_patches, kernel_grid, weight_histogram
from vggviz.i18n import _
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
st.title(_("Filters: the weights themselves"))
st.markdown(_(
    "A convolution slides small kernels over its input. These are the kernels "
    "of the model chosen in the sidebar: no image needed."
))

loaded = ui.current_model(sel)
ui.untrained_weights(loaded)
if loaded is None:
    ui.end_page()
weights = ui.current_conv_weights(loaded)
names = list(weights)
label = VARIANTS[loaded.variant].label

st.subheader(_("{layer}: the first layer looks at colour").format(layer=names[0]))
w1 = weights[names[0]]
lo, hi = float(w1.min()), float(w1.max())
scale = st.slider(_("Patch size (px per weight)"), 6, 32, 16, 2, key="flt_scale")
patches = filter_patches(w1, scale=scale)
st.image(patches)
st.caption(_(
    "Each of the {n} filters of {layer} is {kh}×{kw} weights on each of the R, G and B inputs, drawn as a "
    "{kh}×{kw} colour patch. All patches share one scale: the smallest weight of the layer ({lo}) is black, "
    "the largest ({hi}) full colour, so patches can be compared. In trained weights you see edge detectors "
    "(a dark side and a bright side) and colour blobs; random weights look like noise."
).format(n=w1.shape[0], layer=names[0], kh=w1.shape[2], kw=w1.shape[3], lo=f"{lo:.3g}", hi=f"{hi:.3g}"))
st.download_button(_("⬇️ Download the patches (PNG)"), data=lambda: maps.to_png(patches),
                   file_name=f"{loaded.variant}_{names[0]}_filters.png", mime="image/png",
                   on_click="ignore", key="flt_download_patches")

st.subheader(_("Deeper layers: kernels per output channel"))
deeper = names[1:] or names
c1, c2, c3 = st.columns([2, 3, 2])
ui.keep_choice("flt_layer", deeper, deeper[0])
ui.link_param("layer", "flt_layer", options=deeper)
layer = c1.selectbox(_("Conv layer"), deeper, key="flt_layer",
                     format_func=lambda n: f"{n}  ·  {'×'.join(map(str, weights[n].shape))}")
w = weights[layer]
o, i_n, kh, kw = w.shape
span = min(16, o)
first = c2.slider(_("Output channels from"), 0, o - span, 0, key=f"flt_first_{layer}",
                  help=_("Shows {n} output channels starting here").format(n=span)) if o > span else 0
max_in = c3.slider(_("Input channels shown"), 8, min(64, i_n), min(32, i_n), 8, key=f"flt_in_{layer}") \
    if i_n > 8 else i_n
grid = kernel_grid(w, slice(first, first + span), max_in=max_in)
st.image(grid)
st.caption(_(
    "{layer} has {o} output channels, each with a {kh}×{kw} kernel on every one of its {i} input channels "
    "({n} weights). Rows: output channels {first}–{last}; columns: their kernels on input channels "
    "0–{last_in}. Red positive, blue negative, white 0, on one symmetric scale for the picture."
).format(layer=layer, o=o, kh=kh, kw=kw, i=i_n, n=f"{o * i_n * kh * kw:,}", first=first, last=first + span - 1,
         last_in=max_in - 1))
st.download_button(_("⬇️ Download the kernels (PNG)"), data=lambda: maps.to_png(grid),
                   file_name=f"{loaded.variant}_{layer}_out{first}-{first + span - 1}.png",
                   mime="image/png", on_click="ignore", key="flt_download_kernels")

st.subheader(_("How the weights are distributed, layer by layer"))
default = [names[0], names[len(names) // 2], names[-1]] if len(names) > 2 else names
if not set(st.session_state.get("flt_hist_layers") or [None]) <= set(names):
    st.session_state["flt_hist_layers"] = list(dict.fromkeys(default))
picked = st.multiselect(_("Layers"), names, key="flt_hist_layers")
if picked:
    st.plotly_chart(weight_histogram({n: weights[n] for n in picked}), width="stretch", key="flt_hist")
    st.caption(_(
        "{variant}: σ in the legend is each layer's standard deviation. torchvision starts every conv "
        "at σ = √(2 / fan-out) (He initialisation, fan-out = output channels × k × k), so wider layers "
        "start narrower; training moves the weights away from that start."
    ).format(variant=label))
