"""The container image, built once per test session for the tests that start it
(tests/load/test_image.py, and tests/load/test_balancer.py's container replicas).

Built by deploy/image.py with podman from a locally made Debian base and a wheelhouse, both
cached outside the repository (``VGGVIZ_IMAGE_CACHE``, default /var/cache/vggviz-base), so only
the first run on a machine pays for debootstrap and the wheel downloads, and a rebuild reuses
every layer up to the app's files. Skips without podman, buildah and debootstrap on a
developer's machine; fails in CI (CI=true: .ci/run installs them)."""

from __future__ import annotations

import os

import pytest

from deploy import image


@pytest.fixture(scope="session")
def container_image(tmp_path_factory) -> dict:
    missing = image.missing_tools()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{' '.join(missing)} not installed (.ci/run installs podman, buildah and debootstrap)")
        pytest.skip(f"{' '.join(missing)} not installed (apt-get install podman buildah debootstrap)")
    if os.geteuid() != 0:
        pytest.skip("building the image with --isolation chroot needs root here")
    log = tmp_path_factory.mktemp("image") / "build.log"
    with open(log, "w") as out:
        try:
            times = image.prepare(log=out)
        except Exception as e:  # noqa: BLE001 - the build's own output says why
            pytest.fail(f"the image did not build ({e}):\n{log.read_text()[-4000:]}")
    print(f"image: {times}")
    return {"tag": image.IMAGE_TAG, "log": log, **times}
