import uuid
from dataclasses import replace

import streamlit as st

from vggviz import jobs, ui
from vggviz.train_figures import accuracy_bars, curves, grad_norms, verdict
from vggviz.training import EXPERIMENTS, INITS, Recipe, TrainingError
from vggviz.variants import MINI_VARIANTS, VARIANTS

POLL_S = 1.0
BASE = [v for v in MINI_VARIANTS if "_bn" not in v]
INIT_LABELS = {"default": "Kaiming (torchvision's default)", "gaussian": "N(0, 0.01) (the paper's)",
               "from-a": "from a trained A (the paper's, for B–E)",
               "from-d": "from the trained D (E as a deepened D)"}
STATE_ICON = {"queued": "⏳", "running": "🏃", "done": "✅", "failed": "❌", "cancelled": "🚫"}

sel = ui.selection()
ss = st.session_state
owner = ss.setdefault("vggviz_owner", uuid.uuid4().hex)
pool = jobs.pool()
pool.touch(owner)
groups: list[dict] = ss.setdefault("tr_groups", [])


def _open_target() -> str:
    return "pages/forward_pass.py"


if ss.pop("_tr_open", False):
    st.switch_page(_open_target())

st.title("Train it yourself")
st.markdown(
    "Train the mini VGGs on the shapes data yourself and test the paper's claims: does depth help, "
    "are 3×3 stacks better than one big kernel, why did the authors initialise E from A? "
    "Every run uses the same 6000 training and 1000 held-out images, so runs compare on equal terms."
)
busy = pool.snapshot()
st.caption(
    f"⏱️ **Training budget.** Runs go through one queue for the whole server, {busy['workers']} at a "
    f"time, in arrival order (now: {busy['running']} running, {busy['queued']} waiting). Measured on a "
    "2-core CPU (6000 images, the paper's recipe): one epoch takes 5.7 s for A, 7.7 s for B, 8.8 s for D "
    "and 10.1 s for E, so a four-run experiment of 8 epochs takes about 5 minutes. "
    "Identical runs are shared: if a classmate already started the same run, you watch theirs. "
    f"Device: **{sel.device}**."
)


def _submit(make) -> None:
    try:
        group = make()
    except TrainingError as e:
        ui.show_error(e)
        return
    groups.insert(0, group)


def _group(title: str, pairs, key: str | None = None) -> dict:
    return {"title": title, "key": key, "labels": [label for label, _ in pairs], "ids": [j.id for _, j in pairs]}


tab_exp, tab_custom = st.tabs(["One-click experiments", "Custom run"])
with tab_exp:
    key = st.radio("Experiment", list(EXPERIMENTS), format_func=lambda k: EXPERIMENTS[k].title,
                   key="tr_exp", horizontal=True)
    exp = EXPERIMENTS[key]
    st.markdown(f"**{exp.question}**")
    st.info(f"📄 {exp.paper}")
    st.caption("Arms: " + " · ".join(f"{a.label} (`{a.variant}`, {a.init} init)" for a in exp.arms))
    c1, c2 = st.columns(2)
    ex_epochs = c1.number_input("Epochs", 1, 30, exp.epochs, key=f"tr_exp_epochs_{key}")
    ex_images = c2.select_slider("Training images per epoch", [256, 1000, 2000, 6000], value=6000,
                                 key="tr_exp_images", help="Fewer images: quicker, less accurate runs.")
    if st.button("▶️ Run this experiment", key="tr_exp_run", type="primary"):
        recipe = Recipe(epochs=int(ex_epochs), train_size=int(ex_images))
        _submit(lambda: _group(exp.title, [(a.label, j) for a, j in
                                           jobs.submit_experiment(key, owner, recipe, sel.device)], key))

with tab_custom:
    paper = Recipe()
    st.caption(f"The paper's recipe is the default: SGD, momentum {paper.momentum}, weight decay "
               f"{paper.weight_decay:g}, dropout {paper.dropout} on fc6/fc7, learning rate {paper.lr:g} divided "
               f"by 10 when held-out accuracy stops improving, batch {paper.batch_size}.")
    variants = st.multiselect("Configurations (one run each)", BASE, default=["vgg11_mini"], key="tr_variants",
                              format_func=lambda v: VARIANTS[v].label)
    c1, c2, c3 = st.columns(3)
    bn = c1.checkbox("Batch norm (the _bn variants; came after the paper)", key="tr_bn")
    jitter = c1.checkbox("Scale jittering (the paper's S ∈ [256, 512], here 64–96 px)", key="tr_jitter")
    init = c2.selectbox("Initialisation", INITS, format_func=INIT_LABELS.get, key="tr_init")
    epochs = c2.number_input("Epochs", 1, 30, paper.epochs, key="tr_epochs")
    lr = c3.number_input("Learning rate", 0.0001, 1.0, paper.lr, format="%.4f", key="tr_lr")
    seed = c3.number_input("Seed", 0, 2**31 - 1, paper.seed, key="tr_seed")
    c1, c2 = st.columns(2)
    train_size = c1.number_input("Training images per epoch", 128, 6000, paper.train_size, step=128,
                                 key="tr_train_size")
    val_size = c2.number_input("Held-out images", 50, 1000, paper.val_size, step=50, key="tr_val_size")

    def _custom():
        if not variants:
            raise TrainingError("pick at least one configuration")
        names = []
        for v in variants:
            name = v.replace("_mini", "_bn_mini") if bn else v
            if name not in VARIANTS:
                raise TrainingError(f"{VARIANTS[v].label} has no batch-norm version; untick batch norm or drop it")
            names.append(name)
        recipe = Recipe(epochs=int(epochs), lr=float(lr), seed=int(seed), init=init, scale_jitter=jitter,
                        train_size=int(train_size), val_size=int(val_size),
                        batch_size=min(Recipe.batch_size, int(train_size)))
        made = jobs.submit_all(jobs.pool(), owner, [(n, recipe, sel.device, "") for n in names])
        pairs = [(VARIANTS[n].label, j) for n, j in zip(names, made)]
        return _group("Custom: " + ", ".join(VARIANTS[n].label for n in names), pairs)

    if st.button("▶️ Train", key="tr_train", type="primary"):
        _submit(_custom)


# --------------------------------------------------------------------------- the runs

def _withdraw(job_id: str) -> None:
    job = pool.get(job_id)
    if job is not None:
        pool.withdraw(job, owner)


def _open(job_id: str) -> None:
    job = pool.get(job_id)
    if job is None or job.result is None:
        ss["_tr_open_error"] = "that trained model is no longer in memory; train it again"
        return
    ss["vggviz_variant"] = job.variant
    ss["vggviz_weights"] = job.register()
    ss["_tr_open"] = True


def _forget(index: int) -> None:
    group = groups.pop(index)
    for job_id in group["ids"]:
        _withdraw(job_id)


def _job_row(gi: int, label: str, job) -> None:
    icon = STATE_ICON[job.state]
    if job.state == "queued":
        st.markdown(f"{icon} **{label}**: waiting, place **{pool.place(job)}** in the queue")
    elif job.state == "running":
        p = job.progress
        text = (f"{label}: epoch {p.epoch}/{p.epochs}, batch {p.batch}/{p.batches}, loss {p.loss:.3f}"
                if p else f"{label}: starting")
        st.progress(job.fraction, text=f"{icon} {text}")
    elif job.state == "done":
        res = job.result
        st.markdown(f"{icon} **{label}**: {100 * res.val_accuracy:.1f} % held-out accuracy "
                    f"(best epoch: {res.best_epoch} of {len(res.epochs)}; its weights are kept)")
        m1, m2, m3, b1, b2 = st.columns([1, 1, 1, 1.4, 1.2])
        m1.metric("Held-out accuracy", f"{100 * res.val_accuracy:.1f} %",
                  help="Of the kept weights (the epoch with the best held-out accuracy) on 1000 images never trained on")
        m2.metric("Training time", f"{res.seconds:.1f} s")
        m3.metric("Parameters", f"{res.params:,}")
        b1.button("🔎 Open in the other pages", key=f"tr_open_{gi}_{job.id}", on_click=_open, args=(job.id,),
                  help="Selects this model (variant and weights trained:ID) in the sidebar for every page.")
        b2.download_button("⬇️ .pth", job.checkpoint(), file_name=f"{job.variant}-{job.id}.pth",
                           mime="application/octet-stream", key=f"tr_dl_{gi}_{job.id}", on_click="ignore")
    elif job.state == "failed":
        st.error(f"{label}: {job.error}")
    else:
        st.markdown(f"{icon} **{label}**: {job.error or 'cancelled'}")
    if job.live:
        st.button("✖ Cancel", key=f"tr_cancel_{gi}_{job.id}", on_click=_withdraw, args=(job.id,),
                  help="Stop watching this run; it stops when nobody else watches it.")


def _render_group(gi: int, group: dict) -> None:
    found = [(label, pool.get(i)) for label, i in zip(group["labels"], group["ids"])]
    with st.container(border=True):
        head, forget = st.columns([5, 1])
        head.subheader(group["title"])
        forget.button("Remove", key=f"tr_forget_{gi}_{group['ids'][0]}", on_click=_forget, args=(gi,),
                      help="Remove these runs from your list (cancels any still waiting).")
        for label, job in found:
            if job is None:
                st.caption(f"{label}: no longer in memory (the server keeps the last runs only)")
            else:
                _job_row(gi, label, job)
        runs = [(label, job.records) for label, job in found if job is not None and job.records]
        if runs:
            st.plotly_chart(curves(runs), width="stretch", key=f"tr_curves_{gi}_{group['ids'][0]}")
        finished = [(label, job) for label, job in found if job is not None and not job.live]
        if len(finished) == len(found) and found:
            rows = [(label, job.result.val_accuracy if job and job.result else None) for label, job in found]
            if group["key"]:
                left, right = st.columns(2)
                left.markdown("**The paper**")
                left.info(EXPERIMENTS[group["key"]].paper)
                right.markdown("**Measured here, on shapes**")
                right.success(verdict(group["key"], rows))
            if len(rows) > 1:
                st.plotly_chart(accuracy_bars(rows), width="stretch", key=f"tr_bars_{gi}_{group['ids'][0]}")
            done = [(label, job) for label, job in finished if job.result is not None and job.result.grad_norms]
            if done:
                with st.expander("Gradient norm per layer over the first steps"):
                    pick = st.selectbox("Run", range(len(done)), format_func=lambda i: done[i][0],
                                        key=f"tr_grad_{gi}_{group['ids'][0]}")
                    st.plotly_chart(grad_norms(done[pick][1].result.grad_norms), width="stretch",
                                    key=f"tr_gradfig_{gi}_{group['ids'][0]}")
                    st.caption("Each line is one training step; a network whose early layers get "
                               "gradients thousands of times smaller than the last ones learns slowly there.")


def _any_live() -> bool:
    return any(job is not None and job.live for g in groups for job in map(pool.get, g["ids"]))


def _render_all() -> None:
    if ss.pop("_tr_open", False):
        st.switch_page(_open_target())
    if ss.get("_tr_open_error"):
        st.error(ss.pop("_tr_open_error"))
    for gi, group in enumerate(groups):
        _render_group(gi, group)


@st.fragment(run_every=POLL_S)
def _live() -> None:
    pool.touch(owner)
    _render_all()
    if not _any_live():
        st.rerun()          # all finished: one full run draws the results without polling


st.divider()
st.header("Your runs")
if not groups:
    st.caption("Nothing yet: start an experiment or a custom run above.")
elif _any_live():
    _live()
else:
    _render_all()
