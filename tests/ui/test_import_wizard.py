"""AppTest of the import wizard with a 社協's salon list (#11): the header row it took and another
one chosen, footnotes named, unread schedules announced, and after a committed import no preview
and a disabled button.

The workbook is the one of tests/dashboard/test_import_municipal_excel.py (title, 「現在」 line and a
blank row above the header on row 4; five salons on rows 5–9; notes on rows 11–13).
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.dashboard.test_import_municipal_excel import salon_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(coordinator_app):
    test = coordinator_app
    test.switch_page("../pages/data.py")
    test.run()
    return test


def _upload(app, tmp_path):
    content = salon_workbook(tmp_path / "サロン一覧.xlsx").read_bytes()
    app.selectbox(key="tsudoi_imp_cat").set_value("サロン")
    app.file_uploader(key="tsudoi_upload").upload("サロン一覧.xlsx", content, XLSX)
    app.run()
    assert not app.exception, [e.value for e in app.exception]


def _count(db_path) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute("select count(*) from places").fetchone()[0]


def test_the_wizard_says_which_row_is_the_header_and_what_it_left_out(app, tmp_path):
    _upload(app, tmp_path)
    infos = [i.value for i in app.info if "見出しとして読みました" in i.value]
    assert infos == ["4行目を見出しとして読みました（見出しの言葉から自動で見つけました）："
                     "サロン名・開催場所・所在地・開催日・時間・対象・連絡先"]
    notes = " ".join(c.value for c in app.caption)
    assert "11行目「※日程は変更になる場合があります。" in notes and "12行目「注）" in notes and "13行目「蕨市社会福祉協議会" in notes
    assert any("新規 5 件" in s.value for s in app.success)
    assert any("9行目「月2回程度 13:00～15:00」" in w.value for w in app.warning)
    assert [b.label for b in app.button if b.key == "tsudoi_imp_commit"] == ["5 件を取り込む"]


def test_another_header_row_can_be_chosen_and_the_automatic_one_restored(app, tmp_path):
    _upload(app, tmp_path)
    app.selectbox(key=next(s.key for s in app.selectbox if s.key.startswith("tsudoi_imp_header_"))).set_value(1).run()
    assert any("1行目を見出しとして読みました（選んだ行です）" in i.value for i in app.info)
    assert any("取り込めません" in e.value for e in app.error)  # the title row names no field
    assert not [b for b in app.button if b.key == "tsudoi_imp_commit"]
    app.selectbox(key=next(s.key for s in app.selectbox if s.key.startswith("tsudoi_imp_header_"))).set_value(None).run()
    assert any("新規 5 件" in s.value for s in app.success)


def test_after_a_committed_import_the_preview_is_gone_and_the_button_disabled(app, tmp_path, demo_db_copy):
    before = _count(demo_db_copy)
    _upload(app, tmp_path)
    next(b for b in app.button if b.key == "tsudoi_imp_commit").click().run()
    assert not app.exception
    assert _count(demo_db_copy) == before + 5
    assert any(s.value == "取り込みました：新規 5 件・変更 0 件・変更なし 0 件" for s in app.success)
    commit = [b for b in app.button if b.key == "tsudoi_imp_commit"]
    assert [(b.label, b.disabled) for b in commit] == [("取り込み済み", True)]
    assert not any("結果" in d.value.columns for d in app.dataframe)  # the preview table is gone
    app.run()  # any later rerun (another widget) keeps it that way: one click never imports twice
    assert [(b.label, b.disabled) for b in app.button if b.key == "tsudoi_imp_commit"] == [("取り込み済み", True)]
    assert _count(demo_db_copy) == before + 5


def test_the_survey_upload_beside_it_still_reads_its_columns(app):
    rows = ["respondent_id,area_id,age,sex,stairs"] + [f"R{i},chuo,{70 + i},{1 + i % 2},1" for i in range(12)]
    app.file_uploader(key="tsudoi_sv_upload").upload("ニーズ調査.csv", ("\n".join(rows) + "\n").encode(), "text/csv")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("**12 件**の回答を読みました" in m.value for m in app.markdown)
