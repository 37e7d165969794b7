"""The container's HEALTHCHECK: exit 0 when Streamlit answers ``ok`` on ``/_stcore/health``
at 127.0.0.1:$PORT (default 8501), 1 otherwise. Standard library only (the slim image has no curl).

    python deploy/healthcheck.py [--port 8501] [--timeout 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8501")))
    ap.add_argument("--timeout", type=float, default=4.0)
    a = ap.parse_args(argv)
    url = f"http://127.0.0.1:{a.port}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=a.timeout) as r:  # noqa: S310 - loopback only
            ok = r.status == 200 and r.read().strip() == b"ok"
    except Exception as e:  # noqa: BLE001
        print(f"unhealthy: {url}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if not ok:
        print(f"unhealthy: {url} did not answer ok", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
