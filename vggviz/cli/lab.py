"""The lab's commands: ``train`` (a mini variant on shapes), ``experiment`` (every arm of one
of the shapes lab's experiments), ``quiz`` (the predict-first questions that need no image) and
``transfer`` (new classes on a frozen VGG)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vggviz.cli.common import DEVICES, UsageError, positive, print_json

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``train``, ``experiment``, ``quiz``, ``transfer`` to the subparsers ``sub``."""
    t = sub.add_parser("train", help="train a mini variant on generated shapes (the lab's recipe)")
    t.add_argument("variant", help="a mini variant: vgg11_mini, vgg13_mini, vgg16_mini, vgg19_mini, …")
    t.add_argument("--epochs", type=positive("epochs"), default=None, help="default: the recipe's")
    t.add_argument("--init", default="he", choices=["he", "random", "glorot", "gaussian", "from-a", "from-d"],
                   help="he (or random): torchvision's Kaiming init; glorot: Glorot-normal; gaussian: the paper's "
                        "N(0, 0.01); from-a: gaussian, then conv1_1, conv2_1, conv3_1, conv3_2, fc6–fc8 from the "
                        "trained A; from-d: every layer of the trained D copied, the rest random (E as a deepened D)")
    t.add_argument("--bn", action=argparse.BooleanOptionalAction, default=None,
                   help="the configuration with batch normalisation (default: the recipe's, on)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lr", type=float, default=None, help="peak learning rate")
    t.add_argument("--warmup", type=float, default=None, help="share of the steps the learning rate warms up over")
    t.add_argument("--momentum", type=float, default=None)
    t.add_argument("--weight-decay", type=float, default=None)
    t.add_argument("--dropout", type=float, default=None)
    t.add_argument("--batch-size", type=positive("batch size"), default=None)
    t.add_argument("--train-size", type=positive("train size"), default=None)
    t.add_argument("--val-size", type=positive("held-out size"), default=None)
    t.add_argument("--curve-size", type=int, default=None,
                   help="held-out images scored after each epoch but the last (0: all)")
    t.add_argument("--jitter", action="store_true", help="scale jittering (the paper's multi-scale training)")
    t.add_argument("--max-batches", type=positive("max batches"), default=None, help="per epoch (quick runs)")
    t.add_argument("--threads", type=positive("threads"), default=None,
                   help="torch threads (results are bit-identical on a CPU for the same threads)")
    t.add_argument("--device", default="auto", choices=DEVICES)
    t.add_argument("--out", default=None, help="write the trained checkpoint (.pth) here")
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=_train)

    e = sub.add_parser("experiment", help="run one of the shapes lab's experiments: every arm over paired seeds, "
                                          "with intervals and verdicts")
    e.add_argument("key", help="depth | kernel | init | c_lrn | all")
    e.add_argument("--seeds", type=int, default=3, help="seeds per arm (0 … N − 1; default 3)")
    e.add_argument("--epochs", type=positive("epochs"), default=None, help="default: the lab's budget")
    e.add_argument("--train-size", type=positive("train size"), default=None)
    e.add_argument("--val-size", type=positive("held-out size"), default=None)
    e.add_argument("--batch-size", type=positive("batch size"), default=None)
    e.add_argument("--max-batches", type=positive("max batches"), default=None, help="per epoch (quick runs)")
    e.add_argument("--workers", type=positive("workers"), default=1, help="processes training arm-seeds at once")
    e.add_argument("--threads", type=positive("threads"), default=1, help="torch threads per process")
    e.add_argument("--device", default="auto", choices=DEVICES)
    e.add_argument("--out", default=None, help="write KEY.json into this folder")
    e.add_argument("--cache", default=None, help="keep every arm-seed's result in this folder (resumable)")
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

    from vggviz.lab.training import Recipe, checkpoint, percent, train
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import resolve_device

    variant = variant_info(a.variant).name
    recipe = Recipe(init=a.init, seed=a.seed, bn=Recipe.bn if a.bn is None else a.bn, scale_jitter=a.jitter, max_batches=a.max_batches)
    changes = {k: v for k, v in (("epochs", a.epochs), ("lr", a.lr), ("warmup", a.warmup), ("momentum", a.momentum),
                                 ("weight_decay", a.weight_decay), ("dropout", a.dropout),
                                 ("batch_size", a.batch_size), ("train_size", a.train_size),
                                 ("val_size", a.val_size), ("curve_size", a.curve_size)) if v is not None}
    recipe = dataclasses.replace(recipe, **changes).check()
    device = resolve_device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)

    def progress(p) -> None:
        if p.batch == p.batches and p.records and p.records[-1].epoch == p.epoch:
            r = p.records[-1]
            sys.stderr.write(f"{p.variant} epoch {r.epoch}/{p.epochs}: loss {r.train_loss:.4f}, held-out "
                             f"accuracy {100 * r.val_accuracy:.1f}% ({r.seconds:.1f} s)\n")
            sys.stderr.flush()

    res = train(variant, recipe, device, on_progress=progress)
    if a.out:
        torch.save(checkpoint(res), a.out)
    if a.json:
        print_json(res.to_json())
    else:
        print(f"{res.variant}: {res.params:,} parameters, {len(res.epochs)} epochs in {res.seconds:.1f} s on "
              f"{device}, final held-out accuracy {percent(res.final_accuracy)}%" + (f" → {a.out}" if a.out else ""))


def _experiment(a) -> None:
    import dataclasses

    from vggviz.lab import experiments as ex
    from vggviz.model.weights import resolve_device

    keys = list(ex.EXPERIMENTS) if a.key == "all" else [ex.check_key(a.key).key]
    if a.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, got {a.seeds}")
    budget = ex.BUDGET
    changes = {k: v for k, v in (("epochs", a.epochs), ("train_size", a.train_size), ("val_size", a.val_size),
                                 ("batch_size", a.batch_size), ("max_batches", a.max_batches)) if v is not None}
    if a.val_size is not None:
        changes["curve_size"] = min(budget.curve_size, a.val_size)
    budget = dataclasses.replace(budget, **changes)
    device = resolve_device(a.device)

    def done(variant, seed, rec) -> None:
        sys.stderr.write(f"{variant} seed {seed}: {rec['final_accuracy']:.2f}% ({rec['seconds']:.1f} s)\n")
        sys.stderr.flush()

    results = ex.run_many(keys, a.seeds, str(device), budget, a.workers, a.threads, done,
                          Path(a.cache) if a.cache else None)
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        for key, res in results.items():
            (out / f"{key}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if a.json:
        print_json(results[keys[0]] if len(keys) == 1 else results)
        return
    for res in results.values():
        b = res["budget"]
        print(f"{res['title']} ({b['steps']} steps of {b['batch_size']}, {len(res['seeds'])} seeds, {res['device']})")
        for arm in res["arms"]:
            print(f"  {arm['label']:<28} {arm['mean']:6.2f} ± {arm['sd']:5.2f} %  {arm['params']:>9,} params  "
                  f"{arm['macs'] / 1e6:7.1f} M MACs  {arm['seconds_per_seed']:6.1f} s/seed")
        for c in res["comparisons"]:
            lo, hi = c["ci95"]
            ci = "—" if lo is None else f"[{lo:+.2f}, {hi:+.2f}]"
            effect = c["paper"]["effect"]
            print(f"  {c['better']} − {c['worse']}: {c['mean_diff']:+.2f} points, 95 % CI {ci}, wins {c['wins']}/{c['n']}"
                  f" → {c['verdict']} (paper: {'—' if effect is None else f'{effect:+.1f}'}, {c['paper']['source']})")


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
