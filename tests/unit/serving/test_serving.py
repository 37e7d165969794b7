"""vggviz.serving.warmup: the server process's libraries frozen out of the per-run full collection
(streamlit runs gc.collect(2) after every script run)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from support import ROOT


def _run(code: str, env_extra: dict | None = None) -> str:
    import os

    env = dict(os.environ) | (env_extra or {})
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_prepare_freezes_the_imported_libraries_once_and_collections_get_cheap():
    line = _run("""
        import gc, time
        from vggviz.serving import warmup as serving
        assert serving.prepare() is True and serving.prepare() is False     # once per process
        frozen = serving.frozen()
        t = time.process_time()
        for _ in range(5):
            gc.collect(2)
        print(frozen, (time.process_time() - t) / 5)
    """)
    frozen, per_collect = line.split()
    assert int(frozen) > 100_000            # torch, torchvision, captum, pandas, plotly
    assert float(per_collect) < 0.05        # a full collection of the whole heap takes ~0.4 s


def test_frozen_objects_are_still_freed_by_reference_counting():
    line = _run("""
        import gc, weakref
        class Big:
            pass
        big = Big()
        ref = weakref.ref(big)
        from vggviz.serving import warmup as serving
        serving.prepare()
        assert gc.is_tracked(big) and ref() is big
        del big
        print(ref() is None)
    """)
    assert line == "True"


def test_it_can_be_switched_off():
    line = _run("""
        from vggviz.serving import warmup as serving
        print(serving.prepare(), serving.frozen())
    """, {"VGGVIZ_GC_FREEZE": "0"})
    assert line == "False 0"


def test_the_app_prepares_when_it_imports_its_streamlit_helpers():
    line = _run("""
        import vggviz.app.ui
        from vggviz.serving import warmup as serving
        print(serving.frozen() > 0)
    """)
    assert line == "True"
