"""Predict first in the app (ui.predict_first; the bank: tests/unit/lab/test_quiz.py, the store:
tests/unit/serving/test_answers.py): off, the pages are as before; on (the sidebar toggle or
?predict=1), the key figure waits for an answer; right, wrong, out-of-range and text answers;
two students' answers reach the presenter's counts, anonymously, and the reveal closes the question."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from vggviz.lab import quiz
from vggviz.serving import answers

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(autouse=True)
def fresh_store(monkeypatch):
    """Every test its own in-process store (the server's is one per process)."""
    s = answers.InProcessStore()
    monkeypatch.setattr(answers, "_store", s)
    return s


def open_page(root, page: str, **params) -> AppTest:
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.query_params.update({"variant": "vgg16", **params})
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def answer(at: AppTest, page: str, qid: str, text: str) -> AppTest:
    at.text_input(key=f"vggviz_quiz_in_{page}_{qid}").input(text)
    next(b for b in at.button if b.label == "Check my prediction").click().run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_off_the_page_is_as_before(root):
    at = open_page(root, "architecture")
    assert len(at.metric) == 6 and not at.text_input
    assert at.sidebar.toggle(key="vggviz_predict").value is False


def test_a_right_answer_reveals_the_figure(root):
    at = open_page(root, "architecture", predict="1")
    assert at.sidebar.toggle(key="vggviz_predict").value is True
    assert not at.metric and not at.get("plotly_chart"), "the key figure is hidden before the answer"
    assert any("conv1_1 of vgg16" in m for m in texts(at.markdown))
    answer(at, "architecture", "conv1_1_params", "1,792")
    ok = " ".join(texts(at.success))
    assert "right (the answer is 1,792)" in ok and "64 biases" in ok
    assert len(at.metric) == 6 and at.get("plotly_chart"), "revealed after the answer"
    at.run()                                              # it stays revealed on the next run
    assert len(at.metric) == 6 and not at.error


def test_a_wrong_answer_says_how_far_off(root):
    at = open_page(root, "architecture", predict="1")
    answer(at, "architecture", "conv1_1_params", "3584")            # twice the truth
    warn = " ".join(texts(at.warning))
    assert "100% off" in warn and "1,792" in warn
    assert len(at.metric) == 6


def test_out_of_range_and_text_get_one_line_and_the_page_stays_usable(root):
    at = open_page(root, "architecture", predict="1", q="fc6_share")
    assert at.selectbox(key="vggviz_quiz_architecture_q").value == "fc6_share"
    answer(at, "architecture", "fc6_share", "150")
    assert texts(at.error) == ["150 is outside the possible range 0 … 100."]
    assert not at.metric, "still hidden: no answer was taken"
    answer(at, "architecture", "fc6_share", "most of them")
    assert len(at.error) == 1 and "is not a number" in at.error[0].value and "\n" not in at.error[0].value
    answer(at, "architecture", "fc6_share", "-3")
    assert len(at.error) == 1 and "outside" in at.error[0].value
    answer(at, "architecture", "fc6_share", "70 %")       # within 10 % of 74.27
    assert not at.error and "is within 10% of the answer, 74.27%" in at.success[0].value and len(at.metric) == 6


def test_a_negative_count(root):
    at = open_page(root, "architecture", predict="1")
    answer(at, "architecture", "conv1_1_params", "-1792")
    assert texts(at.error) == ["-1,792 is negative: a count is 0 or more."]


def test_the_toggle_turns_it_on_and_off(root):
    at = open_page(root, "compare")
    at.sidebar.toggle(key="vggviz_predict").set_value(True).run()
    assert at.text_input(key="vggviz_quiz_in_compare_conv_macs_share") is not None and not at.dataframe
    assert dict(at.query_params).get("predict") in ("1", ["1"])
    at.sidebar.toggle(key="vggviz_predict").set_value(False).run()
    assert at.dataframe and not at.text_input


def test_two_students_reach_the_teachers_counts_anonymously(root, fresh_store):
    a = open_page(root, "architecture", predict="1", q="fc6_share")
    b = open_page(root, "architecture", predict="1", q="fc6_share")
    answer(a, "architecture", "fc6_share", "74")       # within 10 %
    answer(b, "architecture", "fc6_share", "20")       # not
    answer(a, "architecture", "fc6_share", "75")       # the same session again: not counted twice
    key = quiz.question("fc6_share", "vgg16").key
    assert fresh_store.values(key) == [20.0, 74.0]
    teacher = open_page(root, "architecture", predict="1", present="1", q="fc6_share")
    shown = " ".join(texts(teacher.markdown))
    assert "**2 answers**: 50 % within 10 % of the truth." in shown
    assert teacher.get("plotly_chart") and not teacher.metric, "the histogram, not the figure, before the reveal"
    assert "74.27" not in shown and not teacher.success, "the answer is not shown before the reveal"
    # Nothing identifies a student: no session token or owner id anywhere in what is kept.
    kept = repr(fresh_store.dump())
    for s in (a, b):
        for k in ("_vggviz_quiz_token", "vggviz_owner"):
            assert s.session_state[k] not in kept
    # The reveal closes the question: the teacher sees the answer and the figure ...
    next(x for x in teacher.button if x.label == "Reveal the answer and the figure").click().run()
    assert "74.27" in teacher.success[0].value and len(teacher.metric) == 6
    # ... and a presenter view opened later shows it revealed
    again = open_page(root, "architecture", predict="1", present="1", q="fc6_share")
    assert "74.27" in again.success[0].value and len(again.metric) == 6
    # ... a student still on the question gets one line, and the answer
    c = open_page(root, "architecture", predict="1", q="fc6_share")
    c.text_input(key="vggviz_quiz_in_architecture_fc6_share").input("50")
    fresh_store.close(key)
    next(x for x in c.button if x.label == "Check my prediction").click().run()
    assert texts(c.error) == ["This question is closed: the teacher has revealed the answer."]
    assert "74.27" in " ".join(texts(c.success)) and len(c.metric) == 6
    assert fresh_store.values(key) == [20.0, 74.0]


def test_an_image_question_follows_the_image(root):
    at = open_page(root, "forward_pass", predict="1", variant="vgg16_mini", sample="shapes star")
    assert at.selectbox(key="vggviz_quiz_forward_pass_q").value == "top1_class"
    radio = at.radio(key="vggviz_quiz_in_forward_pass_top1_class")
    assert len(radio.options) == 5 and not at.get("plotly_chart")
    radio.set_value(radio.options[0])
    next(b for b in at.button if b.label == "Check my prediction").click().run()
    assert not at.exception
    assert (at.success or at.warning) and at.get("plotly_chart"), "the top-5 chart revealed"


@pytest.mark.parametrize("page", quiz.PAGES)
def test_every_question_box_is_in_the_catalogues(root, page, monkeypatch):
    """Each page's predict-first box under the pseudo-locale: the question, the form, and (after
    an answer) the verdict and explanation come from the catalogues."""
    from support import shown_texts, untranslated

    from vggviz import i18n
    from vggviz.data.images import sample_images
    from vggviz.model.variants import VARIANTS

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    allowed = list(sample_images()) + [v.label for v in VARIANTS.values()]
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.query_params.update({"lang": i18n.PSEUDO, "variant": "vgg16_mini", "sample": "shapes star", "predict": "1"})
    at.run()
    with i18n.using(i18n.PSEUDO):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
        box = shown_texts(at, "main")
        assert any("🤔" in t and "⟦" in t for t in box), box
        radios = [r for r in at.radio if r.key and r.key.startswith("vggviz_quiz_in_")]
        if radios:
            radios[0].set_value(radios[0].options[0])
        else:
            next(t for t in at.text_input if t.key.startswith("vggviz_quiz_in_")).input("1")
        next(b for b in at.button if "Check my prediction" in b.label).click().run()
        assert not at.exception, at.exception
    shown = shown_texts(at, "main")
    bad = untranslated(shown, allowed)
    assert not bad, f"{page}: {len(bad)} texts not from the catalogue: {bad[:10]}"
    assert at.success or at.warning


def test_the_presenter_view_is_in_the_catalogues(root, monkeypatch):
    from support import shown_texts, untranslated

    from vggviz import i18n

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    key = quiz.question("conv1_1_params", "vgg16").key
    answers.store().submit(key, "someone", 1700.0)
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.query_params.update({"lang": i18n.PSEUDO, "variant": "vgg16", "predict": "1", "present": "1"})
    at.run()
    with i18n.using(i18n.PSEUDO):
        at.switch_page("pages/architecture.py").run()
    assert not at.exception and at.get("plotly_chart")
    bad = untranslated(shown_texts(at, "main"), [])
    assert not bad, bad[:10]
