#!/usr/bin/env bash
# Install-and-score check on Python 3.13, as a user would: a plain (not editable) `pip install`
# of the project into a fresh virtualenv outside the repository, then a script in a folder of
# the user's that has its own model.py and training.py scores text and an HTML page
# (.ci/install_check.py). `.ci/run` calls it after `make test`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS

# python3.13: on PATH, or one of pyenv's versions when pyenv's shim refuses it.
# INSTALL_CHECK_PYTHON=python3.12 .ci/install_check.sh checks another interpreter by hand.
py="${INSTALL_CHECK_PYTHON:-}"
if [ -n "$py" ]; then
  :
elif python3.13 -c "" >/dev/null 2>&1; then
  py=python3.13
elif command -v pyenv >/dev/null 2>&1; then
  py="$(ls -d "$(pyenv root)"/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [ -z "$py" ]; then
  echo "install check: python3.13 not found (install it, e.g. pyenv install 3.13)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# A copy of what the sdist holds, so the build leaves nothing in the checkout.
mkdir "$tmp/src" "$tmp/user"
cp "$repo/pyproject.toml" "$repo/README.md" "$tmp/src/"
cp -r "$repo/model" "$repo/training" "$tmp/src/"
find "$tmp/src" -name __pycache__ -type d -prune -exec rm -rf {} +

"$py" -m venv "$tmp/venv"
# constraints.txt was pinned on 3.11; every pin it holds for these packages installs on 3.13.
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -c "$repo/constraints.txt" "$tmp/src"

# The user's folder: their own model.py and training.py, a page and a text.
printf 'WHOSE = "user"\n' > "$tmp/user/model.py"
printf 'WHOSE = "user"\n' > "$tmp/user/training.py"
cp "$repo/examples/shop.html" "$repo/examples/example.txt" "$tmp/user/"
cp "$repo/.ci/install_check.py" "$tmp/user/score_my_pages.py"
(cd "$tmp/user" && PATH="$tmp/venv/bin:$PATH" "$tmp/venv/bin/python" score_my_pages.py)
echo "install check: $("$tmp/venv/bin/python" --version) install and score passed in $((SECONDS - start)) s"
