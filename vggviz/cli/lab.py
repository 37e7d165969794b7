"""The lab's commands: ``train`` (a mini variant on shapes), ``experiment`` (every arm of one
of the shapes lab's experiments), ``quiz`` (the predict-first questions that need no image) and
``transfer`` (new classes on a frozen VGG)."""

from __future__ import annotations

import sys
from pathlib import Path

from vggviz.cli.common import DEVICES, UsageError, positive, print_json

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``train``, ``experiment``, ``quiz``, ``transfer`` to the subparsers ``sub``."""
    t = sub.add_parser("train", help="train a mini variant on generated shapes (the paper's recipe)")
    t.add_argument("variant", help="a mini variant: vgg11_mini, vgg13_mini, vgg16_mini, vgg19_mini, …")
    t.add_argument("--epochs", type=positive("epochs"), default=None, help="default: the recipe's")
    t.add_argument("--init", default="random", choices=["random", "gaussian", "from-a", "from-d"],
                   help="random: torchvision's (Kaiming) init; gaussian: the paper's N(0, 0.01); "
                        "from-a: gaussian, then conv1_1, conv2_1, conv3_1, conv3_2, fc6–fc8 from the trained A; "
                        "from-d: every layer of the trained D copied, the rest random (E as a deepened D)")
    t.add_argument("--bn", action="store_true", help="the variant with batch normalisation")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lr", type=float, default=None)
    t.add_argument("--batch-size", type=positive("batch size"), default=None)
    t.add_argument("--train-size", type=positive("train size"), default=None)
    t.add_argument("--jitter", action="store_true", help="scale jittering (the paper's multi-scale training)")
    t.add_argument("--max-batches", type=positive("max batches"), default=None, help="per epoch (quick runs)")
    t.add_argument("--device", default="auto", choices=DEVICES)
    t.add_argument("--out", default=None, help="write the trained checkpoint (.pth) here")
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=_train)

    e = sub.add_parser("experiment", help="run one of the shapes lab's experiments (every arm, in turn)")
    e.add_argument("key", help="depth | kernel | init | c_lrn")
    e.add_argument("--epochs", type=positive("epochs"), default=None, help="default: the experiment's")
    e.add_argument("--train-size", type=positive("train size"), default=None)
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--max-batches", type=positive("max batches"), default=None, help="per epoch (quick runs)")
    e.add_argument("--device", default="auto", choices=DEVICES)
    e.add_argument("--json", action="store_true")
    e.set_defaults(run=_experiment)

    q = sub.add_parser("quiz", help="the predict-first questions that need no image, answers computed")
    q.add_argument("--variant", default="vgg16")
    q.add_argument("--size", type=positive("size"), default=None,
                   help="input size in pixels (default: the variant's own, 224 or 64)")
    q.add_argument("--lang", default="en", help="en | zh: the language of prompts and explanations")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run=_quiz)

    tr = sub.add_parser("transfer", help="teach a frozen VGG new classes: a new last layer on its features")
    tr.add_argument("--variant", default="vgg16")
    tr.add_argument("--weights", default=None, help="imagenet | shapes | random | PATH.pth")
    tr.add_argument("--device", default="auto", choices=DEVICES)
    tr.add_argument("--class", dest="classes", action="append", default=[], metavar="NAME=IMG1,IMG2,...",
                    help="a class and its images (repeat for each class: at least 2, at most 5)")
    tr.add_argument("--layer", default="fc7", help="pool5 | fc6 | fc7 (default fc7)")
    tr.add_argument("--predict", required=True, help="the image to classify into the new classes")
    tr.add_argument("--finetune", action="store_true",
                    help="also fine-tune the last conv block (conv5_x) with the head, on a private copy")
    tr.add_argument("--epochs", type=positive("epochs"), default=None, help="fine-tuning epochs (default 10, at most 30)")
    tr.add_argument("--time-limit", type=float, default=None, help="fine-tuning time bound in seconds (default 60, at most 120)")
    tr.add_argument("--save", default=None, metavar="PATH.pth",
                    help="write the whole network with the new classes in fc8's place (fc7 only; opens with --weights)")
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(run=_transfer)


def _train(a) -> None:
    import dataclasses

    import torch

    from vggviz.lab.training import Recipe, checkpoint, train
    from vggviz.model.variants import VARIANTS, variant_info
    from vggviz.model.weights import resolve_device

    info = variant_info(a.variant)
    variant = info.name
    if a.bn and not info.batch_norm:
        bn = variant.replace("_mini", "_bn_mini")
        if bn not in VARIANTS:
            raise UsageError(f"{variant} has no batch-norm version; drop --bn")
        variant = bn
    recipe = Recipe(init={"random": "default"}.get(a.init, a.init), seed=a.seed, scale_jitter=a.jitter,
                    max_batches=a.max_batches)
    changes = {k: v for k, v in (("epochs", a.epochs), ("lr", a.lr), ("batch_size", a.batch_size),
                                 ("train_size", a.train_size)) if v is not None}
    recipe = dataclasses.replace(recipe, **changes).check()
    device = resolve_device(a.device)

    def progress(p) -> None:
        if p.batch == p.batches and p.records and p.records[-1].epoch == p.epoch:
            r = p.records[-1]
            sys.stderr.write(f"{variant} epoch {r.epoch}/{p.epochs}: loss {r.train_loss:.4f}, held-out "
                             f"accuracy {100 * r.val_accuracy:.1f}% ({r.seconds:.1f} s)\n")
            sys.stderr.flush()

    res = train(variant, recipe, device, on_progress=progress)
    if a.out:
        torch.save(checkpoint(res), a.out)
    if a.json:
        print_json(res.to_json())
    else:
        print(f"{variant}: {res.params:,} parameters, {len(res.epochs)} epochs in {res.seconds:.1f} s on "
              f"{device}, held-out accuracy {100 * res.val_accuracy:.1f}%" + (f" → {a.out}" if a.out else ""))


def _experiment(a) -> None:
    import dataclasses

    from vggviz.figures.train import verdict
    from vggviz.lab.training import EXPERIMENTS, Recipe, TrainingError, train
    from vggviz.model.weights import resolve_device

    if a.key not in EXPERIMENTS:
        raise UsageError(f"unknown experiment {a.key!r}; choose one of: {', '.join(EXPERIMENTS)}")
    exp = EXPERIMENTS[a.key]
    device = resolve_device(a.device)
    base = Recipe(epochs=a.epochs or exp.epochs, seed=a.seed, max_batches=a.max_batches)
    if a.train_size:
        base = dataclasses.replace(base, train_size=a.train_size)
    arms = []
    for arm in exp.arms:
        sys.stderr.write(f"{arm.label} ({arm.variant}, {arm.init} init)…\n")
        try:
            res = train(arm.variant, dataclasses.replace(base, init=arm.init).check(), device)
            arms.append({"label": arm.label, "variant": arm.variant, "init": arm.init, "params": res.params,
                         "val_accuracy": round(res.val_accuracy, 4), "best_epoch": res.best_epoch,
                         "final_accuracy": round(res.epochs[-1].val_accuracy, 4),
                         "seconds": round(res.seconds, 1), "epoch_seconds": round(res.seconds / len(res.epochs), 2),
                         "first_step_grad_conv1_1": res.grad_norms[0].get("conv1_1") if res.grad_norms else None})
        except TrainingError as err:
            arms.append({"label": arm.label, "variant": arm.variant, "init": arm.init, "error": str(err)})
    said = verdict(a.key, [(r["label"], r.get("val_accuracy")) for r in arms])
    out = {"experiment": a.key, "title": exp.title, "paper": exp.paper, "device": str(device),
           "recipe": base.to_json(), "arms": arms, "verdict": said}
    if a.json:
        print_json(out)
    else:
        print(f"{exp.title} ({base.epochs} epochs, {base.train_size} images, {device})")
        for r in arms:
            if "error" in r:
                print(f"  {r['label']:<28} failed: {r['error']}")
            else:
                print(f"  {r['label']:<28} {100 * r['val_accuracy']:5.1f}%  {r['params']:>9,} params  {r['seconds']:6.1f} s")
        print(said)


def _transfer(a) -> None:
    from vggviz.data.images import load_image_file
    from vggviz.lab import transfer
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import load_model

    variant_info(a.variant)
    if a.layer not in transfer.FEATURE_LAYERS:
        raise UsageError(f"unknown feature layer {a.layer!r}; choose one of: {', '.join(transfer.FEATURE_LAYERS)}")
    named: dict[str, list[str]] = {}
    for spec in a.classes:
        name, sep, files = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--class wants NAME=IMG1,IMG2,..., got {spec!r}")
        if name in named:
            raise UsageError(f"class {name!r} is given twice")
        named[name] = [f for f in files.split(",") if f.strip()]
        if not named[name]:
            raise UsageError(f"class {name!r} has no images")
        if len(named[name]) > transfer.MAX_PER_CLASS:
            raise UsageError(f"class {name!r} has {len(named[name])} images; at most {transfer.MAX_PER_CLASS}")
    if not transfer.MIN_CLASSES <= len(named) <= transfer.MAX_CLASSES:
        raise UsageError(f"give {transfer.MIN_CLASSES} to {transfer.MAX_CLASSES} classes with --class NAME=IMG,...; "
                         f"got {len(named)}")
    if not a.finetune and (a.epochs is not None or a.time_limit is not None):
        raise UsageError("--epochs and --time-limit go with --finetune")
    epochs = transfer.FINETUNE_EPOCHS if a.epochs is None else a.epochs
    limit = transfer.FINETUNE_SECONDS if a.time_limit is None else a.time_limit
    if a.finetune and not 1 <= epochs <= transfer.FINETUNE_MAX_EPOCHS:
        raise UsageError(f"--epochs must be 1 to {transfer.FINETUNE_MAX_EPOCHS}")
    if a.finetune and not 0 < limit <= transfer.FINETUNE_MAX_SECONDS:
        raise UsageError(f"--time-limit must be more than 0 and at most {transfer.FINETUNE_MAX_SECONDS:.0f}")
    if a.save and a.layer != "fc7":
        raise UsageError("--save needs --layer fc7 (a pool5 or fc6 layer does not fit in VGG's fc8)")
    images = {c: [load_image_file(f) for f in fs] for c, fs in named.items()}
    target = load_image_file(a.predict)
    loaded = load_model(a.variant, a.weights, a.device)
    if loaded.note:
        sys.stderr.write(f"warning: {loaded.note}\n")
    tuned = None
    if a.finetune:
        tuned = transfer.finetune(loaded, images, a.layer, epochs=epochs, seconds=limit)
        head = tuned.head
        probs = transfer.finetuned_predict(loaded, tuned, [target])[0]
    else:
        feats = {c: transfer.features(loaded, ims)[a.layer] for c, ims in images.items()}
        head = transfer.fit(loaded, feats, a.layer)
        probs = transfer.predict(head, transfer.features(loaded, [target]))[0]
    if a.save:
        data = tuned.checkpoint(loaded) if tuned is not None else transfer.model_checkpoint(loaded, head)
        Path(a.save).write_bytes(data)
    order = sorted(range(len(head.classes)), key=lambda i: -float(probs[i]))
    out = {"classes": list(head.classes), "layer": a.layer, "train_accuracy": round(head.train_accuracy, 6),
           "predictions": [{"label": head.classes[i], "prob": round(float(probs[i]), 6)} for i in order]}
    if tuned is not None:
        r = (lambda v: None if v is None else round(v, 6))
        out["finetune"] = {"heldout_accuracy": r(tuned.heldout), "frozen_heldout_accuracy": r(tuned.frozen_heldout),
                           "train_images": tuned.n_train, "heldout_images": tuned.n_heldout,
                           "epochs": tuned.epochs, "steps": tuned.steps, "stopped_by_time": tuned.stopped_by_time,
                           "seconds": round(tuned.seconds, 3)}
    if a.json:
        print_json(out)
    else:
        how = "conv5 fine-tuned with a new last layer" if tuned is not None else "new last layer"
        print(f"{a.variant} ({loaded.source} weights), {how} on {a.layer}: "
              f"train accuracy {100 * head.train_accuracy:.1f}%")
        if tuned is not None:
            pct = (lambda v: "-" if v is None else f"{100 * v:.1f}%")
            print(f"  held-out accuracy ({tuned.n_heldout} images): fine-tuned {pct(tuned.heldout)}, "
                  f"frozen features {pct(tuned.frozen_heldout)}; {tuned.epochs} epochs, {tuned.seconds:.1f} s"
                  + (" (stopped by the time limit)" if tuned.stopped_by_time else ""))
        for p in out["predictions"]:
            print(f"  {100 * p['prob']:6.2f}%  {p['label']}")
        if a.save:
            print(f"saved {a.save}")


def _quiz(a) -> None:
    from vggviz import i18n
    from vggviz.lab.quiz import no_image_questions, to_json

    if a.lang not in i18n.LANGUAGES:
        raise UsageError(f"unknown language {a.lang!r}; choose one of: {', '.join(i18n.LANGUAGES)}")
    with i18n.using(a.lang):
        questions = no_image_questions(a.variant, a.size)
        if a.json:
            print_json(to_json(a.variant, questions))
            return
        for q in questions:
            tol = f" (within {100 * q.tolerance:g} %)" if q.tolerance else ""
            print(f"[{q.page}] {q.id}: {q.prompt}\n    → {q.answer}{tol}. {q.explanation}")
