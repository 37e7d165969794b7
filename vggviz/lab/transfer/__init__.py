"""Teach a frozen VGG new classes: its features of a chosen layer, a new last layer trained on
them, the new classes' probabilities, Grad-CAM for a new class and a 2-D PCA of the examples.

Transfer learning as the tutorials do it (cats vs dogs on a frozen VGG16): every image goes
through the frozen network once, up to ``pool5`` (flattened), ``fc6`` or ``fc7`` (both taken
after their ReLU, as Keras's ``fc1``/``fc2``); a logistic regression (one ``nn.Linear`` with
softmax) is trained on those vectors. The shared model is only *walked*
(:func:`vggviz.model.layers.walk` under ``torch.inference_mode``): no hooks, no change of mode or
``requires_grad``. Grad-CAM for a new class composes the student's head after the frozen layers
in a :class:`vggviz.explain.attribution.Chain` (its own non-in-place ReLUs, no hooks) and takes the
gradient with ``torch.autograd.grad``.

Example::

    from vggviz.data import shapes
    from vggviz.lab import transfer
    from vggviz.model.weights import load_model
    loaded = load_model("vgg16_mini", "shapes", "cpu")
    imgs = {c: [shapes.draw_plain(c)] * 3 for c in ("circle", "square")}
    head = transfer.fit(loaded, {c: transfer.features(loaded, v)["fc7"] for c, v in imgs.items()}, "fc7")
    transfer.predict(head, transfer.features(loaded, [shapes.draw_plain("circle")]))

The parts: :mod:`.head` (features, the new last layer, PCA, checkpoints), :mod:`.finetune`
(the last block trained with the head), :mod:`.cam` (Grad-CAM for a new class).
"""

from vggviz.lab.transfer.cam import gradcam
from vggviz.lab.transfer.finetune import (
    FINETUNE_EPOCHS,
    FINETUNE_MAX_EPOCHS,
    FINETUNE_MAX_SECONDS,
    FINETUNE_SECONDS,
    FineTuned,
    finetune,
    finetuned_predict,
    finetuned_predict_from_analysis,
    holdout_mask,
)
from vggviz.lab.transfer.head import (
    DEFAULT_LAYER,
    FEATURE_LAYERS,
    MAX_CLASSES,
    MAX_PER_CLASS,
    MIN_CLASSES,
    Head,
    TransferError,
    as_image,
    cross_val_accuracy,
    features,
    features_from_analysis,
    fit,
    head_bytes,
    model_checkpoint,
    pca_2d,
    pca_figure,
    predict,
    shape_images,
)

__all__ = [
    "FEATURE_LAYERS",
    "DEFAULT_LAYER",
    "MIN_CLASSES",
    "MAX_CLASSES",
    "MAX_PER_CLASS",
    "FINETUNE_EPOCHS",
    "FINETUNE_MAX_EPOCHS",
    "FINETUNE_SECONDS",
    "FINETUNE_MAX_SECONDS",
    "TransferError",
    "Head",
    "features",
    "features_from_analysis",
    "fit",
    "cross_val_accuracy",
    "predict",
    "pca_2d",
    "pca_figure",
    "gradcam",
    "shape_images",
    "head_bytes",
    "model_checkpoint",
    "as_image",
    "FineTuned",
    "finetune",
    "finetuned_predict",
    "finetuned_predict_from_analysis",
    "holdout_mask",
]
