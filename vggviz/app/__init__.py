"""The Streamlit app: the only part of vggviz that imports streamlit. Pages use :mod:`vggviz.app.ui`."""

from vggviz.serving import warmup

warmup.prepare()      # the libraries' objects out of the per-run full GC (vggviz.serving.warmup)
