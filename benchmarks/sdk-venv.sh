#!/bin/sh
# Create benchmarks/.sdk-venv with the official OpenRouter Python SDK
# (PyPI package "openrouter"), for benchmarks/e2e.py.
#
# The SDK's import name is "openrouter", the same as this project's client, so
# the two cannot share an environment. e2e.py runs the SDK's rows with
# benchmarks/.sdk-venv/bin/python when it exists (or --sdk-python PATH).
#
# Usage: sh benchmarks/sdk-venv.sh [VERSION]     e.g. sh benchmarks/sdk-venv.sh 1.3.84
# The interpreter is the one of .venv when present (same Python version as the
# other clients), else $PYTHON, else python3.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target="$here/.sdk-venv"

if [ -z "${PYTHON:-}" ]; then
    if [ -x "$root/.venv/bin/python" ]; then
        PYTHON=$("$root/.venv/bin/python" -c 'import sys; print(sys._base_executable)')
    else
        PYTHON=python3
    fi
fi

spec=openrouter
if [ $# -gt 0 ]; then
    spec="openrouter==$1"
fi

"$PYTHON" -m venv --clear "$target"
"$target/bin/python" -m pip install --quiet --upgrade pip
"$target/bin/python" -m pip install --quiet "$spec"
"$target/bin/python" -c 'from importlib.metadata import version; print("official OpenRouter SDK", version("openrouter"), "in '"$target"'")'
