"""The import wizard: upload → 列の対応づけ → check (per-row report) → preview → commit (all or nothing)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import select

from dashboard import vocab
from dashboard.errors import InputError
from dashboard.importers.places import MAPPING_TARGETS, map_headers, read_places_sheet, read_table
from dashboard.services import places as place_service
from dashboard.store import models as m
from dashboard.store.engine import read_session, write_session
from dashboard.ui import session
from dashboard.ui.edit_view import LABELS
from dashboard.ui.store import engine
from dashboard.ui.widgets import file_uploader

FILE_TYPES = ["csv", "txt", "xlsx", "geojson", "json", "gpkg"]
SKIP = ""
_STATUS = {"new": "新規", "changed": "変更", "unchanged": "変更なし"}
#: After a committed import: the file it was and the message (the preview is not shown again and
#: the button is disabled until another file is chosen, so one click never imports twice).
_DONE_KEY = "tsudoi_imp_done"


def _saved_mappings() -> dict[str, dict]:
    with read_session(engine()) as db:
        rows = db.execute(select(m.SavedMapping.name, m.SavedMapping.mapping_json)
                          .where(m.SavedMapping.kind == "places")).all()
    return {r.name: json.loads(r.mapping_json) for r in rows}


def _save_mapping(name: str, mapping: dict) -> None:
    with write_session(engine()) as db:
        db.merge(m.SavedMapping(kind="places", name=name, mapping_json=json.dumps(mapping, ensure_ascii=False)))


def problems_table(error: InputError) -> pd.DataFrame:
    return pd.DataFrame([{"行": p.row or "", "列": LABELS.get(p.column, p.column or ""), "内容": p.message_ja}
                         for p in error.problems])


def _column_mapping(frame: pd.DataFrame, saved: dict) -> dict[str, str]:
    """Selectboxes for headers we do not recognise; returns ``{header: field}`` (skipped ones left out)."""
    _, unknown = map_headers(frame.columns, explicit={k: v for k, v in saved.items() if k in frame.columns})
    mapping = {k: v for k, v in saved.items() if k in frame.columns}
    if not unknown:
        return mapping
    st.markdown("**列の対応づけ**：次の列は自動で判別できませんでした。対応する項目を選んでください（取り込まない列はそのまま）。")
    fields = [SKIP] + list(MAPPING_TARGETS)
    columns = st.columns(3)
    for index, header in enumerate(unknown):
        with columns[index % 3]:
            choice = st.selectbox(f"「{header}」", fields, key=f"tsudoi_map_{header}",
                                  format_func=lambda f: "（取り込まない）" if f == SKIP else LABELS.get(f, f))
        if choice != SKIP:
            mapping[header] = choice
    return mapping


def wizard(code: str, city: str, towns: pd.DataFrame) -> None:
    uploaded = file_uploader("資源の一覧ファイル（CSV・Excel・GeoJSON・GeoPackage）", type=FILE_TYPES,
                             key="tsudoi_upload")
    left, right, third = st.columns(3)
    default_category = left.selectbox("種別の列がないときの種別", [""] + list(vocab.CATEGORY_IDS), key="tsudoi_imp_cat",
                                      format_func=lambda c: c or "（指定しない）")
    default_visibility = right.radio("公開区分の列がないとき", ["internal", "public"], format_func=vocab.VISIBILITIES.get,
                                     key="tsudoi_imp_vis", help="個人宅などを誤って公開しないよう、既定は「内部」です。")
    saved = _saved_mappings()
    saved_name = third.selectbox("保存した列の対応づけ", [""] + list(saved), key="tsudoi_imp_saved",
                                 format_func=lambda n: n or "（使わない）")
    if uploaded is None:
        st.caption("テンプレートは「書き出し」タブからダウンロードできます。文字コードは UTF-8 と Shift_JIS（CP932）のどちらでも構いません。")
        return
    token = f"{uploaded.file_id}:{uploaded.name}"
    done = st.session_state.get(_DONE_KEY)
    if done and done["token"] == token:
        st.success(done["message"])
        st.caption("このファイルは取り込み済みです。別のファイルを取り込むときは、ファイルを選び直してください。")
        st.button("取り込み済み", type="primary", key="tsudoi_imp_commit", disabled=True)
        return
    header_key = f"tsudoi_imp_header_{uploaded.file_id}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(uploaded.name).name  # only the base name: never a path from the browser
        path.write_bytes(uploaded.getvalue())
        header_row = st.session_state.get(header_key)
        try:
            sheet = read_places_sheet(path, path.name, header_row=header_row, mapping=saved.get(saved_name))
        except InputError as error:
            st.error("ファイルを読めませんでした。")
            st.dataframe(problems_table(error), hide_index=True, width="stretch")
            _header_choice(None, header_key)
            return
        _header_choice(sheet, header_key)
        frame = sheet.frame
        mapping = _column_mapping(frame, saved.get(saved_name, {}))
        with st.expander("この列の対応づけを保存する"):
            name = st.text_input("名前（例：社協の集いの場一覧）", key="tsudoi_imp_save_name")
            if st.button("保存", key="tsudoi_imp_save") and name.strip():
                _save_mapping(name.strip(), mapping)
                st.success(f"「{name.strip()}」として保存しました。次回から選べます。")
        try:
            checked = place_service.read(engine(), code, path, category=default_category or None,
                                         visibility=default_visibility, mapping=mapping or None, header_row=header_row)
            parsed, preview = checked.parsed, place_service.preview(engine(), code, checked)
        except InputError as error:
            st.error(f"取り込めません：{len(error.problems)} 件の問題があります。ファイルを直してから、もう一度アップロードしてください。"
                     "（一部だけ取り込むことはしません）")
            st.dataframe(problems_table(error), hide_index=True, width="stretch")
            return
    _preview(parsed, preview)
    if st.button(f"{len(parsed.records)} 件を取り込む", type="primary", key="tsudoi_imp_commit"):
        totals = _commit(code, checked)
        if totals is not None:
            st.session_state[_DONE_KEY] = {"token": token, "message": _done_message(totals)}
            st.rerun()


def _done_message(totals: dict[str, int]) -> str:
    return f"取り込みました：新規 {totals['new']} 件・変更 {totals['changed']} 件・変更なし {totals['unchanged']} 件"


def _header_choice(sheet, key: str) -> None:
    """Which row was read as the header, and a choice of another (a title or a 「現在」 line may
    stand above it). ``sheet`` None: the chosen row could not be read; the choice stays open."""
    if sheet is not None and sheet.header_row is None:
        return  # GeoJSON, GeoPackage: no header rows
    rows = sheet.top_rows if sheet is not None else []
    if sheet is not None:
        cells = [c.strip() for c in rows[sheet.header_row - 1] if c.strip()] if sheet.header_row <= len(rows) else []
        how = "見出しの言葉から自動で見つけました" if sheet.header_found else (
            "選んだ行です" if st.session_state.get(key) else "見出しらしい行が見つからないため、最初の行にしました")
        st.info(f"{sheet.header_row}行目を見出しとして読みました（{how}）：{'・'.join(cells)[:120]}")
        if sheet.skipped:
            listed = "、".join(f"{n}行目「{text[:30]}」" for n, text in sheet.skipped)
            st.caption(f"表の下の注記として取り込まない行：{listed}")
    choices = [None] + [i for i, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if st.session_state.get(key) not in choices:
        choices.append(st.session_state.get(key))

    def label(row: int | None) -> str:
        if row is None:
            return "自動で見つける"
        if row > len(rows):
            return f"{row}行目"
        return f"{row}行目：" + " | ".join(c.strip() for c in rows[row - 1] if c.strip())[:60]

    st.selectbox("見出しの行（違うときは選び直してください）", choices, key=key, format_func=label)


def _preview(parsed, preview: pd.DataFrame) -> None:
    counts = preview["status"].value_counts()
    notes = [f"文字コード：{parsed.encoding}" if parsed.encoding else "",
             f"住所から町丁目の代表点に置いた件数：{parsed.geocoded}" if parsed.geocoded else "",
             f"取り込まない列：{'、'.join(parsed.unknown_columns)}" if parsed.unknown_columns else ""]
    st.success(f"問題はありません。新規 {counts.get('new', 0)} 件・変更 {counts.get('changed', 0)} 件・"
               f"変更なし {counts.get('unchanged', 0)} 件")
    for note in filter(None, notes):
        st.caption(note)
    if parsed.unread_schedules:
        listed = "、".join(f"{row}行目「{words}」" for row, words in parsed.unread_schedules[:10])
        more = f" ほか {len(parsed.unread_schedules) - 10} 件" if len(parsed.unread_schedules) > 10 else ""
        st.warning(f"日程を曜日の規則として読めなかった行が {len(parsed.unread_schedules)} 件あります：{listed}{more}。"
                   "書いてあるとおりに取り込み、「要確認」の一覧に出します（地図の曜日の絞り込みには出ません）。")
    st.dataframe(pd.DataFrame({
        "ID": preview["id"], "名称": preview["name"], "結果": preview["status"].map(_STATUS),
        "変わる項目": preview["changed_fields"].map(lambda f: "、".join(LABELS.get(x, x) for x in f)),
    }), hide_index=True, width="stretch")


def _commit(code: str, checked) -> dict[str, int] | None:
    """One transaction (the same service as ``import places``); the progress bar advances per chunk.
    Any error rolls everything back. Returns the counts, or None when nothing was written."""
    user = session.current_user()
    bar = st.progress(0.0, text="取り込んでいます…")
    try:
        report = place_service.commit(engine(), code, checked, user=user.name,
                                      progress=lambda share: bar.progress(share, text="取り込んでいます…"))
    except InputError as error:
        st.error("取り込めませんでした。何も書き込んでいません。")
        st.dataframe(problems_table(error), hide_index=True, width="stretch")
        return
    bar.progress(1.0, text="完了")
    # the message is shown by the wizard after its rerun (with the preview gone), once
    return report.counts


def survey_wizard(code: str, area_ids: set[str]) -> None:
    """Import a needs survey or a needs ↔ helpers survey file, with a per-column report.

    Respondent rows go straight to the store; this screen shows only counts per column.
    """
    from dashboard.survey import schema
    from dashboard.survey.io import read_helpers, read_survey

    kind = st.radio("調査の種類", ["needs", "helpers"], horizontal=True, key="tsudoi_sv_kind",
                    format_func={"needs": "介護予防・日常生活圏域ニーズ調査", "helpers": "助け合い調査（ニーズと担い手）"}.get)
    uploaded = file_uploader("調査結果のファイル（CSV・Excel、1行＝1人／1世帯）", type=["csv", "txt", "xlsx"],
                             key="tsudoi_sv_upload")
    if uploaded is None:
        st.caption("列名は項目ID（stairs, chair_rise …）または「問2(1)」などの設問番号。設問番号は下で対応づけて保存できます。")
        return
    left, right = st.columns(2)
    title = left.text_input("調査の名前", value=Path(uploaded.name).stem, key="tsudoi_sv_title")
    as_of = right.text_input("調査時点（例：令和4年12月）", key="tsudoi_sv_asof")
    targets = list(schema.CANONICAL_COLUMNS) if kind == "needs" else \
        ["respondent_id", "area_id"] + [f"{p}_{i}" for i in schema.HELP_ITEMS for p in ("need", "offer")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(uploaded.name).name
        path.write_bytes(uploaded.getvalue())
        try:
            frame, _ = read_table(path, path.name, header_row=1)  # survey files: the header is row 1
        except InputError as error:
            st.dataframe(problems_table(error), hide_index=True, width="stretch")
            return
        unknown = [c for c in frame.columns if c not in targets]
        mapping = {}
        if unknown:
            st.markdown("**列の対応づけ**（項目IDでない列）")
            columns = st.columns(4)
            for index, header in enumerate(unknown):
                choice = columns[index % 4].selectbox(f"「{header}」", [SKIP] + targets, key=f"tsudoi_sv_map_{header}",
                                                      format_func=lambda f: "（取り込まない）" if f == SKIP else f)
                if choice != SKIP:
                    mapping[header] = choice
        try:
            reader = read_survey if kind == "needs" else read_helpers
            survey = reader(path, area_ids, mapping=mapping or None)
        except InputError as error:
            st.error("取り込めません。ファイルを直してから、もう一度アップロードしてください。")
            st.dataframe(problems_table(error), hide_index=True, width="stretch")
            return
    st.markdown(f"**{len(survey.answers):,} 件**の回答を読みました。列ごとの空欄と無効な値（9・99・「無回答」など）：")
    st.dataframe(survey.report.rename(columns={"column": "項目", "n_valid": "有効", "n_blank": "空欄", "n_invalid": "無効",
                                               "invalid_examples": "無効な値の例"}), hide_index=True, width="stretch")
    allow = True
    if survey.unknown_areas:
        listed = "、".join(f"{a}（{n}件）" for a, n in survey.unknown_areas.items())
        st.warning(f"ストアにない圏域IDの回答があります：{listed}")
        allow = st.checkbox("圏域が不明な回答を、市全体の集計にだけ含めて取り込む", key="tsudoi_sv_allow")
    if st.button("取り込む", type="primary", key="tsudoi_sv_commit", disabled=not allow):
        from dashboard.services.surveys import store_survey

        user = session.current_user()
        with tempfile.TemporaryDirectory() as folder:  # hashed like the CLI does
            path = Path(folder) / Path(uploaded.name).name
            path.write_bytes(uploaded.getvalue())
            batch = store_survey(engine(), code, path, survey, kind=kind, title=title.strip() or uploaded.name,
                                 as_of=as_of.strip() or None, user=user.name)
        st.success(f"取り込みました（調査ID {batch}）。「ニーズ調査」ページで見られます。")
