"""vggviz: take VGG networks apart. Run with ``streamlit run streamlit_app.py``."""

from pathlib import Path

import streamlit as st

from vggviz import ui

HERE = Path(__file__).parent
st.set_page_config(page_title="vggviz — VGG taken apart", page_icon="🧱", layout="wide")


def page(name: str, title: str, icon: str, **kw) -> st.Page:
    return st.Page(HERE / "pages" / f"{name}.py", title=title, icon=icon, url_path=name, **kw)


PAGES = {
    "Start": [page("home", "Start here", "🏠", default=True)],
    "The architecture": [
        page("architecture", "Architecture", "🧱"),
        page("compare", "Compare depths", "📊"),
        page("receptive_field", "Why 3×3?", "🔍"),
    ],
    "An image through the network": [
        page("forward_pass", "Forward pass", "➡️"),
        page("feature_maps", "Feature maps", "🗺️"),
        page("filters", "Filters", "🎛️"),
        page("gradcam", "Grad-CAM", "🔥"),
        page("fully_conv", "Fully convolutional", "🧩"),
    ],
}

nav = st.navigation(PAGES)
sel = ui.sidebar()
ui.image_picker()
ui.page_banner(sel)
nav.run()
