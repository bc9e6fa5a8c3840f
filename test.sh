#!/usr/bin/env bash
# つどいマップ: set up and run the whole test suite.
# Browser tests use Debian's chromium (installed here with apt when we are root on Debian/Ubuntu).
# Without it they skip with a loud summary — except under CI=true, where a skip is a failure.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements-dev.txt

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list :family=IPAexGothic 2>/dev/null | grep -q . || missing+=(fonts-ipaexfont-gothic)  # 地域カルテ PDF font
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # pdftotext/pdffonts/pdfinfo in karte tests
if [ ${#missing[@]} -gt 0 ]; then
  if is_root_debian; then
    echo "==> apt でインストールします: ${missing[*]}"
    apt_install "${missing[@]}"
  else
    echo "!!! 見つかりません: ${missing[*]} — ブラウザとPDFのテストはスキップされます (sudo apt-get install ${missing[*]})" >&2
  fi
fi

# -rs lists every skipped test with its reason at the end, so a skip cannot go unnoticed.
exec .venv/bin/python -m pytest -rs "$@"
