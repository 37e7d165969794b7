import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.figures.arch import human
from vggviz.i18n import _
from vggviz.lab.compare import other_layers_sentence
from vggviz.model.summary import summarize
from vggviz.model.variants import VARIANTS

ui.page_guard()

v16 = summarize("vgg16", 224)
fc_p, fc_m = v16.share("Linear")

st.title(_("🧱 vggviz: VGG, taken apart"))
st.markdown(
    _("""
VGG (Simonyan & Zisserman, 2015) is the network that showed **depth** matters: stacks of small
**3×3 convolutions** and **2×2 max-pools**, then three fully connected layers. """)
    + other_layers_sentence() + _("""
This app lets you open it up, layer by layer, with exact numbers.

**No internet? Pick the mini family** in the sidebar (*mini VGG16 (D) · trained on shapes*): the
paper's configurations at teaching scale, trained on pictures of twelve shapes, with their weights
shipped in the app. Every page then shows something learned, offline; pick a *Shapes …* sample
image, or draw your own shape and upload it.

**Where to start**

1. **Architecture**: the layer table of the variant chosen in the sidebar: shapes, parameters,
   MACs/FLOPs, receptive fields, memory. Notice where the parameters live (the FC layers) and
   where the compute happens (the convolutions).
2. **Compare depths**: VGG11 → VGG19 side by side, and the paper's Table 1 with what each step adds.
3. **Why 3×3?**: three 3×3 convolutions see as much as one 7×7, with fewer weights and more non-linearities.
4. Pick or upload an **image** in the sidebar, then follow it through **Forward pass**,
   **Feature maps**, **Filters** and **Grad-CAM**.
5. **Fully convolutional**: turn the FC layers into convolutions and run VGG on any image size.
6. **Train it yourself** (the shapes lab): train the mini VGGs live and test the paper's claims —
   does depth help, are 3×3 stacks better than one big kernel, why start E from A?
""")
)
cols = st.columns(3)
cols[0].metric(_("Variants"), len(VARIANTS), help=_("The paper's A, A-LRN, B, C, D, E; BN versions of A, B, D, E"))
cols[1].metric(_("VGG16 parameters"), human(v16.total_params),
               help=_("{n}: {pct}% of them in the three FC layers").format(n=f"{v16.total_params:,}",
                                                                          pct=f"{100 * fc_p:.1f}"))
cols[2].metric(_("VGG16 compute at 224×224"), human(v16.total_macs, "MACs"),
               help=_("= {flops}; {pct}% of it in the convolutions").format(
                   flops=human(v16.total_flops, "FLOPs"), pct=f"{100 * (1 - fc_m):.1f}"))
st.caption(
    _("Weights: ImageNet weights are downloaded once by torchvision. Offline, the app falls back to "
      "seeded random weights and says so on every page. "
      "Command line: `python -m vggviz summary vgg16 --json`.")
)
