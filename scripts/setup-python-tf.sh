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
if [ -x "$venv/bin/python" ] && TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow' >/dev/null 2>&1; then
  exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mnist-serve/wheels"
wheel=$(ls "$cache"/tensorflow*.whl 2>/dev/null | head -n 1 || true)
# --retries 0: on machines that reach only a local pip index, an unreachable default index
# should fail over at once instead of backing off for minutes.
echo "[python-tf] installing TensorFlow into $venv…" >&2
if ! { python3 -m venv "$venv" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 0 \
      "${wheel:-tensorflow-cpu==2.21.0}" 2> >(grep -v -e 'Retrying' -e 'is ignored' >&2); }; then
  if $optional; then
    echo "[python-tf] could not install TensorFlow; interop tests will be skipped" >&2
    exit 0
  fi
  echo "[python-tf] could not install TensorFlow into $venv" >&2
  exit 1
fi
version=$(TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)
echo "[python-tf] ready: TensorFlow $version" >&2
