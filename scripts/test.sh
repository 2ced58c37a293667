#!/usr/bin/env bash
# The project's single test command: Swift unit tests, then the end-to-end
# suite (real Tencent Cloud / OpenAI clients against a running `easel serve`).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k vod -x`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
REQS=Tests/e2e/requirements.txt
STAMP="$VENV/.requirements.sha256"
if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "==> creating $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
fi
want="$(sha256sum "$REQS" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
    echo "==> installing $REQS into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQS"
    echo "$want" > "$STAMP"
fi

echo "==> swift build --build-tests"
swift build --build-tests
echo "==> swift test"
# The S3 client tests run against moto from the venv (skipped when it is missing).
MOTO_SERVER="$PWD/$VENV/bin/moto_server" swift test --skip-build


echo "==> pytest Tests/e2e"
export EASEL_BIN="${EASEL_BIN:-$PWD/.build/debug/easel}"
# Per-test timeout comes from Tests/e2e/conftest.py (pytest-timeout); -rfE lists failures.
exec "$VENV/bin/python" -m pytest -q -rfE Tests/e2e "$@"
