"""Predict first: the page's question before its key figure (the Streamlit side of
:mod:`vggviz.lab.quiz`; the class's answers in :mod:`vggviz.serving.answers`).

A page calls :func:`predict_first` once, just above its key figure. With "Predict first" off
(the sidebar's toggle, or ``?predict=1`` in a teacher's link) it does nothing. On, it asks one of
the page's questions and ends the page there (:func:`vggviz.app.flow.end_page`) until the student has
answered; then it shows the answer, whether it was within the tolerance, and the explanation,
and the rest of the page (the figure) follows. In the presenter view the teacher sees instead
how the class answered ("27 answers: 60 % within 10 % of the truth" and a histogram) and reveals
the answer with a button, which closes the question for everyone.
"""

from __future__ import annotations

import uuid

import streamlit as st

from vggviz.app.flow import end_page
from vggviz.app.links import _capitalised, link_param
from vggviz.app.session import keep_choice, selection
from vggviz.i18n import _

__all__ = ["predict_first", "PREDICT_KEY"]

PREDICT_KEY = "vggviz_predict"            # the sidebar's toggle (link: ?predict=1)
_TOKEN = "_vggviz_quiz_token"             # a random id of this browser session, never shown or stored
_DONE = "_vggviz_quiz_done"               # question key → (value, within) of this session's answers
_REVEALED = "_vggviz_quiz_revealed"       # question keys the presenter revealed in this session


def _token() -> str:
    return st.session_state.setdefault(_TOKEN, uuid.uuid4().hex)


def _show_value(q, value) -> str:
    if isinstance(value, str):
        return value
    return f"{value:,.4g}{q.unit}" if not float(value).is_integer() else f"{int(value):,}{q.unit}"


def _reveal(q, mine=None) -> None:
    """The answer, the student's verdict (when they answered) and the explanation."""
    from vggviz.lab.quiz import check

    answer = _show_value(q, q.answer)
    if mine is None:
        st.success(_("**The answer: {answer}.** {explanation}").format(answer=answer, explanation=q.explanation))
        return
    v = check(q, mine)
    if v.within:
        head = _("Your answer {value}: right (the answer is {answer}).") if v.error in (None, 0) else \
            _("Your answer {value} is within {tol}% of the answer, {answer}.")
        st.success(head.format(value=_show_value(q, mine), answer=answer, tol=f"{100 * q.tolerance:g}")
                   + " " + q.explanation, icon="✅")
    else:
        head = _("Your answer {value}; the answer is {answer}.") if v.error is None else \
            _("Your answer {value} is {off}% off; the answer is {answer} (within {tol}% counts).")
        st.warning(head.format(value=_show_value(q, mine), answer=answer, off=f"{v.percent_off or 0:.0f}",
                               tol=f"{100 * q.tolerance:g}") + " " + q.explanation, icon="❌")


def _class_view(q, store) -> None:
    """What the presenter sees before revealing: the class's counts and histogram."""
    from vggviz.serving.answers import StoreError, class_figure, class_sentence, class_summary

    try:
        summary = class_summary(q, store.values(q.key))
    except StoreError as e:
        st.error(str(e))
        return
    st.markdown(class_sentence(q, summary))
    if summary.count:
        st.plotly_chart(class_figure(q, summary), width="stretch", key=f"vggviz_quiz_hist_{q.page}")
    st.button(_("🔄 Refresh the class's answers"), key=f"vggviz_quiz_refresh_{q.page}")


def predict_first(page: str, *, size: int | None = None, analysis=None) -> None:
    """Ask one of ``page``'s questions before the rest of the page, when "Predict first" is on.

    ``size`` (the page's input size) and ``analysis`` (the image pages') are what the answers
    are computed from. Ends the page (the figure stays hidden) until the question is answered,
    or, in the presenter view, revealed."""
    ss = st.session_state
    if not ss.get(PREDICT_KEY):
        return
    from vggviz.lab import quiz
    from vggviz.serving.answers import StoreError, store

    try:
        questions = quiz.for_page(page, selection().variant, size, analysis)
    except ValueError as e:
        st.error(str(e))
        return
    if not questions:
        return
    by_id = {q.id: q for q in questions}
    pick = f"vggviz_quiz_{page}_q"
    link_param("q", pick, options=list(by_id))
    keep_choice(pick, list(by_id), questions[0].id)
    present = bool(ss.get("vggviz_present"))
    done, revealed = ss.setdefault(_DONE, {}), ss.setdefault(_REVEALED, set())
    answers = store()
    with st.container(border=True):
        st.markdown(_("#### 🤔 Predict first"))
        if len(questions) > 1:
            qid = st.selectbox(_("Question"), list(by_id), key=pick, format_func=lambda i: by_id[i].prompt)
        else:
            qid = questions[0].id
        q = by_id[qid]
        st.markdown(f"**{q.prompt}**")
        if present:
            try:
                closed = answers.is_closed(q.key)
            except StoreError:
                closed = False
            if q.key in revealed or closed:      # revealed here, or by another presenter view
                _reveal(q)
                return
            _class_view(q, answers)
            if st.button(_("Reveal the answer and the figure"), key=f"vggviz_quiz_reveal_{page}", type="primary"):
                try:
                    answers.close(q.key)
                except StoreError as e:
                    st.error(str(e))
                revealed.add(q.key)
                _reveal(q)
                return
            end_page()
        if q.key in done:
            _reveal(q, done[q.key])
            return
        try:
            closed = answers.is_closed(q.key)
        except StoreError:
            closed = False
        with st.form(f"vggviz_quiz_form_{page}_{qid}", border=False):
            if q.kind == "choice":
                raw = st.radio(_("Your prediction"), list(q.options), index=None, key=f"vggviz_quiz_in_{page}_{qid}")
            else:
                raw = st.text_input(_("Your prediction (a number{unit})").format(
                    unit=_(", in %") if q.unit == "%" else _(", in millions") if q.unit == "M" else ""),
                    key=f"vggviz_quiz_in_{page}_{qid}")
            sent = st.form_submit_button(_("Check my prediction"), type="primary")
        if sent:
            try:
                value = quiz.parse_answer(q, raw)
                answers.submit(q.key, _token(), q.options.index(value) if q.kind == "choice" else value)
            except quiz.AnswerError as e:
                st.error(_("{reason}.").format(reason=_capitalised(str(e))), icon="⚠️")
            except StoreError as e:
                st.error(_("{reason}.").format(reason=_capitalised(str(e))), icon="⚠️")
                if e.kind == "unreachable":         # not counted, but the student still sees the answer
                    done[q.key] = value
            else:
                done[q.key] = value
            if q.key in done:
                _reveal(q, done[q.key])
                return
        if closed:
            st.info(_("The teacher has revealed this one."))
            _reveal(q)
            return
        st.caption(_("The figure appears once you have answered. Predict first, then check: that is what "
                     "makes a picture teach."))
    end_page()

