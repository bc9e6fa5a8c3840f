#!/usr/bin/env bash
# つどいマップ: set up and run the whole test suite.
# Browser tests use Debian's chromium (installed here with apt when we are root on Debian/Ubuntu).
# Without it they skip with a loud summary — except under CI=true, where a skip is a failure.
# The store, importer, CLI and coverage tests also run on PostgreSQL + PostGIS: a throwaway cluster in
# a temp folder (installed with apt when root), stopped at the end — or the server in $TSUDOI_TEST_PG_URL.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh requirements-dev.txt
source scripts/test_postgres.sh

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list :family=IPAexGothic 2>/dev/null | grep -q . || missing+=(fonts-ipaexfont-gothic)  # 地域カルテ PDF font
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)  # pdftotext/pdffonts/pdfinfo in karte tests
if [ -z "${TSUDOI_TEST_PG_URL:-}" ] && ! { postgres_bindir >/dev/null && postgis_installed; }; then
  missing+=(postgresql-postgis)  # the server (postgresql-N) and PostGIS for it
fi
if [ ${#missing[@]} -gt 0 ]; then
  if is_root_debian; then
    echo "==> apt でインストールします: ${missing[*]}"
    apt_install "${missing[@]}"
  else
    echo "!!! 見つかりません: ${missing[*]} — ブラウザ・PDF・PostgreSQLのテストはスキップされます (sudo apt-get install ${missing[*]})" >&2
  fi
fi

if [ -z "${TSUDOI_TEST_PG_URL:-}" ] && postgres_bindir >/dev/null && postgis_installed; then
  trap stop_test_postgres EXIT
  trap 'exit 130' INT TERM  # so that the EXIT trap stops the cluster on Ctrl-C too
  start_test_postgres || echo "!!! PostgreSQL を起動できません — PostgreSQLのテストはスキップされます" >&2
fi

# -rs lists every skipped test with its reason at the end, so a skip cannot go unnoticed.
# (not exec: the EXIT trap stops the PostgreSQL cluster afterwards)
.venv/bin/python -m pytest -rs "$@"
