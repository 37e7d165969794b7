"""The whole app path with every outgoing connection refused (the ``offline`` fixture of
tests/conftest.py): nothing a page does needs the network. The rest of the security checks:
tests/unit/test_security.py."""

from __future__ import annotations

from support import ROOT


def test_grad_cam_page_runs_offline(offline, monkeypatch):
    """The whole app path (sidebar, cached model, analysis, Grad-CAM page) with no network."""
    monkeypatch.setenv("VGGVIZ_WEIGHTS", "random")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
    at.session_state["vggviz_variant"] = "vgg11"
    at.run()
    at.switch_page("pages/gradcam.py").run()
    at.sidebar.selectbox(key="vggviz_sample").set_value("Cat").run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    assert offline == [], f"tried to connect: {offline}"
