"""vggviz.inference.live: a canvas's pixels → the picture the network is given, and a picture
(drawing or camera frame) → top-k, feature-map strips and Grad-CAM through the app's own code."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vggviz.data import shapes
from vggviz.explain.attribution import gradcam, hook_count
from vggviz.i18n import using
from vggviz.inference import live
from vggviz.inference.analysis import analyze
from vggviz.inference.live import (
    DrawingError,
    LiveCamera,
    annotate_frame,
    default_map_layers,
    drawing_to_image,
    feature_strip,
    live_results,
)
from vggviz.model.weights import load_model

SIDE = 400


def canvas_with(label: str | None, scale: float = 0.5, colour=(0, 0, 0), transparent: bool = True) -> np.ndarray:
    """A SIDE × SIDE RGBA canvas as the component returns it: ``label`` drawn by
    shapes.draw_plain in ``colour``; the background transparent (alpha 0) or opaque white."""
    a = np.zeros((SIDE, SIDE, 4), np.uint8)
    if not transparent:
        a[...] = 255
    if label is None:
        return a
    ink = 255 - np.asarray(shapes.draw_plain(label, size=SIDE, scale=scale).convert("L"))
    on = ink > 0
    a[on, :3] = colour
    a[on, 3] = ink[on] if transparent else 255
    return a


@pytest.fixture(scope="module")
def mini():
    return load_model("vgg16_mini", "shapes", "cpu")


# --------------------------------------------------------------------------- the canvas


@pytest.mark.parametrize("transparent", [True, False])
def test_an_empty_canvas_is_one_line(transparent):
    with pytest.raises(DrawingError) as e:
        drawing_to_image(canvas_with(None, transparent=transparent))
    assert str(e.value) == "Draw something first: the canvas is empty."
    with using("zh"):
        assert "画" in str(e.value)


def test_white_strokes_are_the_eraser_and_count_as_nothing():
    a = canvas_with("square", transparent=False)
    a[..., :3] = 255                                          # everything painted over in white
    with pytest.raises(DrawingError, match="empty"):
        drawing_to_image(a)


def test_a_dot_is_one_line_and_a_small_shape_is_not():
    a = canvas_with(None)
    a[200:210, 200:212] = (0, 0, 0, 255)                       # 12 px: 3 % of the canvas
    with pytest.raises(DrawingError) as e:
        drawing_to_image(a)
    assert "only a dot" in str(e.value) and "8%" in str(e.value) and "\n" not in str(e.value)
    a[200:210, 200:200 + int(SIDE * live.DOT_FRACTION) + 2] = (0, 0, 0, 255)   # just over the threshold
    assert drawing_to_image(a).extent > live.DOT_FRACTION


@pytest.mark.parametrize("colour", [(0, 0, 0), (200, 30, 30), (20, 60, 220)])
def test_the_drawing_is_on_white_centred_and_fills_the_frame_like_the_training_shapes(colour):
    a = canvas_with(None)
    a[40:140, 250:330] = (*colour, 255)                       # 100 tall, 80 wide, off-centre
    d = drawing_to_image(a)
    assert d.box == (250, 40, 330, 140)
    assert d.image.mode == "RGB" and d.image.size == (live.OUT_SIZE, live.OUT_SIZE)
    px = np.asarray(d.image)
    assert (px[0, 0] == 255).all() and (px[-1, -1] == 255).all()       # white around it
    ink = (255 - px.min(axis=2)) >= live.INK_LEVEL
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    assert abs(height / live.OUT_SIZE - live.FILL) < 0.02               # the longer side fills FILL
    assert abs(width / height - 0.8) < 0.03                             # the aspect ratio is kept
    centre = ((rows[0] + rows[-1]) / 2, (cols[0] + cols[-1]) / 2)
    assert all(abs(c - live.OUT_SIZE / 2) < 2 for c in centre)
    assert np.abs(px[rows[0] + 5, cols[0] + 5].astype(int) - colour).max() < 10    # its colour kept


def test_position_and_size_on_the_canvas_do_not_matter():
    big, small = canvas_with("triangle", scale=0.8), canvas_with(None)
    shrunk = Image.fromarray(big).resize((SIDE // 2, SIDE // 2), Image.Resampling.LANCZOS)
    small[10:10 + SIDE // 2, 180:180 + SIDE // 2] = np.asarray(shrunk)
    a, b = (np.asarray(drawing_to_image(x).image, dtype=np.float32) for x in (big, small))
    assert np.abs(a - b).mean() < 6                                     # the same picture, bar resampling


def test_half_transparent_strokes_are_composited_onto_white():
    a = canvas_with(None)
    a[100:300, 100:300] = (0, 0, 0, 128)                      # half-transparent black: mid grey on white
    px = np.asarray(drawing_to_image(a).image)
    assert abs(int(px[128, 128, 0]) - 127) <= 2


def test_a_canvas_that_is_not_rgba_is_refused():
    with pytest.raises(ValueError, match="RGBA"):
        drawing_to_image(np.zeros((10, 10), np.uint8))


# --------------------------------------------------------------------------- the results


def test_results_are_the_analysis_and_gradcam_of_the_app(mini):
    d = drawing_to_image(canvas_with("star"))
    before = hook_count(list(mini.model.modules()))
    res = live_results(mini, d.image)
    assert hook_count(list(mini.model.modules())) == before == 0        # nothing hooked on the shared model
    ref = analyze(mini, d.image)
    assert [p.index for p in res.top] == [p.index for p in ref.top] and len(res.top) == 5
    np.testing.assert_allclose(res.analysis.probs, ref.probs, rtol=1e-5, atol=1e-6)
    cam = gradcam(mini, ref)
    assert res.cam.layer == cam.layer == "conv4_3" and res.cam.target == ref.top[0].index
    np.testing.assert_allclose(res.cam.crop_map, cam.crop_map, atol=1e-5)
    assert res.seen.size == (64, 64) and res.overlay.size == (64, 64)
    assert list(res.strips) == ["relu1_2", "relu4_3"]
    assert res.seconds > 0


def test_the_bundled_mini_model_names_plain_drawn_shapes(mini):
    """The canvas path keeps what the network knows: plain shapes, drawn on a big canvas and
    framed by drawing_to_image, are named as the training shapes are."""
    right = [live_results(mini, drawing_to_image(canvas_with(c)).image).top[0].label == c for c in shapes.CLASSES]
    assert sum(right) >= 7, right


def test_default_map_layers_are_one_early_and_one_deep():
    for variant, want in [("vgg11_mini", ["relu1_1", "relu4_2"]), ("vgg19_mini", ["relu1_2", "relu4_4"]),
                          ("vgg16", ["relu1_2", "relu5_3"])]:
        assert default_map_layers(load_model(variant, "random", "cpu")) == want


def test_feature_strip_shows_the_most_active_channels_in_a_row():
    acts = np.zeros((10, 4, 6), np.float32)
    for c in range(10):
        acts[c] = c                                                     # channel 9 most active
    acts[3, 0, 0] = 100                                                 # channel 3: mean 3 + 96/24 = 7
    strip, chosen = feature_strip(acts, n=4, tile=20)
    assert list(chosen) == [9, 8, 3, 7]
    assert strip.size == (4 * 30 + 3 * 2, 20)                            # 6:4 tiles of 30 × 20, 2 px lines
    assert (np.asarray(strip)[:, 30:32] == 255).all()                   # the separator
    with pytest.raises(ValueError):
        feature_strip(np.zeros((0, 4, 4), np.float32))


def test_results_for_a_full_size_vgg_and_a_photo_sized_frame(vgg11):
    frame = Image.fromarray((np.random.default_rng(0).random((240, 320, 3)) * 255).astype(np.uint8))
    res = live_results(vgg11, frame, map_layers=["relu3_1"])
    assert res.seen.size == (224, 224) and list(res.strips) == ["relu3_1"] and len(res.top) == 5
    out = annotate_frame(frame, res, fps=12.5)
    assert out.size == frame.size and out.mode == "RGB"
    webcam = frame.resize((640, 480))
    assert annotate_frame(webcam, res, fps=None).size == (live.FRAME_SIDE, live.FRAME_SIDE * 3 // 4)   # reduced first


# --------------------------------------------------------------------------- the camera


def _frame(label: str, size=(240, 320)) -> np.ndarray:
    h, w = size
    pic = Image.new("RGB", (w, h), "white")
    pic.paste(shapes.draw_plain(label, size=h), ((w - h) // 2, 0))
    return np.asarray(pic)


def test_the_camera_annotates_each_frame_and_counts_speed_and_drops(mini):
    t = iter(np.arange(0, 100, 0.1))
    cam = LiveCamera(mini, clock=lambda: float(next(t)), busy=lambda: False)
    frame = _frame("circle")
    out = cam.process(frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert not np.array_equal(out, frame)                               # the overlay and the label are drawn
    assert (out[:3, :5] == 0).all()                                     # the label's black box at the top left
    cam.process(frame, dropped=3)
    cam.process(frame, dropped=1)
    s = cam.stats()
    assert s.frames == 3 and s.dropped == 4 and s.skipped == 0 and not s.busy and not s.error
    assert s.fps == pytest.approx(10.0) and s.top[0].label == "circle"
    assert cam.map_layers == ["relu4_3"]                                # one (deep) layer on the picture


def test_a_camera_stream_runs_on_one_thread_of_its_own(mini):
    import threading

    import torch

    seen = {}

    def stream():
        torch.set_num_threads(2)
        LiveCamera(mini, busy=lambda: False).process(_frame("star"))
        seen["threads"] = torch.get_num_threads()

    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        t = threading.Thread(target=stream)
        t.start()
        t.join()
        assert seen["threads"] == 1 and torch.get_num_threads() == 3      # this thread's setting is its own
    finally:
        torch.set_num_threads(before)


def test_a_busy_server_passes_frames_through_without_running_the_model(mini):
    busy = [True]
    cam = LiveCamera(mini, busy=lambda: busy[0])
    frame = _frame("square")
    assert cam.process(frame) is frame
    s = cam.stats()
    assert s.busy and s.skipped == 1 and s.frames == 0
    busy[0] = False
    cam.process(frame)
    s = cam.stats()
    assert not s.busy and s.frames == 1


def test_a_failing_frame_is_one_line_and_the_frame_comes_back(mini, monkeypatch):
    def oom(*a, **k):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\nmore details")

    monkeypatch.setattr(live, "live_results", oom)
    cam = LiveCamera(mini, busy=lambda: False)
    frame = _frame("ring")
    assert cam.process(frame) is frame
    s = cam.stats()
    assert s.error == "The camera's frame could not be analysed: CUDA out of memory. Tried to allocate 2.00 GiB"
    assert s.frames == 0


def test_without_a_busy_check_the_camera_is_never_busy(mini):
    cam = LiveCamera(mini)
    cam.process(_frame("diamond"))
    s = cam.stats()
    assert s.frames == 1 and s.skipped == 0 and not s.busy
