"""データ管理 in Chromium: the import wizard checks everything before writing, all or nothing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def _count(store, sql):
    with sqlite3.connect(store) as connection:
        return connection.execute(sql).fetchone()[0]


def _open_import(page, server):
    log_in(page, server)
    page.get_by_role("link", name="データ管理").first.click()
    page.get_by_text("資源の一覧ファイル").first.wait_for(timeout=30_000)


def test_bad_file_is_reported_by_row_and_column_and_nothing_is_written(server, page, e2e_store, tmp_path):
    before = _count(e2e_store, "select count(*) from places")
    bad = tmp_path / "集いの場.csv"
    bad.write_bytes("名称,種別,緯度,経度\nよりあいサロン,サロン,35.82,139.68\n,サロン,35.83,139.69\n"
                    "体操の会,謎の種別,35.83,139.69\n".encode("cp932"))
    _open_import(page, server)
    page.locator("input[type=file]").first.set_input_files(str(bad))
    page.get_by_text("取り込めません：2 件の問題があります").wait_for(timeout=30_000)
    page.locator("[data-testid=stDataFrame]:visible").first.wait_for(timeout=30_000)  # the per-row report
    assert page.get_by_role("button", name="件を取り込む").count() == 0
    assert _count(e2e_store, "select count(*) from places") == before


def test_good_cp932_file_with_address_only_is_geocoded_and_committed(server, page, e2e_store, tmp_path):
    before = _count(e2e_store, "select count(*) from places")
    good = tmp_path / "新しいサロン.csv"
    good.write_bytes("名称,種別,住所,日程\n髙橋さんちのｻﾛﾝ,サロン,埼玉県蕨市南町２－１,第2・第4火曜 13:30〜\n".encode("cp932"))
    _open_import(page, server)
    page.locator("input[type=file]").first.set_input_files(str(good))
    page.get_by_text("文字コード：cp932").wait_for(timeout=30_000)
    page.get_by_text("住所から町丁目の代表点に置いた件数：1").wait_for(timeout=30_000)
    page.get_by_role("button", name="1 件を取り込む").click()
    page.get_by_text("取り込みました：新規 1 件").wait_for(timeout=30_000)
    assert _count(e2e_store, "select count(*) from places") == before + 1
    with sqlite3.connect(e2e_store) as connection:
        row = connection.execute("select visibility, location_precision, rrule, area_id from places "
                                 "where name = '髙橋さんちのｻﾛﾝ'").fetchone()
    assert row == ("internal", "town", "FREQ=MONTHLY;BYDAY=2TU,4TU", "minami")


def test_survey_file_is_reported_per_column_and_unknown_areas_need_consent(server, page, e2e_store, tmp_path):
    before = _count(e2e_store, "select count(*) from survey_batches")
    survey = tmp_path / "ニーズ調査2025.csv"
    rows = ["respondent_id,area_id,age,sex,stairs,forgetful"]
    rows += [f"R{i},{'chuo' if i < 12 else 'nowhere'},{70 + i % 20},{1 + i % 2},{9 if i == 3 else 1},{'' if i == 4 else 2}"
             for i in range(15)]
    survey.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _open_import(page, server)
    page.locator("input[type=file]").nth(1).set_input_files(str(survey))
    page.get_by_text("15 件").first.wait_for(timeout=30_000)
    page.get_by_text("ストアにない圏域IDの回答があります：nowhere（3件）").wait_for(timeout=30_000)
    commit = page.get_by_role("button", name="取り込む", exact=True)
    assert commit.is_disabled()
    page.get_by_text("圏域が不明な回答を、市全体の集計にだけ含めて取り込む").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('button'))"
                           ".some(b => b.innerText.trim() === '取り込む' && !b.disabled)", timeout=30_000)
    commit.click()
    page.get_by_text("取り込みました（調査ID").wait_for(timeout=30_000)
    assert _count(e2e_store, "select count(*) from survey_batches") == before + 1
    assert _count(e2e_store, "select count(*) from survey_responses r join survey_batches b on b.id = r.batch_id "
                             "where b.source_name = 'ニーズ調査2025.csv'") == 15
