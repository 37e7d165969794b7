"""vggviz.lab.quiz: the question bank's answers equal independent oracles (published numbers and
hand arithmetic), follow the variant, size and image, and answers are parsed and checked with
one-line errors; every question is translated (pseudo-locale and Chinese)."""

from __future__ import annotations

import json

import pytest

from vggviz import i18n
from vggviz.lab import quiz
from vggviz.lab.quiz import AnswerError, check, parse_answer, question


def answers(variant, size=None):
    return {q.id: q.answer for q in quiz.bank(variant, size)}


def test_vgg16_answers_equal_the_published_numbers():
    a = answers("vgg16")
    assert a["conv1_1_params"] == 3 * 3 * 3 * 64 + 64 == 1_792
    assert a["fc6_share"] == round(100 * 102_764_544 / 138_357_544, 2) == 74.27
    assert a["pool3_side"] == 28                       # pool3: 256×28×28 at 224
    assert a["total_params"] == 138.4                  # 138,357,544
    assert a["block3_rf"] == 40 and a["pool5_rf"] == 212     # STYLE.md's oracles (conv3_3, pool5)
    assert a["stack_saving"] == round(100 * (1 - 27 / 49), 2)
    assert a["five_stack_rf"] == 11
    assert a["conv1_1_channels"] == 64 and a["pool5_side"] == 7
    assert a["cam_grid"] == 14 and a["cam_cell"] == 16       # conv5_3: 512×14×14, stride 16
    assert a["fc6_kernel"] == 7 and a["score_map_side"] == 384 // 32 - 7 + 1
    assert a["block_params"] == "block 5"            # 3 × (9·512·512 + 512) against block 4's
    assert a["depth_params"] == 10.80      # torchvision's num_params: (143,667,240 − 132,863,336) / 10⁶, 4 figures
    pool3 = question("pool3_side", "vgg16")
    assert "256×28×28" in pool3.explanation and "200,704" in pool3.explanation


def test_answers_follow_the_variant_and_the_size():
    assert answers("vgg11")["pool5_rf"] == 150 and answers("vgg11")["block3_rf"] == 26
    assert question("block3_rf", "vgg11").prompt.count("conv3_2") == 1     # VGG11's block 3 ends at conv3_2
    small = answers("vgg16", 64)
    assert small["pool3_side"] == 8 and small["pool5_side"] == 2 and small["cam_grid"] == 4
    mini = answers("vgg16_mini")
    assert mini["conv1_1_params"] == 3 * 3 * 3 * 8 + 8 and mini["fc6_kernel"] == 2
    assert answers("vgg16_7x7_mini")["conv1_1_params"] == 5 * 5 * 3 * 8 + 8
    assert question("pool3_side", "vgg16", 64).key != question("pool3_side", "vgg16").key
    assert question("pool3_side", "vgg16").key != question("pool3_side", "vgg11").key


def test_every_question_is_complete_and_on_a_page():
    for variant in ("vgg16", "vgg11_bn", "vgg16_c", "vgg19_mini"):
        qs = quiz.bank(variant)
        assert len({q.id for q in qs}) == len(qs)
        pages = {q.page for q in qs}
        assert pages == set(quiz.PAGES) - {"forward_pass"}, pages
        for q in qs:
            assert q.prompt and q.explanation and q.tolerance >= 0 and not q.needs_image
            if q.kind == "choice":
                assert q.answer in q.options
            else:
                assert isinstance(q.answer, (int, float)) and check(q, q.answer).within


class FakeAnalysis:
    variant, source, digest = "vgg16", "random", "ab" * 32

    def __init__(self, probs):
        import numpy as np

        from vggviz.inference.analysis import Prediction

        self.probs = np.asarray(probs, dtype=np.float32)
        order = np.argsort(-self.probs)[:5]
        self.top = [Prediction(int(i), f"class {i}", float(self.probs[i])) for i in order]


def test_image_questions_follow_the_analysis():
    a = FakeAnalysis([0.1, 0.6, 0.05, 0.05, 0.1, 0.1])
    qs = {q.id: q for q in quiz.for_page("forward_pass", "vgg16", analysis=a)}
    assert qs["top1_class"].answer == "class 1" and qs["top1_prob"].answer == 60.0
    assert qs["top1_class"].needs_image and set(qs["top1_class"].options) == {p.label for p in a.top}
    assert check(qs["top1_class"], "class 1").within and not check(qs["top1_class"], "class 0").within
    b = FakeAnalysis([0.7, 0.1, 0.05, 0.05, 0.05, 0.05])
    b.digest = "cd" * 32
    assert quiz.for_page("forward_pass", "vgg16", analysis=b)[0].key != qs["top1_class"].key
    assert quiz.for_page("forward_pass", "vgg16") == []       # no image, no image question


@pytest.mark.parametrize("text, value", [("1792", 1792), ("1,792", 1792), (" 1 792 ", 1792), ("74,3", 74.3),
                                         ("74.3%", 74.3), ("１７９２", 1792), ("1.792e3", 1792), ("0", 0)])
def test_parse_accepts_how_people_write_numbers(text, value):
    q = question("conv1_1_params", "vgg16")
    assert parse_answer(q, text) == pytest.approx(value)


@pytest.mark.parametrize("qid, text, message", [
    ("conv1_1_params", "about two thousand", "is not a number"),
    ("conv1_1_params", "", "type a number first"),
    ("conv1_1_params", "nan", "is not a number"),
    ("conv1_1_params", "-5", "is negative: a count is 0 or more"),
    ("fc6_share", "150", "is outside the possible range 0 … 100"),
    ("pool3_side", "300", "is outside the possible range 0 … 224"),
    ("block_params", "block 9", "pick one of the choices"),
])
def test_bad_answers_get_one_line(qid, text, message):
    q = question(qid, "vgg16")
    with pytest.raises(AnswerError) as e:
        parse_answer(q, text)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_tolerance_is_relative():
    q = question("fc6_share", "vgg16")          # 74.27 %, within 10 %
    assert check(q, 67.0).within and check(q, 81.6).within
    assert not check(q, 66.0).within and not check(q, 82.0).within
    assert check(q, 80).percent_off == pytest.approx(100 * (80 - 74.27) / 74.27)
    exact = question("pool3_side", "vgg16")     # a side: exact
    assert check(exact, 28).within and not check(exact, 27).within
    forgot_bias = question("conv1_1_params", "vgg16")     # 1,728 (no biases) is 3.6 % off: within 5 %
    assert check(forgot_bias, 1728).within and not check(forgot_bias, 1600).within


def test_bad_variant_or_size_is_one_line():
    with pytest.raises(ValueError, match="vgg17"):
        quiz.bank("vgg17")
    with pytest.raises(ValueError, match="too small"):
        quiz.bank("vgg16", 16)


def test_json_contract():
    j = json.loads(json.dumps(quiz.to_json("vgg16", quiz.no_image_questions("vgg16"))))
    assert j["variant"] == "vgg16"
    assert all(set(q) == {"id", "page", "prompt", "answer", "tolerance", "explanation"} for q in j["questions"])


def test_every_question_is_translated(monkeypatch):
    """Pseudo-locale: every prompt and explanation comes whole from the catalogue; Chinese: no
    English prompt left."""
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    fake = FakeAnalysis([0.1, 0.6, 0.05, 0.05, 0.1, 0.1])
    with i18n.using(i18n.PSEUDO):
        qs = quiz.bank("vgg16", analysis=fake) + quiz.bank("vgg16_mini")
    for q in qs:
        for text in (q.prompt, q.explanation):
            assert text.startswith("⟦") and text.endswith("⟧"), (q.id, text)
    with i18n.using("zh"):
        zh = quiz.bank("vgg16", analysis=fake)
    en = quiz.bank("vgg16", analysis=fake)
    for a, b in zip(en, zh, strict=True):
        assert a.answer == b.answer or a.kind == "choice", a.id
        assert a.prompt != b.prompt and a.explanation != b.explanation, a.id
        assert a.key == b.key                  # the class's answers are counted across languages


def test_every_quiz_page_is_a_registered_page():
    from vggviz.registry import url_paths

    assert set(quiz.PAGES) <= set(url_paths())
    assert set(quiz.question_pages().values()) <= set(quiz.PAGES)
