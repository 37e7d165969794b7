"""Figures: plotly figures and PIL images built from plain data (no streamlit)."""
