import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.figures import maps
from vggviz.figures.unit import clickable_map, selected_unit
from vggviz.i18n import N_, _
from vggviz.model.summary import summarize

ui.page_guard()

sel = ui.selection()
st.title(_("Feature maps: what each layer sees"))

loaded, image, res = ui.require_analysis(sel)
ui.predict_first("feature_maps")

names = res.layer_names()
side = loaded.input_size      # 224, or 64 for the mini family
rows = {r.name: r for r in summarize(res.variant, side).rows}
# relu1_2 (VGG16/19: edges and colour blobs after two convs) or the variant's first ReLU.
default = "relu1_2" if "relu1_2" in names else next(n for n in names if n.startswith("relu"))
ui.keep_choice("fm_layer", names, default)

ui.link_param("layer", "fm_layer", options=names)
ui.link_param("order", "fm_order", options=list(maps.ORDERS))
ui.link_param("scale", "fm_normalise", options=list(maps.NORMALISE))
c1, c2, c3 = st.columns([3, 3, 2])
layer = c1.selectbox(
    _("Layer"), names, key="fm_layer",
    format_func=lambda n: f"{n}  ·  {rows[n].module}  ·  {'×'.join(map(str, rows[n].out_shape))}",
    help=_("The paper's layer names; torchvision's module path and the output shape (channels × height × width) beside them."),
)
ORDER_LABELS = {"index": N_("channel number"), "mean": N_("mean activation"), "max": N_("strongest unit")}
order = c2.radio(
    _("Sort channels by"), maps.ORDERS, key="fm_order", horizontal=True,
    format_func=lambda o: _(ORDER_LABELS[o]),
    help=_("Sorted by activation, the channels this image excites most come first."),
)
SCALE_LABELS = {"per-channel": N_("per channel"), "layer": N_("whole layer")}
normalise = c3.radio(
    _("Colour scale"), maps.NORMALISE, key="fm_normalise", horizontal=True,
    format_func=lambda n: _(SCALE_LABELS[n]),
    help=_("Per channel: every map uses the full colour range, so weak patterns show too. "
           "Whole layer: one range, so you see which channels are strong and which are silent."),
)

acts = res.activation(layer)
C, H, W = acts.shape
grid = maps.feature_grid(acts, order=order, normalise=normalise)
row = rows[layer]
grid_col, one_col = st.columns([3, 2], gap="medium")
with grid_col:
    st.image(grid.image, width="stretch")
    sorted_by = {"index": _("sorted by channel number"), "mean": _("sorted by mean activation, largest first"),
                 "max": _("sorted by max activation, largest first")}[order]
    colours = (_("each map stretched to its own range") if normalise == "per-channel"
               else _("one range for the whole layer"))
    st.caption(
        _("**{layer}**: {C} maps of {H}×{W}, in a {cols}×{rows} grid read row by row, {sorted_by}; "
          "colours: viridis, dark = low, yellow = high ({colours}). Each unit here sees a {rf}×{rf} px patch "
          "of the {side} px input (receptive field), and neighbouring units are {jump} px apart.").format(
            layer=layer, C=C, H=H, W=W, cols=grid.cols, rows=grid.rows, sorted_by=sorted_by, colours=colours,
            rf=row.rf, side=side, jump=row.jump)
    )
    st.download_button(
        _("⬇️ Download this grid (PNG)"), data=lambda: maps.to_png(grid.image),
        file_name=f"{res.variant}_{layer}_{order}_{normalise}.png", mime="image/png",
        on_click="ignore", key="fm_download",
    )

with one_col:
    ui.link_param("tile", f"fm_tile_{layer}", lo=1, hi=C, cast=int)
    tile = st.slider(
        _("Tile number in the grid (row by row)"), 1, C, 1, key=f"fm_tile_{layer}",
        help=_("Tile 1 is the top-left one: with a sort order, the channel this image excites most."),
    )
    channel = int(grid.order[tile - 1])
    event = st.plotly_chart(
        clickable_map(acts[channel], _("{layer} · channel {channel} (tile {tile}) · {H}×{W}").format(
            layer=layer, channel=channel, tile=tile, H=H, W=W)),
        width="stretch", key="fm_heatmap", on_select="rerun", selection_mode="points",
    )
    picked = selected_unit(event)
    if picked is not None:
        if st.button(_("🔬 How is ({row}, {col}) computed? Open it in One unit").format(row=picked[0], col=picked[1]),
                     key="fm_open_unit"):
            ui.open_unit(layer, channel, *picked)
            st.switch_page("pages/unit.py")
    else:
        st.caption(_("Click a unit of this map to see how its number is computed (the One unit page)."))
    stats = maps.channel_stats(acts[channel])
    m = st.columns(2) + st.columns(2)
    m[0].metric(_("Channel"), channel, help=_("Tile {tile} of the grid").format(tile=tile))
    m[1].metric(_("Active"), f"{100 * stats['active']:.0f}%", help=_("Share of positions with a value above 0"))
    m[2].metric(_("Max"), f"{stats['max']:.3g}")
    m[3].metric(_("Mean"), f"{stats['mean']:.3g}",
                help=_("std {std}, min {min}").format(std=f"{stats['std']:.3g}", min=f"{stats['min']:.3g}"))

st.subheader(_("Through the whole network"))
st.plotly_chart(maps.layer_overview(res), width="stretch", key="fm_overview")
st.markdown(_(
    "Each max-pool halves the side of the maps while the convolutions double the number of "
    "channels (64 → 128 → 256 → 512): the network trades *where* for *what*. In a trained network "
    "deeper layers have fewer active units: each channel responds to rarer, more specific patterns."
))
