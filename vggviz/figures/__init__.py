"""Figures: pictures and plotly charts built from plain data (no streamlit)."""
