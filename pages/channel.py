"""What a channel wants to see: its strongest image patches (Zeiler & Fergus) and an image
optimised to make it fire (feature visualisation)."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import io
from dataclasses import replace

import streamlit as st

from vggviz.app import ui
from vggviz.explain.featvis import VisualisationError, default_settings, layer_shape, visual_layers
from vggviz.explain.top_patches import source_label
from vggviz.i18n import N_, _

ui.page_guard()

sel = ui.selection()
st.title(_("What a channel wants to see"))
st.markdown(_(
    "Two ways to ask what one channel of a layer responds to: look for the places in real "
    "images where it fires hardest (Zeiler & Fergus, 2014), and let the network paint an image "
    "that makes it fire as hard as possible (feature visualisation, as in Lucid and OpenAI "
    "Microscope). The first shows what it found; the second what it would like to find."
))

loaded = ui.current_model(sel)
if loaded is None:
    ui.end_page()
ui.untrained_weights(loaded, _("With random weights both views show what an untrained stack of filters happens to "
                               "prefer (colour and texture at every layer): the method works, but nothing here was "
                               "learned. Choose the shapes-trained mini family, or ImageNet weights, to see features."))

names = visual_layers(loaded.model)
default_layer = next((n for n in ("relu4_3", "relu4_2", "relu3_3", "relu3_2") if n in names), names[-1])
ui.keep_choice("ch_layer", names, default_layer)
ui.link_param("layer", "ch_layer", options=names)
c1, c2 = st.columns([3, 2])
layer = c1.selectbox(_("Layer"), names, key="ch_layer",
                     help=_("Deeper layers respond to larger, more complex patterns."))
C, _h, _w = layer_shape(loaded.model, layer, loaded.input_size)
uploads = ui.session_uploads()
bar = st.progress(0.0, text=_("Running the images through the network…"))
try:
    index = ui.current_channel_index(
        loaded, layer, uploads,
        progress=lambda done, total: bar.progress(done / total, text=_("{done} of {total} images…").format(done=done, total=total)))
except ValueError as e:
    index = None
    ui.show_error(e)
bar.empty()
# The channel starts at the layer's most excitable one on the images (a new layer: again).
if st.session_state.get("ch_for_layer") != layer or not 0 <= int(st.session_state.get("ch_channel", 0)) < C:
    st.session_state["ch_channel"] = int(index.ranking()[0]) if index is not None else 0
    st.session_state["ch_for_layer"] = layer
ui.link_param("channel", "ch_channel", lo=0, hi=C - 1, cast=int)
channel = int(c2.number_input(_("Channel (0 … {last})").format(last=C - 1), 0, C - 1, key="ch_channel", step=1,
                              help=_("It starts at the channel that fires hardest on the images below.")))

tab_patches, tab_vis = st.tabs([_("🔎 Where it fires in real images"), _("🎨 An image it would love")])

# --------------------------------------------------------------------------- top patches
with tab_patches:
    if index is not None:
        k = st.slider(_("Patches"), 4, 24, 12, 4, key="ch_k")
        patches = index.top(channel, k)
        n_img = len(index.sources)
        with_shapes = any(s.startswith("shapes") for s in index.sources)
        searched = (_("Searched {n} images: the bundled samples, {uploads} of this session's uploads, and "
                      "held-out generated shapes.") if uploads and with_shapes else
                    _("Searched {n} images: the bundled samples and {uploads} of this session's uploads.")
                    if uploads else
                    _("Searched {n} images: the bundled samples and held-out generated shapes.") if with_shapes else
                    _("Searched {n} images: the bundled samples."))
        st.caption(
            searched.format(n=n_img, uploads=len(uploads))
            + _(" Each patch is the receptive field ({px} px) of the unit where the channel peaks in that image; "
                "grey is padding past the image edge.").format(px=int(patches[0].box[2] - patches[0].box[0]))
        )
        if patches[0].value <= 0:
            st.warning(_("Channel {channel} of {layer} never fires on these images (its largest value is "
                         "{value}): a dead or very rare feature. Try another channel.").format(
                channel=channel, layer=layer, value=f"{patches[0].value:.3g}"))
        cols = st.columns(4)
        for i, p in enumerate(patches):
            with cols[i % 4]:
                st.image(p.image.resize((112, 112), 0), caption=f"{p.value:.3g} · {source_label(p.source)}")
        rank = [int(c) for c in index.ranking()[:8]]
        st.caption(_("The channels of this layer that fire hardest on these images: {channels}.").format(
            channels=", ".join(str(c) for c in rank)))
        st.markdown(_(
            "**Reading it.** Patches that share a shape, an edge direction or a colour suggest what "
            "the channel detects; it can mislead because the images are few and chosen by us, and a "
            "patch shows where the channel fired, not which part of the patch made it fire."
        ))

# --------------------------------------------------------------------------- feature visualisation
with tab_vis:
    modes = [N_("this channel"), N_("one unit of it"), N_("a gallery of channels")]
    mode = st.radio(_("Optimise"), modes, horizontal=True, format_func=lambda m: _(m),
                    key="ch_mode", help=_("A channel: its mean over the whole map. A unit: one position only "
                                          "(the image fills only its receptive field). A gallery: the first N "
                                          "channels of the layer, one image each, in one batch."))
    gallery = mode == "a gallery of channels"
    base = default_settings(loaded, gallery=gallery)
    with st.expander(_("Settings"), expanded=False):
        s1, s2, s3 = st.columns(3)
        sizes = [64, 96, 128] if loaded.input_size <= 64 else [64, 96, 128, 160, 224]
        size = s1.select_slider(_("Image size (px)"), sizes, value=base.size, key=f"ch_size_{gallery}_{loaded.input_size}")
        steps = s2.select_slider(_("Steps"), [16, 32, 48, 64, 96, 128, 192, 256, 384, 512], value=base.steps,
                                 key=f"ch_steps_{gallery}_{loaded.input_size}", help=_("More steps: a clearer picture, proportionally slower."))
        seed = s3.number_input(_("Seed"), 0, 9999, 0, key="ch_seed", help=_("The starting noise."))
        t1, t2, t3 = st.columns(3)
        tv = t1.select_slider(_("Smoothness (TV weight)"), [0.0, 0.02, 0.05, 0.1, 0.2], value=base.tv, key="ch_tv")
        jitter = t2.toggle(_("Jitter, scale, rotate"), value=True, key="ch_jitter",
                           help=_("Every step sees the image slightly moved: the pattern must work anywhere."))
        decor = t3.toggle(_("Fourier, decorrelated colour"), value=True, key="ch_decor",
                          help=_("Off: plain pixels, which tend to give high-frequency static."))
    settings = replace(base, steps=int(steps), size=int(size), seed=int(seed), lr=base.lr, tv=float(tv),
                       jitter=jitter, decorrelate=decor)
    _c, H, W = layer_shape(loaded.model, layer, settings.size)
    unit = None
    channels = [channel]
    if mode == "one unit of it":
        u1, u2 = st.columns(2)
        row = u1.number_input(_("Row (0 … {last})").format(last=H - 1), 0, H - 1, H // 2, key="ch_row")
        col = u2.number_input(_("Column (0 … {last})").format(last=W - 1), 0, W - 1, W // 2, key="ch_col")
        unit = (int(row), int(col))
    elif gallery:
        n = st.select_slider(_("Channels"), [4, 8, 16], value=8 if loaded.input_size > 64 else 16, key="ch_n",
                             help=_("Channels first … first + N − 1 of the layer, one image each."))
        first = min(channel, max(0, C - n))
        channels = list(range(first, min(C, first + n)))
        st.caption(_("Channels {first} … {last} (from the channel chosen above).").format(
            first=channels[0], last=channels[-1]))

    key = (loaded.variant, loaded.source, layer, tuple(channels), settings, unit)
    have = st.session_state.get("ch_result")
    if st.button(_("▶️ Visualise"), key="ch_go", type="primary") and ui.take_budget("heavy"):
        bar = st.progress(0.0, text=_("Starting…"))
        live = st.empty()

        def progress(step, total, preview):
            bar.progress(step / total, text=_("Step {step} of {total}").format(step=step, total=total))
            if preview is not None:
                live.image(list(preview), width=160 if len(preview) > 1 else 256)

        try:
            have = (key, ui.current_featvis(loaded, layer, channels, settings, unit, progress))
            st.session_state["ch_result"] = have
        except VisualisationError as e:
            ui.show_error(e)
        bar.empty()
        live.empty()
    if have is not None and have[0] == key:
        r = have[1]
        if len(r.channels) == 1:
            a, b = st.columns([1, 1])
            where = (_("{layer}[{channel}] at {unit}").format(layer=layer, channel=r.channels[0], unit=r.unit)
                     if r.unit else f"{layer}[{r.channels[0]}]")
            a.image(r.image(0), width=320, caption=where + " · " + _("{steps} steps · {seconds} s").format(
                steps=settings.steps, seconds=f"{r.seconds:.1f}"))
            ratio = r.ratio(0)
            above = r.activation[0] > r.noise[0]
            b.metric(_("Value on this image"), f"{r.activation[0]:.4g}",
                     delta=(_("{ratio}× noise").format(ratio=f"{ratio:.1f}") if ratio is not None and ratio >= 1 else
                            _("{diff} vs noise").format(diff=f"{r.activation[0] - r.noise[0]:+.3g}")),
                     delta_color="normal" if above else "off",
                     help=(_("{layer}'s unit with the finished image fed back in; uniform noise gives {noise}, the "
                             "starting image {start}.") if r.unit else
                           _("{layer}'s channel mean with the finished image fed back in; uniform noise gives "
                             "{noise}, the starting image {start}.")).format(
                         layer=layer, noise=f"{r.noise[0]:.4g}", start=f"{r.start_activation[0]:.4g}"))
            b.line_chart(r.history[:, 0], height=180, x_label=_("step"),
                         y_label=_("{layer} (jittered)").format(layer=r.objective))
            if ratio is None or ratio < 2:
                st.warning(_("The picture barely beats noise: from a blank start this channel's gradient is "
                           "too weak to find what it wants (common for selective channels of a small "
                           "network: they need one shape at one size). Try “one unit of it”, more steps, "
                           "or another channel; the patches in the other tab still show what it likes."))
        else:
            cols = st.columns(4)
            for i, ch in enumerate(r.channels):
                ratio = r.ratio(i)
                cols[i % 4].image(r.image(i), width="stretch",
                                  caption=f"{ch}: {r.activation[i]:.3g}" + (
                                      " (" + _("{ratio}× noise").format(ratio=f"{ratio:.0f}") + ")" if ratio else ""))
        buf = io.BytesIO()
        r.sheet().save(buf, format="PNG")
        st.download_button(_("⬇️ Download (PNG)"), buf.getvalue(), file_name=f"{loaded.variant}_{layer}_{r.channels[0]}.png",
                           mime="image/png", key="ch_download", on_click="ignore")
    else:
        st.caption(_("Press Visualise: {steps} steps at {size} px; the picture forms as you watch.").format(
            steps=settings.steps, size=settings.size))
    st.markdown(_(
        "**Reading it.** The picture is what drives this channel hardest, found by gradient ascent "
        "from noise: repeated patterns, colours and shapes it responds to. It can mislead: it is "
        "an extreme, not a typical input (real images rarely look like this), and what you see "
        "depends on the regularisers: turn them off and the same channel gives static."
    ))
