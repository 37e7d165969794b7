"""The benchmark scripts run and report what README quotes (a smoke test: timings are the
benchmarks' business, not the tests'; only sanity of the report is asserted here)."""

import json
import subprocess
import sys

import pytest

from support import ROOT


@pytest.mark.parametrize("script,keys", [
    ("bench_capture.py", {"bare_s", "analyze_s", "ratio", "ratio_paired", "grid_s", "largest_layer"}),
    ("bench_gradcam.py", {"bare_s", "analyze_gradcam_s", "gradcam_s", "ratio", "ratio_paired", "layer"}),
])
def test_benchmark_reports(script, keys, tmp_path):
    p = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--variant", "vgg11", "--repeats", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert keys <= set(r), keys - set(r)
    assert r["variant"] == "vgg11" and r["bare_s"] > 0 and r["ratio"] > 0.5
