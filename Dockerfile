# vggviz in a container: CPU by default; CUDA through a build argument. Built and started by
# tests/load/test_image.py (podman, from a locally made Debian base: deploy/image.py). See
# README, "Deploying for a school".
#
#   docker build -t vggviz .                                          # CPU torch, no weights baked
#   docker build -t vggviz --build-arg WEIGHTS="vgg11 vgg16" .        # ImageNet weights inside
#   docker build -t vggviz:cuda --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 \
#                --build-arg WEIGHTS="vgg16" .                        # CUDA torch (run with --gpus all)
#   docker run -p 8501:8501 vggviz        # or -e PORT=8080 -p 8080:8080
#   # no internet at build time (podman): a wheelhouse made on a machine with internet
#   pip download -r requirements.txt -d /srv/wheels
#   podman build -t vggviz --volume /srv/wheels:/wheels:ro .
#
# BASE: the Python 3.11 image to start from (it must provide `python` and `pip` on PATH;
#   deploy/image.py makes one from debootstrap where no registry can be reached).
# TORCH_INDEX: where torch/torchvision come from: the CPU-only wheels by default (much smaller);
#   a CUDA index (…/whl/cu128) or an empty value (PyPI's own wheels, which bundle CUDA) for a GPU
#   image. The wheels carry the CUDA runtime, so a slim base works on a GPU host with the
#   NVIDIA container toolkit. Not used when a wheelhouse is mounted at /wheels.
# /wheels (a build-time volume, podman/buildah `--volume DIR:/wheels:ro`): when it holds wheels,
#   every Python package is installed from it with --no-index (nothing is fetched).
# WEIGHTS: torchvision variants whose ImageNet weights are fetched at build time into
#   TORCH_HOME, so the container never needs the network (the mini family's shapes weights are
#   in assets/ already).
ARG BASE=python:3.11-slim
FROM ${BASE}

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG WEIGHTS=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TORCH_HOME=/opt/vggviz/torch \
    MALLOC_ARENA_MAX=2 \
    PORT=8501

RUN useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin vggviz \
    && mkdir -p /app "$TORCH_HOME"
WORKDIR /app

# Dependencies first (cached while only the app changes): from a mounted wheelhouse when there
# is one; otherwise torch and torchvision at the pinned versions from TORCH_INDEX, then the
# rest of requirements.txt from PyPI.
COPY requirements.txt ./
RUN if ls /wheels/*.whl >/dev/null 2>&1; then \
        pip install --no-index --find-links /wheels -r requirements.txt; \
    else \
        if [ -n "$TORCH_INDEX" ]; then \
            grep -E '^(torch|torchvision)==' requirements.txt > /tmp/torch.txt \
            && pip install --index-url "$TORCH_INDEX" -r /tmp/torch.txt; \
        fi \
        && pip install -r requirements.txt; \
    fi

# The library, then the weights asked for (before the rest, so a page edit keeps this layer).
COPY vggviz ./vggviz
RUN if [ -n "$WEIGHTS" ]; then python -m vggviz weights fetch $WEIGHTS; fi \
    && chown -R vggviz:vggviz "$TORCH_HOME"

COPY . .

USER vggviz
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["sh", "-c", "exec python -m streamlit run streamlit_app.py --server.port \"$PORT\" --server.address 0.0.0.0 --server.headless true --browser.gatherUsageStats false"]
