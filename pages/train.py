import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.figures.train import (
    ARM_COLUMNS,
    COMPARISON_COLUMNS,
    accuracy_bars,
    arm_rows,
    comparison_rows,
    curves,
    differences,
    experiment_curves,
    grad_norms,
    verdict_sentence,
)
from vggviz.i18n import N_, _
from vggviz.lab.experiments import BUDGET, EXPERIMENTS, budget_of, reference
from vggviz.lab.training import INITS, Recipe, TrainingError, localise_error
from vggviz.model.variants import MINI_VARIANTS, VARIANTS
from vggviz.serving import jobs

ui.page_guard()

POLL_S = 1.0
BASE = [v for v in MINI_VARIANTS if "_bn" not in v]
INIT_LABELS = {"he": N_("He / Kaiming (torchvision's default)"), "glorot": N_("Glorot (Xavier)"),
               "gaussian": N_("N(0, 0.01) (the paper's)"),
               "from-a": N_("from a trained A (the paper's, for B–E)"),
               "from-d": N_("from the trained D (E as a deepened D)")}
NO_LONGER_IN_MEMORY = N_("that trained model is no longer in memory; train it again")
STATE_ICON = {"queued": "⏳", "running": "🏃", "done": "✅", "failed": "❌", "cancelled": "🚫"}

sel = ui.selection()
ss = st.session_state
owner = ui.session_owner()
pool = jobs.pool()
pool.touch(owner)
groups: list[dict] = ss.setdefault("tr_groups", [])
# The runs this tab follows are in its link (?runs=): after a server restart the tab comes back
# with ids the new server never had, and says so instead of showing nothing.
ui.link_param("runs", "tr_runs", to_url=lambda v: v or None)
lost = [i for i in (ss.get("tr_runs") or "").split(",") if i and pool.get(i) is None
        and not any(i in g["ids"] for g in groups)]


def _open_target() -> str:
    return "pages/forward_pass.py"


if ss.pop("_tr_open", False):
    st.switch_page(_open_target())

st.title(_("Train it yourself"))
st.markdown(_(
    "Train the mini VGGs on the shapes data yourself and test the paper's claims: does depth help, "
    "are 3×3 stacks better than one big kernel, why did the authors initialise their deeper "
    "nets from A? Each "
    "experiment below shows its reference result at once (every arm trained over several seeds on "
    "the same data and budget); run it live to add your class's own seed beside it."
))
ui.predict_first("train")
busy = pool.snapshot()
st.caption(_(
    "⏱️ **Training budget.** Runs go through one queue for the whole server, {workers} at a "
    "time, in arrival order (now: {running} running, {queued} waiting). Identical runs are shared: "
    "if a classmate already started the same run, you watch theirs. Device: **{device}**."
).format(workers=busy["workers"], running=busy["running"], queued=busy["queued"], device=sel.device))


def _submit(make) -> None:
    try:
        group = make()
    except TrainingError as e:
        ui.show_error(e)
        return
    groups.insert(0, group)


def _group(title: str, pairs, key: str | None = None, seed: int | None = None) -> dict:
    """A list of runs as the session keeps it: data in English (an experiment's key, or the
    custom runs' names as ``title``), translated where it is shown."""
    return {"title": title, "key": key, "seed": seed, "labels": [label for label, _job in pairs],
            "ids": [j.id for _label, j in pairs]}


def _group_title(group: dict) -> str:
    if group["key"] in EXPERIMENTS:
        return _("{experiment}, your seed {seed}").format(experiment=_(EXPERIMENTS[group["key"]].title),
                                                        seed=group.get("seed"))
    return _("Custom: {runs}").format(runs=group["title"])


def _table(rows: list[dict], columns, key: str) -> None:
    """Rows with English keys shown under translated column names."""
    shown = [c for c in columns if rows and c in rows[0]]
    st.dataframe([{_(c): r[c] for c in shown} for r in rows], hide_index=True, width="stretch", key=key)


def _reference(key: str) -> None:
    """An experiment's shipped reference result, drawn at once: verdicts, differences, curves, tables."""
    exp, ref = EXPERIMENTS[key], reference(key)
    if ref is None:
        st.warning(_("No reference result ships for this experiment (assets/experiments/{key}.json is "
                     "missing); run it live, or regenerate them all with `bash assets/experiments/make.sh`.").format(
            key=key))
        return
    b = ref["budget"]
    st.caption(_("Reference: {n} seeds per arm (seeds {first}–{last}, paired: seed s of every arm sees the same "
                 "batches in the same order), each arm {steps} steps of {batch} images ({epochs} epochs of "
                 "{train} training images), learning rate warmed up to {lr} then annealed to zero; final accuracy "
                 "on {val} held-out images. Measured on a CPU ({threads} torch thread per run).").format(
        n=len(ref["seeds"]), first=ref["seeds"][0], last=ref["seeds"][-1], steps=b["steps"], batch=b["batch_size"],
        epochs=b["epochs"], train=f"{b['train_size']:,}", lr=b["lr"], val=f"{b['val_size']:,}", threads=ref["threads"]))
    st.markdown(_("**Verdicts** (from the 95 % interval of the paired difference, better − worse, where "
                  "*better* is the arm the paper found better):"))
    for c in ref["comparisons"]:
        st.markdown("- " + verdict_sentence(ref, c))
    if any(c["verdict"] != "reproduced" for c in ref["comparisons"]):
        st.info("📚 " + _("**What it takes for these effects to show, says the literature:** {needs}").format(
            needs=_(exp.needs)))
    left, right = st.columns(2)
    left.plotly_chart(experiment_curves(ref), width="stretch", key=f"tr_ref_curves_{key}")
    right.plotly_chart(differences(ref), width="stretch", key=f"tr_ref_diffs_{key}")
    _table(arm_rows(ref), ARM_COLUMNS, key=f"tr_ref_arms_{key}")
    _table(comparison_rows(ref), COMPARISON_COLUMNS, key=f"tr_ref_cmp_{key}")


tab_exp, tab_custom = st.tabs([_("Experiments"), _("Custom run")])
with tab_exp:
    key = st.radio(_("Experiment"), list(EXPERIMENTS), format_func=lambda k: _(EXPERIMENTS[k].title),
                   key="tr_exp", horizontal=True)
    exp = EXPERIMENTS[key]
    st.markdown(f"**{_(exp.question)}**")
    _reference(key)
    ref = reference(key)
    with st.container(border=True):
        st.markdown(_("**Run it live**: one seed of every arm ({n} runs) on the same budget, drawn beside the "
                      "reference when it is done. Seeds {first}–{last} are the reference's own (on a CPU like the one "
                      "that made it they repeat it exactly); any other seed is new.").format(n=len(exp.arms), first=ref["seeds"][0] if ref else 0,
                                                   last=ref["seeds"][-1] if ref else 0))
        c1, c2 = st.columns([1, 2])
        live_seed = c1.number_input(_("Your seed"), 0, 2**31 - 1, len(ref["seeds"]) if ref else 0, key="tr_live_seed")
        if c2.button(_("▶️ Run it live"), key="tr_exp_run", type="primary"):
            budget = budget_of(ref) if ref else BUDGET        # the reference's own budget: comparable seeds
            _submit(lambda: _group(exp.title, [(a.label, j) for a, j in
                                               jobs.submit_experiment(key, owner, int(live_seed), sel.device,
                                                                      budget=budget)],
                                   key, int(live_seed)))

with tab_custom:
    paper = Recipe()
    st.caption(_("The lab's recipe is the default: SGD, momentum {momentum}, weight decay {weight_decay:g}, "
                 "batch {batch}, batch norm and He initialisation, no dropout (the paper's 0.5 on fc6/fc7 keeps "
                 "these 256-wide layers from learning within the lab's budget); the learning rate warms up to "
                 "{lr:g} over the first {warmup} % of the steps, then falls to zero on a half cosine, so "
                 "every run ends annealed.").format(
        momentum=paper.momentum, weight_decay=paper.weight_decay, lr=paper.lr,
        batch=paper.batch_size, warmup=round(100 * paper.warmup)))
    variants = st.multiselect(_("Configurations (one run each)"), BASE, default=["vgg11_mini"], key="tr_variants",
                              format_func=lambda v: VARIANTS[v].label)
    c1, c2, c3 = st.columns(3)
    bn = c1.checkbox(_("Batch norm (came after the paper)"), value=paper.bn, key="tr_bn")
    jitter = c1.checkbox(_("Scale jittering (the paper's S ∈ [256, 512], here 64–96 px)"), key="tr_jitter")
    init = c2.selectbox(_("Initialisation"), INITS, format_func=lambda k: _(INIT_LABELS[k]), key="tr_init")
    epochs = c2.number_input(_("Epochs"), 1, 30, paper.epochs, key="tr_epochs")
    lr = c3.number_input(_("Peak learning rate"), 0.0001, 1.0, paper.lr, format="%.4f", key="tr_lr")
    seed = c3.number_input(_("Seed"), 0, 2**31 - 1, paper.seed, key="tr_seed")
    c1, c2 = st.columns(2)
    train_size = c1.number_input(_("Training images per epoch"), 128, 6000, paper.train_size, step=128,
                                 key="tr_train_size")
    val_size = c2.number_input(_("Held-out images"), 50, 5000, paper.val_size, step=50, key="tr_val_size")

    def _custom():
        if not variants:
            raise TrainingError(_("pick at least one configuration"))
        recipe = Recipe(epochs=int(epochs), lr=float(lr), seed=int(seed), init=init, bn=bool(bn),
                        scale_jitter=jitter, train_size=int(train_size), val_size=int(val_size),
                        batch_size=min(Recipe.batch_size, int(train_size)))
        made = jobs.submit_all(jobs.pool(), owner, [(v, recipe, sel.device, "") for v in variants])
        pairs = [(VARIANTS[v].label, j) for v, j in zip(variants, made)]
        return _group(", ".join(VARIANTS[v].label for v in variants), pairs)

    if st.button(_("▶️ Train"), key="tr_train", type="primary"):
        _submit(_custom)


# --------------------------------------------------------------------------- the runs

def _withdraw(job_id: str) -> None:
    job = pool.get(job_id)
    if job is not None:
        pool.withdraw(job, owner)


def _open(job_id: str) -> None:
    job = pool.get(job_id)
    if job is None or job.result is None:
        ss["_tr_open_error"] = NO_LONGER_IN_MEMORY      # English: translated where it is shown
        return
    ss["vggviz_variant"] = job.result.variant
    ss["vggviz_weights"] = job.register()
    ss["_tr_open"] = True


def _forget(index: int) -> None:
    group = groups.pop(index)
    for job_id in group["ids"]:
        _withdraw(job_id)


def _job_row(gi: int, label: str, job) -> None:
    icon = STATE_ICON[job.state]
    if job.state == "queued":
        st.markdown(f"{icon} " + _("**{run}**: waiting, place **{place}** in the queue").format(
            run=label, place=pool.place(job)))
    elif job.state == "running":
        p = job.progress
        text = (_("{run}: epoch {epoch}/{epochs}, batch {batch}/{batches}, loss {loss:.3f}").format(
                    run=label, epoch=p.epoch, epochs=p.epochs, batch=p.batch, batches=p.batches, loss=p.loss)
                if p else _("{run}: starting").format(run=label))
        st.progress(job.fraction, text=f"{icon} {text}")
    elif job.state == "done":
        res = job.result
        st.markdown(f"{icon} " + _("**{run}**: {accuracy:.1f} % held-out accuracy after {epochs} epochs "
                                   "(the final, annealed weights are kept)").format(
            run=label, accuracy=100 * res.final_accuracy, epochs=len(res.epochs)))
        m1, m2, m3, b1, b2 = st.columns([1, 1, 1, 1.4, 1.2])
        m1.metric(_("Held-out accuracy"), f"{100 * res.final_accuracy:.1f} %",
                  help=_("Of the final weights, on {n} images never trained on").format(n=res.recipe.val_size))
        m2.metric(_("Training time"), f"{res.seconds:.1f} s")
        m3.metric(_("Parameters"), f"{res.params:,}")
        if res.variant in VARIANTS:         # a configuration built with batch norm but not registered: no page shows it
            b1.button(_("🔎 Open in the other pages"), key=f"tr_open_{gi}_{job.id}", on_click=_open, args=(job.id,),
                      help=_("Selects this model (variant and weights trained:ID) in the sidebar for every page."))
        b2.download_button("⬇️ .pth", job.checkpoint(), file_name=f"{res.variant}-{job.id}.pth",
                           mime="application/octet-stream", key=f"tr_dl_{gi}_{job.id}", on_click="ignore")
    elif job.state == "failed":
        st.error(f"{label}: {localise_error(job.error)}")      # made in English by the worker
    else:
        st.markdown(f"{icon} **{label}**: " + (localise_error(job.error) if job.error else _("cancelled")))
    if job.live:
        st.button(_("✖ Cancel"), key=f"tr_cancel_{gi}_{job.id}", on_click=_withdraw, args=(job.id,),
                  help=_("Stop watching this run; it stops when nobody else watches it."))


def _live_experiment(group: dict, found) -> None:
    """A live seed of an experiment drawn over its reference: the curves so far and, once every
    arm is done, the seed's final accuracies in the arms' table."""
    english = dict(zip(group["ids"], group["labels"]))
    live = {english[job.id]: [100 * r.val_accuracy for r in job.records] for _l, job in found if job is not None}
    final = {english[job.id]: 100 * job.result.final_accuracy for _l, job in found
             if job is not None and job.result is not None}
    ref = reference(group["key"])
    if ref is None:
        runs = [(label, job.records) for label, job in found if job is not None and job.records]
        if runs:
            st.plotly_chart(curves(runs), width="stretch", key=f"tr_curves_live_{group['ids'][0]}")
        return
    st.plotly_chart(experiment_curves(ref, live, group.get("seed")), width="stretch",
                    key=f"tr_live_curves_{group['ids'][0]}")
    _table(arm_rows(ref, final), ARM_COLUMNS, key=f"tr_live_arms_{group['ids'][0]}")
    if ref["seeds"] and group.get("seed") in ref["seeds"] and final:
        i = ref["seeds"].index(group["seed"])
        same = [a["label"] for a in ref["arms"] if a["label"] in final
                and abs(final[a["label"]] - a["seeds"][i]["final_accuracy"]) < 1e-6]
        st.caption(_("Seed {seed} is one of the reference's: {same} of {n} finished arms repeated the reference's "
                     "accuracy exactly.").format(seed=group["seed"], same=len(same), n=len(final)))


def _render_group(gi: int, group: dict) -> None:
    found = [(_(label), pool.get(i)) for label, i in zip(group["labels"], group["ids"])]
    with st.container(border=True):
        head, forget = st.columns([5, 1])
        head.subheader(_group_title(group))
        forget.button(_("Remove"), key=f"tr_forget_{gi}_{group['ids'][0]}", on_click=_forget, args=(gi,),
                      help=_("Remove these runs from your list (cancels any still waiting)."))
        for label, job in found:
            if job is None:
                st.caption(_("{run}: no longer in memory (the server keeps the last runs only)").format(run=label))
            else:
                _job_row(gi, label, job)
        if group["key"] in EXPERIMENTS:
            _live_experiment(group, found)
        else:
            runs = [(label, job.records) for label, job in found if job is not None and job.records]
            if runs:
                st.plotly_chart(curves(runs), width="stretch", key=f"tr_curves_{gi}_{group['ids'][0]}")
        finished = [(label, job) for label, job in found if job is not None and not job.live]
        if len(finished) == len(found) and found:
            rows = [(label, job.result.final_accuracy if job and job.result else None) for label, job in found]
            if len(rows) > 1 and not group["key"]:
                st.plotly_chart(accuracy_bars(rows), width="stretch", key=f"tr_bars_{gi}_{group['ids'][0]}")
            done = [(label, job) for label, job in finished if job.result is not None and job.result.grad_norms]
            if done:
                with st.expander(_("Gradient norm per layer over the first steps")):
                    pick = st.selectbox(_("Run"), range(len(done)), format_func=lambda i: done[i][0],
                                        key=f"tr_grad_{gi}_{group['ids'][0]}")
                    st.plotly_chart(grad_norms(done[pick][1].result.grad_norms), width="stretch",
                                    key=f"tr_gradfig_{gi}_{group['ids'][0]}")
                    st.caption(_("Each line is one training step; a network whose early layers get "
                                 "gradients thousands of times smaller than the last ones learns slowly there."))


def _any_live() -> bool:
    return any(job is not None and job.live for g in groups for job in map(pool.get, g["ids"]))


def _render_all() -> None:
    if ss.pop("_tr_open", False):
        st.switch_page(_open_target())
    if ss.get("_tr_open_error"):
        st.error(_(ss.pop("_tr_open_error")))
    for gi, group in enumerate(groups):
        _render_group(gi, group)


@st.fragment(run_every=POLL_S)
def _live() -> None:
    pool.touch(owner)
    _render_all()
    if not _any_live():
        st.rerun()          # all finished: one full run draws the results without polling


st.divider()
st.header(_("Your runs"))
if lost:
    st.warning(_("⚠️ The training run this page was following is gone: the server was restarted, and runs "
                 "live only in its memory. Start it again above.") if len(lost) == 1 else
               _("⚠️ The {n} training runs this page was following are gone: the server was restarted, and "
                 "runs live only in its memory. Start them again above.").format(n=len(lost)))
ss["tr_runs"] = ",".join(j for g in groups for j in g["ids"] if (job := pool.get(j)) is not None and job.live)
if not groups:
    st.caption(_("Nothing yet: start an experiment or a custom run above."))
elif _any_live():
    _live()
else:
    _render_all()
