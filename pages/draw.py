import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import os
import time

import streamlit as st
from PIL import Image

from vggviz.app import ui
from vggviz.data import shapes
from vggviz.figures import alt
from vggviz.figures.prediction import topk_figure
from vggviz.i18n import Text, _
from vggviz.inference import live
from vggviz.model.variants import VARIANTS

ui.page_guard()

CAMERA_ENV = "VGGVIZ_CAMERA"
CANVAS_SIDE = 320
SHOWN = 192          # px: the network's input and the Grad-CAM, enlarged

sel = ui.selection()
st.title(_("Draw a shape"))
loaded = ui.current_model(sel)
if loaded is None:
    ui.end_page()
ui.untrained_weights(loaded, _("With random weights the answer to your drawing is noise."))
mini = VARIANTS[loaded.variant].mini
names = shapes.shown_names(loaded.categories)       # the shapes' names translated; others as they are
model_key = (loaded.variant, loaded.requested, loaded.source, str(loaded.device))   # the camera follows the model


def shown(p) -> str:
    return names[p.index] if p.index < len(names) else p.label


def top_metric(top) -> None:
    st.metric(_("Top-1"), shown(top[0]), help=_("probability {pct}%").format(pct=f"{100 * top[0].prob:.1f}"))


draw_tab, camera_tab = st.tabs([_("✏️ Draw"), _("📷 Live camera")])

# ---------------------------------------------------------------- the drawing
with draw_tab:
    st.markdown(_("Draw one shape with the mouse, a finger or a pen; after each stroke {variant} answers. "
                  "The canvas's own buttons undo, redo and clear strokes.").format(
                      variant=VARIANTS[loaded.variant].label))
    left, right = st.columns([1, 1])
    with left:
        c1, c2, c3 = st.columns([2, 2, 1])
        tool = c1.radio(_("Tool"), ["pen", "eraser"], key="draw_tool", horizontal=True,
                        format_func=lambda t: _("✏️ Pen") if t == "pen" else _("🧽 Eraser"))
        width = c2.slider(_("Brush width"), 2, 40, 10, key="draw_width")
        if c3.button(_("Clear"), key="draw_clear", help=_("Start again with an empty canvas")):
            st.session_state["draw_round"] = st.session_state.get("draw_round", 0) + 1
        try:
            from streamlit_drawable_canvas import st_canvas
        except ImportError:
            st.error(_("The drawing canvas (streamlit-drawable-canvas) is not installed on this server: "
                       "pip install -r requirements.txt"))
            ui.end_page()
        canvas = st_canvas(stroke_width=width, stroke_color="#ffffff" if tool == "eraser" else "#000000",
                           background_color="#ffffff", height=CANVAS_SIDE, width=CANVAS_SIDE,
                           drawing_mode="freedraw", return_image_data=True,
                           key=f"draw_canvas_{st.session_state.get('draw_round', 0)}")
        rgba = canvas.image_data

    drawn, problem = None, Text(live.EMPTY)
    if rgba is not None:
        try:
            drawn = live.drawing_to_image(rgba)
        except live.DrawingError as e:
            problem = e
    with right:
        if drawn is None:
            st.info(str(problem))
        else:
            got = ui.current_drawing(loaded, drawn.image)
            if got is None:
                ui.end_page()
            res, png, image = got
            top_metric(res.top)
            st.plotly_chart(topk_figure(res.top, translate_labels=mini), width="stretch", key="draw_top5")
            st.caption(_("One pass and Grad-CAM: {ms} ms on {device}").format(
                ms=f"{1000 * res.seconds:.0f}", device=str(loaded.device).upper()))

    if drawn is not None:
        side = res.seen.width
        a, b = st.columns(2)
        a.image(res.seen.resize((SHOWN, SHOWN), Image.Resampling.NEAREST), output_format="PNG", width=SHOWN,
                caption=_("What the network is given: {side}×{side} px").format(side=side),
                alt=alt.preprocessing_stage("cropped", res.seen))
        b.image(res.overlay.resize((SHOWN, SHOWN), Image.Resampling.BILINEAR), output_format="PNG", width=SHOWN,
                caption=_("Grad-CAM of {cls} at {layer}: where the evidence is").format(
                    cls=shown(res.top[0]), layer=res.cam.layer),
                alt=alt.heat_overlay(_("Grad-CAM"), shown(res.top[0]), res.cam.layer, res.cam.crop_map, "jet"))
        st.subheader(_("Feature maps"))
        choices = [n for n in res.analysis.layer_names() if n.startswith(("relu", "pool"))]
        kept = [n for n in st.session_state.get("draw_layers", []) if n in choices]   # another variant: other layers
        st.session_state["draw_layers"] = kept or live.default_map_layers(loaded)
        picked = st.multiselect(_("Layers"), choices, key="draw_layers",
                                help=_("The most active channels of each layer, strongest first"))
        for name in picked:
            acts = res.analysis.activation(name)
            strip, chans = live.feature_strip(acts)
            st.image(strip, caption=_("{layer}: channels {channels}, the most active first").format(
                layer=name, channels=", ".join(str(int(c)) for c in chans)), width="content", output_format="PNG",
                alt=alt.feature_grid(name, acts[chans], cols=len(chans), rows=1, cmap="viridis"))

        def _open() -> None:
            if ui.use_as_current_image(image):
                st.session_state["draw_opened"] = image.digest

        o1, o2 = st.columns(2)
        o1.button(_("Open in the other pages"), key="draw_open", on_click=_open,
                  help=_("Make this drawing the current image of every page (Forward pass, Feature maps, Grad-CAM …)"))
        o2.download_button(_("Download the drawing (PNG)"), png, file_name="drawing.png", mime="image/png",
                           key="draw_png")
        if st.session_state.get("draw_opened") == image.digest:
            st.success(_("The drawing is now the image of every page."))
    st.caption(_("Nothing you draw is kept on the server after your session ends."))

# ---------------------------------------------------------------- the camera
NO_FRAME_S = 8.0     # playing this long without a processed frame: say so

with camera_tab:
    if os.environ.get(CAMERA_ENV) != "1":
        st.info(_("The live camera is off on this server: a video stream takes a whole CPU core. The teacher "
                  "turns it on by starting the app with {env}=1.").format(env=CAMERA_ENV))
        ui.end_page()
    try:
        import av
        from streamlit_webrtc import WebRtcMode, webrtc_streamer
    except ImportError:
        st.error(_("The live camera (streamlit-webrtc) is not installed on this server: "
                   "pip install -r requirements.txt"))
        ui.end_page()
    st.markdown(_("Hold a drawn shape up to the camera: each frame goes through {variant} as fast as this "
                  "server allows (frames that arrive meanwhile are dropped, not queued), with the Grad-CAM of "
                  "the top class and one layer's maps on the picture.").format(variant=VARIANTS[loaded.variant].label))
    ss = st.session_state
    if ss.get("draw_cam_model") != model_key:
        ss["draw_cam_model"] = model_key
        ss["draw_cam"] = live.LiveCamera(loaded, busy=ui.server_busy)
    camera = ss["draw_cam"]
    allowed = ss.setdefault("draw_cam_allowed", {"on": True})

    async def frames_in(frames: list) -> list:
        """The newest frame through the model; the others were dropped while it ran."""
        if not allowed["on"]:
            return frames[-1:]
        out = camera.process(frames[-1].to_ndarray(format="rgb24"), dropped=len(frames) - 1)
        return [av.VideoFrame.from_ndarray(out, format="rgb24")]

    try:
        ctx = webrtc_streamer(
            key="draw_camera", mode=WebRtcMode.SENDRECV, queued_video_frames_callback=frames_in,
            media_stream_constraints={"video": True, "audio": False}, async_processing=True,
            rtc_configuration={"iceServers": []},          # the classroom's network (or this machine): no STUN
            translations={"start": _("Start the camera"), "stop": _("Stop"), "select_device": _("Choose a camera"),
                          "media_api_not_available": _("This browser cannot use a camera here (it needs https or localhost)."),
                          "device_ask_permission": _("Allow the camera in your browser to start."),
                          "device_not_available": _("No camera found: plug one in, or draw on the Draw tab."),
                          "device_access_denied": _("Camera permission refused: allow it in the browser's address bar, "
                                                    "or draw on the Draw tab.")},
        )
    except (AttributeError, RuntimeError) as e:      # a server without Streamlit's usual runtime (AppTest)
        ui.show_error(_("The live camera could not start on this server: {reason}").format(reason=e))
        ui.end_page()
    playing = bool(ctx.state.playing)
    if playing and not ss.get("draw_cam_playing"):
        ss["draw_cam_since"] = time.monotonic()
        allowed["on"] = ui.take_budget("heavy")            # a camera start counts as one heavy run
    ss["draw_cam_playing"] = playing

    @st.fragment(run_every=1.0 if playing else None)
    def camera_status() -> None:
        s = camera.stats()
        m1, m2, m3 = st.columns(3)
        if s.top:
            with m1:
                top_metric(s.top)
        m2.metric(_("Frames per second"), f"{s.fps:.1f}", help=_("Frames through the network per second, "
                                                                "over the last few seconds"))
        m3.metric(_("Frames"), s.frames, help=_("{dropped} dropped while the network was busy, {skipped} passed "
                                                "through while other students waited").format(
                                                    dropped=s.dropped, skipped=s.skipped))
        if not allowed["on"]:
            st.warning(_("The camera shows your picture but the network is paused: start it again in a minute."))
        elif s.error:
            st.error(str(s.error))
        elif s.busy:
            st.info(_("The server is busy with other students' images: the network skips frames until they are done."))
        elif playing and not s.frames and time.monotonic() - ss.get("draw_cam_since", 0) > NO_FRAME_S:
            st.warning(_("No picture has arrived from the camera yet: check that no other program uses it, "
                         "or stop and start it again."))

    camera_status()
