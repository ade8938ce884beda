#!/usr/bin/env bash
# Installs Python TensorFlow into .venv-tf: the independent judge the interop tests use to read
# our checkpoints and SavedModels. mnist-serve itself never needs Python.
# Reuses the wheel that `npm run setup:engine` cached, so the 274 MB download happens once.
# --optional: a failure only warns (the interop tests then skip and say why), unless
# MNIST_SERVE_REQUIRE_PYTHON_TF=1 as in CI, where those tests must really run.
set -euo pipefail
cd "$(dirname "$0")/.."
optional=false
[ "${1:-}" = "--optional" ] && [ "${MNIST_SERVE_REQUIRE_PYTHON_TF:-}" != "1" ] && optional=true
venv=.venv-tf
pip_install() {
  # --retries 0: on machines that reach only a local pip index, an unreachable default index
  # should fail over at once instead of backing off for minutes.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 0 "$@" \
    2> >(grep -v -e 'Retrying' -e 'is ignored' >&2)
}
install_serving_api() {
  # TF Serving's own Python gRPC stubs, the client the gRPC interop test points at `serve`.
  # --no-deps: its requirement names `tensorflow`, which tensorflow-cpu already provides (as it
  # does grpcio and protobuf). Never fatal: indexes without it only skip that one test.
  "$venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("tensorflow_serving") is None)' && return 0
  echo "[python-tf] installing tensorflow-serving-api into $venv…" >&2
  pip_install --no-deps tensorflow-serving-api==2.21.0 ||
    echo "[python-tf] could not install tensorflow-serving-api; the TF Serving client test will be skipped" >&2
}
if [ -x "$venv/bin/python" ] && TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow' >/dev/null 2>&1; then
  install_serving_api
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mnist-serve/wheels"
wheel=$(ls "$cache"/tensorflow*.whl 2>/dev/null | head -n 1 || true)
echo "[python-tf] installing TensorFlow into $venv…" >&2
if ! { python3 -m venv "$venv" && pip_install "${wheel:-tensorflow-cpu==2.21.0}"; }; then
  if $optional; then
    echo "[python-tf] could not install TensorFlow; interop tests will be skipped" >&2
    exit 0
  fi
  echo "[python-tf] could not install TensorFlow into $venv" >&2
  exit 1
fi
version=$(TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)
echo "[python-tf] ready: TensorFlow $version" >&2
install_serving_api
