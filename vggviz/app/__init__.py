"""The Streamlit app: the only part of vggviz that imports streamlit."""
