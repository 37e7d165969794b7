import streamlit as st

st.title("forward_pass")
st.info("This page is being built.")
