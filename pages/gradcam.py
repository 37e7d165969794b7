import streamlit as st

st.title("gradcam")
st.info("This page is being built.")
