"""vggviz: take VGG networks apart.

The library behind the Streamlit app and ``python -m vggviz``. Modules return plain data
(numpy arrays, dataclasses, PIL images, plotly figures); only :mod:`vggviz.app.ui` imports
streamlit. Import submodules directly (``from vggviz.model.summary import summarize``): torch is
heavy, and the package root imports nothing.
"""

__version__ = "0.3.0"
__all__ = ["__version__"]
