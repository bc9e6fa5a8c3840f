# Shared setup for ./run.sh and ./test.sh (sourced, not run): a .venv with the pinned requirements.
# Re-installs only when a requirements file changed (its hash is kept inside .venv).
set -euo pipefail

PYTHON=${PYTHON:-python3}
REQUIREMENTS=${1:-requirements.txt}

is_root_debian() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

apt_install() {  # apt_install PACKAGE... (root on Debian/Ubuntu only)
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  echo "==> Python の仮想環境 (.venv) を作成します"
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if is_root_debian; then apt_install python3-venv && "$PYTHON" -m venv .venv
    else echo "python3-venv が必要です: sudo apt-get install python3-venv" >&2; exit 1; fi
  fi
fi

stamp=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.tsudoi-requirements 2>/dev/null || true)" != "$stamp:$REQUIREMENTS" ]; then
  echo "==> 依存パッケージをインストールします ($REQUIREMENTS)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$REQUIREMENTS"
  echo "$stamp:$REQUIREMENTS" > .venv/.tsudoi-requirements
fi
