"""活動記録と地域の声 (#16) on screen: the list with filters, the form (with the privacy check before
saving), follow-ups, voices counted by area and tag, the yearly report, import and export — and the
small pieces other pages show: the coverage page's area card and the council slide's card.

Everything goes through :mod:`dashboard.services.records` (the CLI calls the same functions). Reads
are cached per store revision, like :mod:`dashboard.ui.store`.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.council import Headline
from dashboard.errors import InputError
from dashboard.records import vocab
from dashboard.records.entries import FOLLOWUP_STATUSES, FollowUp, RecordInput, VoiceEntry
from dashboard.services import records as service
from dashboard.settings import database_url
from dashboard.ui import session
from dashboard.ui.store import current_revision, engine
from dashboard.ui.text import md_escape
from dashboard.ui.widgets import choice_texts, file_uploader

PAGE = "../pages/records.py"
_FORM_COUNTER = "tsudoi_rec_new_counter"
_PENDING = "tsudoi_rec_pending"  # a save waiting for the user's answer to the privacy warning
_OPEN = "tsudoi_rec_open"  # the record opened for editing
_OPEN_NEXT = "tsudoi_rec_open_next"  # set after a save or a delete; applied before the selectbox is drawn
_NONE = ""


# --- cached reads (keyed by the store revision) -------------------------------------------------------

@st.cache_data(show_spinner=False)
def _records(url: str, code: str, rev: int, start, end, kinds: tuple, area_id, tag, text):
    return service.records_table(engine(), code, start=start, end=end, kinds=kinds or None, area_id=area_id,
                                 tag=tag, text=text)


@st.cache_data(show_spinner=False)
def _summaries(url: str, code: str, rev: int):
    return service.voice_summaries(engine(), code)


def summaries(code: str) -> dict:
    """:func:`dashboard.services.records.voice_summaries` of the city, cached per store revision."""
    return _summaries(database_url(), code, current_revision())


def _user() -> str:
    user = session.current_user()
    return user.name if user is not None else "unknown"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the pieces other pages show ----------------------------------------------------------------------

def voices_card(code: str, area_id: str | None, area_name: str) -> None:
    """「地域の声（活動記録から）」 under the coverage page's numbers: voices counted by tag for the area
    (or the city), the period, and a link to the records page."""
    summary = summaries(code).get(area_id, service.VoiceSummary(0, (), 0, None, None, 0))
    with st.container(border=True, key="tsudoi_voices_card"):
        st.markdown(f"**地域の声（活動記録から）— {md_escape(area_name)}**")
        if summary.total == 0:
            st.caption("この範囲の地域の声はまだ記録されていません。")
        else:
            st.markdown(md_escape(f"{summary.total} 件：{summary.tag_line(8, '件')}")
                        + (md_escape(f"（タグなし {summary.untagged} 件）") if summary.untagged else ""))
            st.caption(f"{summary.records} 件の活動記録、{_day(summary.first)}〜{_day(summary.last)}。"
                       "1件の声に2つのタグがあればそれぞれに数えます。")
        st.page_link(PAGE, label="活動記録を開く", icon=":material/edit_note:")


#: The council card's note must stay on one line at 1280×720 (24 px in a ~510 px card): this many characters.
COUNCIL_NOTE_CHARS = 18


def council_cards(code: str, area_id: str | None) -> list[Headline]:
    """The slide's 地域の声 card — how many voices residents gave in the area (or the city) in the
    activity records, and the most frequent tags as far as one line holds — or no card when the city
    has recorded no voices at all (the slide keeps its four)."""
    found = summaries(code)
    if found[None].total == 0:
        return []
    summary = found.get(area_id, service.VoiceSummary(0, (), 0, None, None, 0))
    if summary.total == 0:
        return [Headline("地域の声（活動記録）", "0件", "この圏域ではまだ記録なし")]
    note = ""
    for tag, count in summary.by_tag:
        longer = f"{note}・{tag}{count}" if note else f"多い順：{tag}{count}"
        if len(longer) > COUNCIL_NOTE_CHARS and note:
            break
        note = longer
    return [Headline("地域の声（活動記録）", f"{summary.total}件", note or "タグなし")]


# --- list ---------------------------------------------------------------------------------------------

def filters(code: str, names: dict[str, str]) -> dict:
    """Period, kinds, area, tag, words; returns keyword arguments of ``records_table``."""
    cols = st.columns([2, 2, 2, 2, 3])
    years = ["", *map(str, service.fiscal_years(engine(), code))]
    year = cols[0].selectbox("年度", years, key="tsudoi_rec_f_year", format_func=lambda y: f"{y}年度" if y else "すべて")
    kinds = cols[1].multiselect("種別", vocab.RECORD_KINDS, key="tsudoi_rec_f_kinds", placeholder="すべて")
    area = cols[2].selectbox("圏域", [_NONE, *names], key="tsudoi_rec_f_area", format_func=lambda a: names.get(a, "すべて"))
    tag = cols[3].selectbox("地域の声のタグ", [_NONE, *vocab.tag_names()], key="tsudoi_rec_f_tag",
                            format_func=lambda t: t or "すべて")
    text = cols[4].text_input("ことばで探す（概要・地域の声）", key="tsudoi_rec_f_text")
    start, end = service.fiscal_year_period(int(year)) if year else (None, None)
    return {"start": start, "end": end, "kinds": tuple(kinds), "area_id": area or None, "tag": tag or None,
            "text": text.strip() or None}


def record_list(code: str, chosen: dict) -> pd.DataFrame:
    table = _records(database_url(), code, current_revision(), chosen["start"], chosen["end"], chosen["kinds"],
                     chosen["area_id"], chosen["tag"], chosen["text"])
    st.markdown(f"**{len(table)} 件**")
    if table.empty:
        st.info("条件に合う活動記録はありません。「新しい記録」から記録できます。")
        return table
    shown = pd.DataFrame({"ID": table["id"], "日付": table["held_on"], "種別": table["kind"], "圏域": table["areas"],
                          "場所": table["place"], "概要": table["summary"],
                          "参加人数": table["participants"].map(lambda n: "" if pd.isna(n) else f"{int(n)}人"),
                          "地域の声": table["voices"], "未完了": table["followups_open"], "完了": table["followups_closed"],
                          "添付": table["attachments"]})
    st.dataframe(shown, hide_index=True, width="stretch", key="tsudoi_rec_table")
    return table


def open_select(table: pd.DataFrame) -> int | None:
    """「記録を開く」: which record of the list to show and edit."""
    options = [None, *table["id"].tolist()]
    if _OPEN_NEXT in st.session_state:
        st.session_state[_OPEN] = st.session_state.pop(_OPEN_NEXT)
    labels = {r.id: f"{r.held_on:%Y-%m-%d} {r.kind} {r.areas or '市全体'}（ID {r.id}）" for r in table.itertuples()}
    if st.session_state.get(_OPEN) not in options:
        st.session_state[_OPEN] = None
    return st.selectbox("記録を開く", options, key=_OPEN, format_func=lambda i: labels.get(i, "（選んでください）"))


# --- form ---------------------------------------------------------------------------------------------

def _voice_lines(record: RecordInput) -> str:
    return "\n".join((f"【{'・'.join(v.tags)}】" if v.tags else "") + v.text for v in record.voices)


def _followup_frame(record: RecordInput | None) -> pd.DataFrame:
    items = record.followups if record else ()
    return pd.DataFrame({"内容": pd.Series([f.text for f in items], dtype=str),
                         "担当": pd.Series([f.owner for f in items], dtype=str),
                         "期限": pd.to_datetime(pd.Series([f.due_on for f in items], dtype=object)),
                         "完了": pd.Series([f.status == "closed" for f in items], dtype=bool)})


def _followups_from(frame: pd.DataFrame, before: RecordInput | None) -> tuple[FollowUp, ...]:
    closed_before = {f.text: f.closed_on for f in (before.followups if before else ()) if f.status == "closed"}
    items = []
    for row in frame.itertuples(index=False):
        text = "" if pd.isna(row[0]) else str(row[0]).strip()
        if not text:
            continue
        owner = "" if pd.isna(row[1]) else str(row[1])
        due = row[2] if isinstance(row[2], date) else (row[2].date() if hasattr(row[2], "date") and not pd.isna(row[2])
                                                       else None)
        done = bool(row[3]) if not pd.isna(row[3]) else False
        items.append(FollowUp(text, owner, due, "closed" if done else "open",
                              (closed_before.get(text) or date.today()) if done else None))
    return tuple(items)


def record_form(code: str, names: dict[str, str], places: pd.DataFrame, detail=None) -> None:
    """The form for a new record (``detail`` None) or for editing one. On 保存, the privacy check runs
    first: findings are listed and nothing is saved until the user chooses 「このまま保存する」."""
    record = detail.record if detail else None
    key = f"tsudoi_rec_form_{detail.id}_{detail.version}" if detail else \
        f"tsudoi_rec_form_new_{st.session_state.get(_FORM_COUNTER, 0)}"
    place_names = dict(zip(places["id"], places["name"]))
    with st.form(key, border=True):
        left, middle, right = st.columns(3)
        held_on = left.date_input("日付（必須）", value=record.held_on if record else date.today(), key=f"{key}_date",
                                  format="YYYY-MM-DD")
        kind = middle.selectbox("種別（必須）", vocab.RECORD_KINDS, key=f"{key}_kind",
                                index=vocab.RECORD_KINDS.index(record.kind) if record and record.kind in vocab.RECORD_KINDS else 0)
        participants = right.number_input("参加人数", min_value=0, step=1, value=record.participants if record else None,
                                          key=f"{key}_participants", placeholder="（不明なら空欄）")
        area_ids = st.multiselect("圏域（複数可。市全体の活動なら空のまま）", list(names), key=f"{key}_areas", **choice_texts(names),
                                  default=[a for a in (record.area_ids if record else ()) if a in names],
                                  format_func=lambda a: names.get(a, a))
        place_options = [_NONE, *place_names]
        place = st.selectbox("場所（資源から選ぶ）", place_options, key=f"{key}_place",
                             index=place_options.index(record.place_id) if record and record.place_id in place_names else 0,
                             format_func=lambda p: place_names.get(p, "（なし）"))
        summary = st.text_area("概要", value=record.summary if record else "", key=f"{key}_summary", height=120,
                               help="何をして、何がわかったか。個人名・住所・電話番号は書きません。")
        voices = st.text_area("地域の声（1行に1件。【】でタグ：【買い物・移動】バス停まで遠い）",
                              value=_voice_lines(record) if record else "", key=f"{key}_voices", height=120)
        st.caption("タグ：" + "、".join(vocab.tag_names()) + "（語彙は data/vocab/needs_tags.csv で足せます）")
        st.markdown("フォローアップ（担当は役割や所属で：第2層SC、地域包括など）")
        frame = st.data_editor(_followup_frame(record), num_rows="dynamic", key=f"{key}_followups", hide_index=True,
                               width="stretch", column_config={
                                   "内容": st.column_config.TextColumn("内容", required=True),
                                   "担当": st.column_config.TextColumn("担当"),
                                   "期限": st.column_config.DateColumn("期限", format="YYYY-MM-DD"),
                                   "完了": st.column_config.CheckboxColumn("完了", default=False)})
        submitted = st.form_submit_button("保存", type="primary")
    if submitted:
        parsed = _parse_voice_lines(voices, area_ids)
        if parsed is None:
            return
        entry = RecordInput(held_on=held_on, kind=kind, area_ids=tuple(area_ids), place_id=place or None,
                            participants=None if participants is None else int(participants), summary=summary,
                            followups=_followups_from(frame, record), voices=parsed)
        st.session_state[_PENDING] = None
        _save(code, key, entry, detail, acknowledge=False)
    _pending_prompt(code, key, detail)


def _parse_voice_lines(text: str, area_ids) -> tuple[VoiceEntry, ...] | None:
    voices = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = vocab.parse_voices(line)
        except vocab.UnknownTag as error:
            st.error(f"地域の声 {number} 行目：タグ「{md_escape(error.tag)}」は語彙にありません（使えるもの："
                     f"{'、'.join(vocab.tag_names())}）")
            return None
        except ValueError as error:
            st.error(f"地域の声 {number} 行目：{md_escape(error)}")
            return None
        voices += [VoiceEntry(v.text, v.tags) for v in parsed]
    return tuple(voices)


def _save(code: str, key: str, entry: RecordInput, detail, *, acknowledge: bool) -> None:
    try:
        record_id, version = service.save_record(
            engine(), code=code, record=entry, user=_user(), record_id=detail.id if detail else None,
            base_version=detail.version if detail else None, base=detail.record if detail else None,
            acknowledge_privacy=acknowledge)
    except service.PrivacyWarning as warning:
        st.session_state[_PENDING] = {"key": key, "record": entry, "findings": warning.findings}
        return
    except InputError as error:
        st.error("保存できませんでした：\n\n" + "\n".join(f"- {md_escape(p.message_ja)}" for p in error.problems))
        return
    except service.RecordConflict as conflict:
        lines = [f"- {service.FIELD_LABELS.get(f, f)}：いま「{md_escape(theirs)[:80]}」" for f, (theirs, _) in conflict.theirs.items()]
        st.error("この記録は、開いたあとに別の人が変更しました。保存していません。入力した内容は画面に残っています。"
                 "記録を開き直して確かめてください。\n\n" + "\n".join(lines))
        return
    st.session_state[_PENDING] = None
    if detail is None:
        st.session_state[_FORM_COUNTER] = st.session_state.get(_FORM_COUNTER, 0) + 1
        st.session_state[_OPEN_NEXT] = record_id
    st.session_state["tsudoi_rec_saved"] = f"保存しました（ID {record_id}、版 {version}）"
    st.rerun()


def _pending_prompt(code: str, key: str, detail) -> None:
    pending = st.session_state.get(_PENDING)
    if not pending or pending["key"] != key:
        return
    with st.container(border=True, key="tsudoi_rec_privacy"):
        st.warning("個人を特定できる情報が含まれているかもしれません。活動記録に個人名・住所（番地）・電話番号・"
                   "メールアドレスは要りません。書き換えてからもう一度「保存」を押してください。")
        for finding in pending["findings"]:
            st.markdown(f"- {md_escape(finding.message())}")
        left, right = st.columns(2)
        if left.button("確かめたので、このまま保存する", key=f"{key}_ack"):
            _save(code, key, pending["record"], detail, acknowledge=True)
        if right.button("保存しないで書き直す", key=f"{key}_back"):
            st.session_state[_PENDING] = None
            st.rerun()


def saved_notice() -> None:
    message = st.session_state.pop("tsudoi_rec_saved", None)
    if message:
        st.success(message)


# --- one record: attachments, follow-ups, audit, delete -----------------------------------------------

def attachments(code: str, detail) -> None:
    st.markdown(f"**添付（{len(detail.attachments)} 件）** PDF・JPEG・PNG、1件 "
                f"{service.MAX_ATTACHMENT_BYTES // 1024 // 1024} MB まで。人の顔や名前が写った写真は載せないでください。")
    for item in detail.attachments:
        left, right = st.columns([4, 1])
        left.download_button(f"{md_escape(item.file_name)}（{item.size_bytes / 1024:,.0f} KB）",
                             lambda i=item.id: service.attachment(engine(), i, code)[2], file_name=item.file_name,
                             mime=item.media_type, key=f"tsudoi_rec_att_{item.id}", on_click="ignore")
        if right.button("削除", key=f"tsudoi_rec_att_del_{item.id}"):
            service.remove_attachment(engine(), attachment_id=item.id, user=_user(), code=code)
            st.rerun()
    uploaded = file_uploader("ファイルを添付", type=["pdf", "jpg", "jpeg", "png"], key=f"tsudoi_rec_upload_{detail.id}")
    if uploaded is not None and st.button("添付する", key=f"tsudoi_rec_attach_{detail.id}"):
        try:
            service.add_attachment(engine(), record_id=detail.id, file_name=uploaded.name, data=uploaded.getvalue(),
                                   user=_user(), code=code)
        except InputError as error:
            st.error("\n".join(md_escape(p.message_ja) for p in error.problems))
            return
        st.rerun()


def audit(record_id: int) -> None:
    log = service.record_audit(engine(), record_id)
    with st.expander(f"変更履歴（{len(log)} 件）"):
        shown = log.assign(field=log["field"].map(lambda f: service.FIELD_LABELS.get(f, f)),
                           action=log["action"].map(lambda a: service.ACTION_LABELS.get(a, a)))
        st.dataframe(shown.rename(columns={"changed_at": "日時（UTC）", "changed_by": "変更者", "action": "操作",
                                           "field": "項目", "old_value": "変更前", "new_value": "変更後"}),
                     hide_index=True, width="stretch")


def delete(code: str, detail) -> None:
    with st.expander("この記録を削除する"):
        st.caption("フォローアップ・地域の声・添付も消えます。変更履歴には削除したことと内容が残ります。")
        sure = st.checkbox("削除してよいことを確かめました", key=f"tsudoi_rec_del_sure_{detail.id}")
        if st.button("削除", key=f"tsudoi_rec_del_{detail.id}", disabled=not sure):
            service.delete_record(engine(), record_id=detail.id, user=_user(), code=code)
            st.session_state[_OPEN_NEXT] = None
            st.rerun()


# --- follow-ups, voices, report, import/export --------------------------------------------------------

def followups(code: str) -> None:
    show_closed = st.toggle("完了したものも表示", key="tsudoi_rec_fu_all")
    table = service.followups_table(engine(), code, status=None if show_closed else "open")
    st.markdown(f"**{len(table)} 件**（期限切れ {int(table['overdue'].sum())} 件）")
    if table.empty:
        st.caption("フォローアップはありません。")
        return
    st.dataframe(pd.DataFrame({
        "記録ID": table["record_id"], "活動日": table["held_on"], "種別": table["kind"], "圏域": table["areas"],
        "内容": table["text"], "担当": table["owner"], "期限": table["due_on"],
        "状態": table["status"].map(FOLLOWUP_STATUSES), "完了日": table["closed_on"],
        "期限切れ": table["overdue"].map({True: "期限切れ", False: ""})}), hide_index=True, width="stretch")
    labels = {r.followup_id: f"{r.text}（記録ID {r.record_id}、{FOLLOWUP_STATUSES[r.status]}）" for r in table.itertuples()}
    chosen = st.selectbox("フォローアップを選ぶ", list(labels), key="tsudoi_rec_fu_pick", format_func=labels.get)
    status = table.set_index("followup_id").at[chosen, "status"]
    label = "完了にする" if status == "open" else "未完了に戻す"
    if st.button(label, key="tsudoi_rec_fu_toggle"):
        service.set_followup_status(engine(), followup_id=chosen, closed=status == "open", user=_user(), code=code)
        st.rerun()


def voices(code: str, names: dict[str, str]) -> None:
    """Voices counted by area × tag (the numbers the karte and the council slides show), then the list."""
    table = service.voices_table(engine(), code)
    if table.empty:
        st.info("地域の声はまだ記録されていません。活動記録の「地域の声」に1行1件で書くと、ここで圏域×タグに数えます。")
        return
    rows = {**names, None: "圏域の指定なし"}
    counts = pd.DataFrame(0, index=list(rows.values()) + ["市全体"], columns=list(vocab.tag_names()) + ["声の件数"])
    for area_id, tags in zip(table["area_id"], table["tags"]):
        row = rows.get(area_id, "圏域の指定なし")
        for target in (row, "市全体"):
            counts.at[target, "声の件数"] += 1
            for tag in tags:
                if tag not in counts.columns:
                    counts[tag] = 0
                counts.at[target, tag] += 1
    st.markdown("**圏域×タグの件数**（1件の声に2つのタグがあればそれぞれに数えます）")
    st.dataframe(counts, width="stretch")
    area = st.selectbox("圏域で絞る", [_NONE, *names], key="tsudoi_rec_v_area", format_func=lambda a: names.get(a, "すべて"))
    tag = st.selectbox("タグで絞る", [_NONE, *vocab.tag_names()], key="tsudoi_rec_v_tag", format_func=lambda t: t or "すべて")
    shown = table
    if area:
        shown = shown[shown["area_id"] == area]
    if tag:
        shown = shown[shown["tags"].map(lambda t: tag in t)]
    st.dataframe(pd.DataFrame({"日付": shown["held_on"], "種別": shown["kind"], "圏域": shown["area"],
                               "タグ": shown["tags"].map("・".join), "地域の声": shown["text"], "記録ID": shown["record_id"]}),
                 hide_index=True, width="stretch")


def yearly_report(code: str, city: str) -> None:
    today_year = service.fiscal_year_of(date.today())
    years = sorted({today_year, *service.fiscal_years(engine(), code)}, reverse=True)
    year = st.selectbox("年度", years, key="tsudoi_rec_report_year", format_func=lambda y: f"{y}年度（{y}年4月〜{y + 1}年3月）")
    report = service.yearly_report(engine(), code, year)
    st.caption(f"活動 {report.city.activities} 件・参加人数（延べ） {report.city.participants:,} 人・"
               f"フォローアップ 完了 {report.city.followups_closed} / 未完了 {report.city.followups_open}・"
               f"地域の声 {report.city.voices} 件")
    left, right = st.columns(2)
    left.download_button("協議体用の資料（PDF）", lambda: service.yearly_report_pdf(engine(), code, year),
                         file_name=f"活動の振り返り_{city}_{year}年度.pdf", mime="application/pdf",
                         key="tsudoi_rec_report_pdf", on_click="ignore")
    right.download_button("報告書用の表（Excel）", lambda: service.yearly_report_xlsx(engine(), code, year),
                          file_name=f"活動の振り返り_{city}_{year}年度.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key="tsudoi_rec_report_xlsx", on_click="ignore")


def import_export(code: str, city: str) -> None:
    st.markdown("**取り込み**：CSV（UTF-8・Shift_JIS）か Excel。列は 日付・種別・圏域・参加人数・概要・地域の声"
                "（複数の声は「／」で区切り、先頭の【】にタグ：【買い物・移動】バス停まで遠い）。同じ記録は二重に取り込みません。")
    uploaded = file_uploader("記録の一覧", type=["csv", "xlsx"], key="tsudoi_rec_import_file")
    if uploaded is not None:
        suffix = Path(uploaded.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(uploaded.getvalue())
            try:
                checked = service.read_import(engine(), code, path, name=uploaded.name)
            except InputError as error:
                st.error("取り込めません（何も保存していません）：\n\n"
                         + "\n".join(f"- {md_escape(p)}" for p in error.problems[:50]))
                return
        st.markdown(f"{len(checked.records)} 件を取り込めます（既にある {len(checked.duplicates)} 件は除きます）。")
        accept = False
        if checked.findings:
            st.warning("個人を特定できる情報のように見えるものがあります：\n\n"
                       + "\n".join(f"- {md_escape(p)}" for p in service.privacy_problems(checked)))
            accept = st.checkbox("確かめたので、このまま取り込む", key="tsudoi_rec_import_accept")
        if st.button("取り込む", key="tsudoi_rec_import_go", disabled=not checked.records or (checked.findings and not accept)):
            counts = service.commit_import(engine(), code, checked, user=_user(), acknowledge_privacy=accept)
            st.success(f"{counts['new']} 件を取り込みました。")
    st.markdown("**書き出し**：すべての活動記録・地域の声・フォローアップを Excel に（内部資料）。")
    st.download_button("活動記録を Excel で保存", lambda: service.export_workbook(engine(), code),
                       file_name=f"活動記録_{city}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="tsudoi_rec_export", on_click="ignore")
