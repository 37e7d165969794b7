"""What pages call: ``from vggviz.app import ui``, then ``ui.selection()``, ``ui.require_analysis()``…

The app package (the only part of vggviz that imports streamlit) in one namespace for pages and
the entry point. Each name lives in one module of :mod:`vggviz.app`:

* :mod:`~vggviz.app.flow`: the navigation, the page guard, ending a page, errors, the presenter view;
* :mod:`~vggviz.app.links`: link parameters and the share box;
* :mod:`~vggviz.app.session`: the sidebar's choices (:class:`Selection`);
* :mod:`~vggviz.app.models`: the shared models and what the page says about their weights;
* :mod:`~vggviz.app.inputs`: the current image, uploads, the session's budgets;
* :mod:`~vggviz.app.results`: results computed once for every session;
* :mod:`~vggviz.app.quiz`: the predict-first box (:func:`predict_first`).
"""

from __future__ import annotations

from vggviz.app.flow import (  # noqa: F401
    PRESENTER_CSS,
    PageEnd,
    end_page,
    navigation,
    page_guard,
    presenter_and_next,
    running_page,
    show_error,
)
from vggviz.app.inputs import (  # noqa: F401
    SAMPLE_NAMES,
    UPLOADS_KEPT,
    current_image,
    image_picker,
    session_uploads,
    take_budget,
)
from vggviz.app.links import (  # noqa: F401
    flag,
    link_param,
    link_params,
    share_link,
)
from vggviz.app.models import (  # noqa: F401
    FAILED_RETRY_S,
    MODEL_CACHE_ENTRIES,
    current_conv_weights,
    current_model,
    page_banner,
    untrained_weights,
    weights_status,
)
from vggviz.app.quiz import predict_first  # noqa: F401
from vggviz.app.results import (  # noqa: F401
    ANALYSIS_CACHE_ENTRIES,
    ANALYSIS_TTL_S,
    BY_VARIANT_CACHE_ENTRIES,
    CHANNEL_INDEX_ENTRIES,
    FEATVIS_ENTRIES,
    GRADCAM_CACHE_ENTRIES,
    LATER_DONE_KEYS,
    OCCLUSION_CACHE_ENTRIES,
    PICK_IMAGE,
    TRUST_CACHE_ENTRIES,
    UNIT_GOTO,
    current_analysis,
    current_channel_index,
    current_compare_methods,
    current_curves,
    current_depth_deletion,
    current_depth_sweep,
    current_featvis,
    current_gradcam,
    current_gradcam_by_variant,
    current_occlusion,
    current_randomisation,
    current_unit_erf,
    open_unit,
    require_analysis,
)
from vggviz.app.session import (  # noqa: F401
    Selection,
    choose_language,
    keep_choice,
    selection,
    sidebar,
)
from vggviz.serving.cache import SharedResults  # noqa: F401

__all__ = [
    "flag",
    "link_param",
    "link_params",
    "share_link",
    "PRESENTER_CSS",
    "PageEnd",
    "end_page",
    "navigation",
    "page_guard",
    "presenter_and_next",
    "running_page",
    "show_error",
    "predict_first",
    "Selection",
    "choose_language",
    "keep_choice",
    "selection",
    "sidebar",
    "FAILED_RETRY_S",
    "MODEL_CACHE_ENTRIES",
    "current_conv_weights",
    "current_model",
    "page_banner",
    "untrained_weights",
    "weights_status",
    "SAMPLE_NAMES",
    "UPLOADS_KEPT",
    "take_budget",
    "current_image",
    "image_picker",
    "session_uploads",
    "ANALYSIS_CACHE_ENTRIES",
    "ANALYSIS_TTL_S",
    "BY_VARIANT_CACHE_ENTRIES",
    "CHANNEL_INDEX_ENTRIES",
    "FEATVIS_ENTRIES",
    "GRADCAM_CACHE_ENTRIES",
    "LATER_DONE_KEYS",
    "OCCLUSION_CACHE_ENTRIES",
    "PICK_IMAGE",
    "TRUST_CACHE_ENTRIES",
    "UNIT_GOTO",
    "current_analysis",
    "current_channel_index",
    "current_compare_methods",
    "current_curves",
    "current_depth_deletion",
    "current_depth_sweep",
    "current_featvis",
    "current_gradcam",
    "current_gradcam_by_variant",
    "current_occlusion",
    "current_randomisation",
    "current_unit_erf",
    "open_unit",
    "require_analysis",
    "SharedResults",
]
