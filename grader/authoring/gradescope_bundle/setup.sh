#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image, with the bundle
# unpacked in /autograder/source. It installs the pinned course environment into
# /autograder/source/.venv: the same packages, at the same versions, as a learner's
# `make install` (requirements.lock), with torch's CPU build (Gradescope has no GPU,
# and PyPI's Linux torch pulls gigabytes of CUDA libraries): the torch version the lock
# pins, with PyTorch's `+cpu` label, from PyTorch's CPU index. TORCH_INDEX overrides
# that index.
set -euo pipefail
cd "$(dirname "$0")"

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# bubblewrap sandboxes learner code where the container allows namespaces (otherwise the
# autograder says so in its log and grades without it).
apt-get install -y -qq --no-install-recommends bubblewrap > /dev/null || true

python_311_or_newer() {
    for candidate in python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" > /dev/null \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2> /dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

PYTHON=$(python_311_or_newer) || {
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv > /dev/null
    PYTHON=python3.11
}
"$PYTHON" -m venv .venv || {
    apt-get install -y -qq --no-install-recommends "$(basename "$PYTHON")-venv" > /dev/null
    "$PYTHON" -m venv .venv
}
.venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip
TORCH_PIN=$(grep -E '^torch==' requirements.lock)
.venv/bin/python -m pip install --disable-pip-version-check \
    --extra-index-url "${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}" \
    -c requirements.lock "${TORCH_PIN}+cpu" -e .
.venv/bin/python -c "import torch; print('torch', torch.__version__, 'ready')"
