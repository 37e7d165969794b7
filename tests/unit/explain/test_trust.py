"""Can this map be trusted? On the trained shapes model (mini VGG16) and a generated star:
the cascading randomisation check decorrelates the map and leaves the shared model
bit-identical and unhooked; Grad-CAM's deletion curve falls faster than a random order's;
the CLI's ``gradcam --check``. The page's panel: tests/app/test_pages_gradcam.py."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch

from vggviz.cli import main
from vggviz.data.images import load_image
from vggviz.data.shapes import draw_plain
from vggviz.explain import attribution, trust
from vggviz.inference.analysis import analyze

pytestmark = pytest.mark.filterwarnings("ignore")
HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


@pytest.fixture(scope="module")
def star(vgg16_mini):
    buf = io.BytesIO()
    draw_plain("star").save(buf, "PNG")
    return analyze(vgg16_mini, load_image(buf.getvalue(), "star.png"))


def test_spearman_matches_its_definition():
    a = np.array([[1, 2, 3], [4, 5, 6]], float)
    assert trust.spearman(a, a) == pytest.approx(1.0)
    assert trust.spearman(a, -a) == pytest.approx(-1.0)
    assert trust.spearman(a, np.zeros_like(a)) == 0.0                   # a constant map: no ranking
    # ties get average ranks: [1, 1, 2] → ranks [1.5, 1.5, 3]; Pearson of the ranks
    x, y = np.array([1, 1, 2.0]), np.array([1, 2, 3.0])
    assert trust.spearman(x, y) == pytest.approx(np.corrcoef([1.5, 1.5, 3], [1, 2, 3])[0, 1])


def test_randomisation_decorrelates_and_leaves_the_shared_model_alone(vgg16_mini, star):
    assert star.top[0].label == "star"
    before = {k: v.clone() for k, v in vgg16_mini.model.state_dict().items()}
    grads = [p.requires_grad for p in vgg16_mini.model.parameters()]
    chk = trust.randomisation_check(vgg16_mini, star, None, None, "Grad-CAM")
    assert [s.randomised for s in chk.steps] == ["fc8", "fc7", "fc6", "conv5", "conv4", "conv3", "conv2", "conv1"]
    rho = [1.0] + chk.correlations                      # the original map against itself, then each step
    # Grad-CAM is class-sensitive: once fc8 is random the map already decorrelates, and stays so
    assert rho[-1] < 0.5 and max(chk.correlations) < 0.9 and rho[-1] < rho[0] - 0.5
    # the probability of "star" falls to about chance (1 in 8) once fc8 is random
    assert all(s.prob < 0.5 for s in chk.steps)
    # the shared model: bit-identical weights, same requires_grad, no hook anywhere
    after = vgg16_mini.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert [p.requires_grad for p in vgg16_mini.model.parameters()] == grads
    assert not [d for m in vgg16_mini.model.modules() for d in HOOKS if getattr(m, d)]
    # the original map is Grad-CAM's own (computed on the copy, same weights)
    cam = attribution.gradcam(vgg16_mini, star, chk.layer, chk.target)
    assert np.allclose(chk.original, cam.crop_map, atol=1e-4)


def test_guided_backprop_survives_the_top_of_the_cascade(vgg16_mini, star):
    """The literature's finding, seen here: guided backprop hardly changes when the classifier is
    random (it reconstructs the image), and falls only as the conv blocks go."""
    chk = trust.randomisation_check(vgg16_mini, star, None, None, "Guided Backprop")
    rho = chk.correlations
    assert rho[0] > 0.95 and rho[-1] < rho[0] - 0.2


def test_deletion_beats_random_order(vgg16_mini, star):
    cam = attribution.gradcam(vgg16_mini, star)
    calls = []
    cur = trust.deletion_insertion(vgg16_mini, star, cam.crop_map, cam.target, 20,
                                   progress=lambda d, t: calls.append((d, t)))
    assert cur.passes == trust.curve_passes(20) == 84 and calls[0] == (0, 84) and calls[-1] == (84, 84)
    assert cur.fractions[0] == 0 and cur.fractions[-1] == 1 and len(cur.fractions) == 21
    for key in cur.probs:
        assert 0 <= cur.auc(*key) <= 1
    assert cur.probs[("deletion", "map")][0] == pytest.approx(float(star.probs[cam.target]), abs=1e-4)
    assert cur.auc("deletion") < cur.auc("deletion", "random") - 0.1
    assert cur.auc("insertion") > cur.auc("insertion", "random")
    with pytest.raises(ValueError, match="steps must be"):
        trust.deletion_insertion(vgg16_mini, star, cam.crop_map, cam.target, 1)
    trust.curves_figure(cur, "star")


def test_depth_deletion_scores_every_block(vgg16_mini, star):
    rows = trust.depth_deletion(vgg16_mini, star, star.top[0].index, steps=10)
    assert [c.layer for c, _ in rows] == ["relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3"]
    assert all(0 <= auc <= 1 for _, auc in rows)


def test_cli_gradcam_check(tmp_path, capsys):
    img = tmp_path / "star.png"
    draw_plain("star").save(img)
    code = main(["gradcam", str(img), "--variant", "vgg16_mini", "--device", "cpu", "--out",
                 str(tmp_path / "o.png"), "--check", "--check-steps", "10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    j = json.loads(out)
    assert len(j["randomisation_spearman"]) == 8 and j["randomisation_steps"][0] == "fc8"
    assert j["deletion_auc"] < j["random_deletion_auc"]
    assert 0 <= j["insertion_auc"] <= 1
    code = main(["gradcam", str(img), "--variant", "vgg16_mini", "--out", str(tmp_path / "o.png"),
                 "--check", "--check-steps", "1000"])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("method", [m for m in trust.RANDOMISATION_METHODS if m not in ("Grad-CAM", "Guided Backprop")])
def test_randomisation_check_works_for_every_method(vgg16_mini, star, method):
    """Every method of the registry (the CAMs, the pixel-level gradients, occlusion on its coarse
    grid) goes through the cascade on the private copy: a map per step, the shared model's
    weights bit-identical and unhooked afterwards, the same answer twice (seeded)."""
    before = {k: v.clone() for k, v in vgg16_mini.model.state_dict().items()}
    calls = []
    chk = trust.randomisation_check(vgg16_mini, star, None, None, method, progress=lambda d, t: calls.append((d, t)))
    assert chk.method == method and calls[-1] == (9, 9)
    assert (chk.layer is not None) == attribution.uses_layer(method)
    assert len(chk.steps) == 8 and all(np.isfinite(s.spearman) for s in chk.steps)
    assert chk.original.shape == (64, 64) and 0 <= chk.original.min() and chk.original.max() <= 1
    after = vgg16_mini.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not [d for m in vgg16_mini.model.modules() for d in HOOKS if getattr(m, d)]
    # the original map is the method's own on the shared model (occlusion: at its coarse grid)
    if method == "Occlusion":
        shown = attribution.occlusion(vgg16_mini, star, chk.target, *attribution.check_window(64)).crop_map
    else:
        shown = attribution.method_map(vgg16_mini, star, method, chk.target, chk.layer)
    assert np.allclose(chk.original, shown, atol=2e-3)
    if method == "SmoothGrad":
        again = trust.randomisation_check(vgg16_mini, star, None, None, method)
        assert again.correlations == chk.correlations
    # once the classifier and the top conv blocks are random the map has lost most of its ranking
    assert min(chk.correlations[3:]) < 0.8, chk.correlations
