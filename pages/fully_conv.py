import streamlit as st

st.title("fully_conv")
st.info("This page is being built.")
