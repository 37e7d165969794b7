"""The benchmark scripts run and report what README quotes (a smoke test: timings are the
benchmarks' business, not the tests'; only sanity of the report is asserted here). The reports
carry unrounded numbers; they are compared as numbers (with a tolerance where one is meant),
never as printed text. Each runs a benchmark in a subprocess: marked slow."""

import json
import subprocess
import sys

import pytest
from support import ROOT

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("script,keys,extra", [
    ("bench_capture.py", {"bare_s", "analyze_s", "ratio", "ratio_paired", "grid_s", "largest_layer"}, []),
    ("bench_gradcam.py", {"bare_s", "analyze_gradcam_s", "gradcam_s", "ratio", "ratio_paired", "layer",
                          "occlusion_s", "occlusion_over_gradcam", "occlusion_over_captum_whole", "occlusion_passes"},
     ["--occlusion-patch", "112", "--occlusion-stride", "112"]),       # 2×2 positions: a smoke test, not 170 passes
])
def test_benchmark_reports(script, keys, extra, tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks." + script.removesuffix(".py"), "--variant", "vgg11", "--repeats", "1", "--json", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert keys <= set(r), keys - set(r)
    assert r["variant"] == "vgg11" and r["bare_s"] > 0 and r["ratio"] > 0.5
    if script == "bench_gradcam.py":
        assert r["occlusion_passes"] == 5 and r["occlusion_s"] > 0 and r["occlusion_over_gradcam"] > 1


def test_training_benchmark_reports(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_training", "--images", "128", "--repeats", "1",
         "--live-epochs", "1", "--live-train-size", "1280", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert set(r["epochs"]["cpu"]) == {"vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini"}
    assert all(s > 0 for s in r["epochs"]["cpu"].values())
    lat = r["latency"]
    assert {"idle_s", "training_no_gate_ratio", "training_gate_ratio", "training_gate_training_paused_s"} <= set(lat)
    assert lat["idle_s"] > 0 and lat["training_gate_ratio"] > 0   # (that the gate pauses training: test_jobs)
    first, live = r["first_epoch"], r["live"]
    assert 0 <= first["final_accuracy"] <= 100 and first["times_chance"] == pytest.approx(
        first["final_accuracy"] / first["chance"], abs=0.01)
    assert live["arms"] == 4 and live["steps"] == 1280 // 32 and live["seconds"] > 0 and len(live["per_arm_seed_s"]) == 4
    assert live["ratio_to_budget"] == pytest.approx(live["seconds"] / 180, abs=1e-3)


def test_featvis_benchmark_reports(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_featvis", "--variant", "vgg11_mini", "--steps", "2",
         "--gallery", "2", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert r["rows"][0]["layer"] == "conv4_2" and r["rows"][0]["step_s"] > 0     # A's last conv of block 4
    b = r["budget"]
    assert b["channel_s"] > 0 and b["gallery_s"] > 0 and b["channel_limit_s"] == pytest.approx(60.0)


def test_scheduler_benchmark_reports(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scheduler", "--variant", "vgg11_mini", "--users", "4",
         "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert r["users"] == 4 and r["floor_s"] > 0 and r["workers"] >= 1
    assert {"p50_s", "p95_s", "max_s", "p50_over_floor", "p95_over_floor"} <= set(r["scheduler"]) == set(r["threads"])


def test_layout_benchmark_reports_the_same_top5_both_ways(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_layout", "--variant", "vgg11_mini", "--repeats", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    assert r["same_top5"] is True and r["max_abs_prob_diff"] == pytest.approx(0, abs=1e-5)
    assert r["threads_1"]["contiguous_s"] > 0 and r["threads_1"]["channels_last_s"] > 0


def test_live_benchmark_reports(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_live", "--variants", "vgg16_mini", "--repeats", "1", "--warmup", "0",
         "--threads", "1", "--device", "cpu", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path)},
    )
    assert p.returncode == 0, p.stderr[-2000:]
    r = json.loads(p.stdout)
    (row,) = r["rows"]
    assert row["variant"] == "vgg16_mini" and row["device"] == "cpu" and row["threads"] == 1
    assert row["draw_ms"] > 0 and row["camera_fps"] > 0
    assert abs(row["draw_target_ratio"] - row["draw_ms"] / 150) < 0.002


def test_gpu_check_lists_its_steps_and_runs_its_cpu_half(tmp_path):
    """``--dry-run`` lists the steps without running them; without CUDA a step runs its CPU half
    and the report says there is no GPU."""
    env = {"PATH": "/usr/bin:/bin", "VGGVIZ_WEIGHTS": "random", "HOME": str(tmp_path), "CUDA_VISIBLE_DEVICES": ""}
    p = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--dry-run"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    steps = [s["name"] for s in json.loads(p.stdout)["steps"]]
    assert steps[:2] == ["environment", "tests"] and {"analyze", "gradcam", "featvis", "lab_epoch", "experiment",
                                                       "microbatch", "copyback", "vgg16_forward"} <= set(steps)
    out = tmp_path / "gpu.json"
    p = subprocess.run([sys.executable, "-m", "benchmarks.gpu_check", "--only", "environment,copyback",
                        "--variant", "vgg11_mini", "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert "no CUDA GPU" in p.stdout
    r = json.loads(out.read_text())
    assert r["cuda"] is False and r["devices"] == ["cpu"] and list(r["steps"]) == ["environment", "copyback"]
    cb = r["steps"]["copyback"]
    assert cb["status"] == "ok" and cb["cpu_batch1_pass_s"] > 0 and cb["cpu_batch8_kept_mb"] > cb["cpu_batch1_kept_mb"]
