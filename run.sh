#!/usr/bin/env bash
# つどいマップ: set up, build the 蕨市 demo store on first run, and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements.txt

# 地域カルテ PDF needs a Japanese TrueType font on disk (never fetched at run time).
if ! fc-list :family=IPAexGothic 2>/dev/null | grep -q .; then
  if is_root_debian; then
    echo "==> apt でインストールします: fonts-ipaexfont-gothic（地域カルテPDFの日本語フォント）"
    apt_install fonts-ipaexfont-gothic
  else
    echo "!!! 地域カルテPDFには日本語フォントが必要です: sudo apt-get install fonts-ipaexfont-gothic" >&2
  fi
fi

PORT=${PORT:-8501}
MODE=$(echo "${TSUDOI_MODE:-}" | tr '[:upper:]' '[:lower:]' | xargs)
if [ -n "$MODE" ] && [ "$MODE" != internal ]; then
  # 公開サイト (TSUDOI_MODE=public): only the copy made by `python -m dashboard publish` is read
  # (TSUDOI_PUBLIC_STORE, default var/public/); no demo store is built. dashboard/app.py checks the
  # copy and refuses to start on anything else. See README「住民向けの公開サイトとオープンデータ」.
  echo
  echo "  つどいマップ 公開サイト（住民向け）: http://localhost:${PORT}"
  echo "  公開用のコピー: ${TSUDOI_PUBLIC_STORE:-var/public/}"
  echo "  （止めるには Ctrl+C）"
  echo
else
  if [ -z "${DATABASE_URL:-}" ] && [ ! -f var/tsudoi.sqlite ]; then
    echo "==> デモ用ストア（蕨市の実データ + サンプル）を作成します: var/tsudoi.sqlite"
    .venv/bin/python -m dashboard demo build
  fi
  echo
  echo "  つどいマップ: http://localhost:${PORT}"
  echo "  デモ用ログイン（コーディネーター）: ユーザー名 demo / パスワード demo"
  echo "  （止めるには Ctrl+C）"
  echo
fi
# python -m keeps the repository root on sys.path, so the dashboard package imports.
exec .venv/bin/python -m streamlit run dashboard/app.py --server.port "$PORT"
