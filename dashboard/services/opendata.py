"""Open data (``python -m dashboard export opendata``): a city's published places as a
自治体標準オープンデータセット 正式版-style CSV and as GeoJSON, with a README (Japanese) of the fields,
the licence, the as-of dates and the attribution.

The places are exactly those of the published copy (:func:`dashboard.services.publish.published_places`:
public and not closed, public fields only), so the open data never say more than the public site.
The CSV has no status column in 正式版, so a paused place says 「休止中」 in 備考 (our internal notes are
never written there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from dashboard import exports, sources, vocab
from dashboard.jis import local_government_code
from dashboard.normalize import is_missing
from dashboard.services.publish import PUBLISHED_STATUSES, public_city_facts, published_places
from dashboard.store import reads

DEFAULT_LICENCE = "CC BY 4.0"
#: Licences we can link to; any other text is written as given.
LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/deed.ja",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.ja",
    "CC BY 2.1 JP": "https://creativecommons.org/licenses/by/2.1/jp/",
}

#: What each column of the 正式版-style CSV holds (keys: :data:`dashboard.exports.ODS_COLUMNS`).
CSV_FIELD_NOTES = {
    "全国地方公共団体コード": "6桁（検査数字つき）。全行同じ",
    "ID": "つどいマップでの資源の番号。版を重ねても変わりません",
    "地方公共団体名": "都道府県名＋市区町村名。全行同じ",
    "名称": "資源の名称（届け出のまま）",
    "名称_カナ": "名称のよみがな（分かるものだけ）",
    "種別": "次のいずれか：" + "、".join(vocab.CATEGORY_IDS),
    "所在地_連結表記": "住所",
    "所在地_都道府県": "空欄（住所は 所在地_連結表記 にまとめています）",
    "所在地_市区町村": "空欄（同上）",
    "所在地_町字": "空欄（同上）",
    "所在地_番地以下": "空欄（同上）",
    "建物名等": "空欄（同上）",
    "緯度": "世界測地系の緯度（度、EPSG:4326）",
    "経度": "世界測地系の経度（度、EPSG:4326）",
    "電話番号": "公開用の連絡先（電話番号など）。内部の連絡先は含みません",
    "開催日時": "開催日時の表示用の文（例：毎週水曜 10:00〜11:30）",
    "対象者": "次のいずれかを「・」でつないだもの：" + "、".join(vocab.TARGETS),
    "定員": "人数（整数）。分からないときは空欄",
    "参加費": "参加費（文のまま。例：100円、無料）",
    "URL": "案内のページ",
    "備考": f"休止中の資源は「{vocab.STATUSES['paused']}」。ほかは空欄（内部の備考は公開しません）",
    "最終確認日": "活動していることを最後に確かめた日（YYYY-MM-DD）",
}

#: What each GeoJSON property holds (keys: :data:`dashboard.store.reads.PUBLIC_PLACE_FIELDS` without lat/lon).
GEOJSON_FIELD_NOTES = {
    "id": "資源の番号（CSV の ID と同じ）",
    "name": "名称",
    "name_kana": "名称のよみがな",
    "category": "種別（CSV と同じ語）",
    "status": "状態：" + "、".join(f"{k}＝{vocab.STATUSES[k]}" for k in PUBLISHED_STATUSES) + "（終了したものは含みません）",
    "address": "住所",
    "location_precision": "位置の精度：" + "、".join(f"{k}＝{v}" for k, v in vocab.LOCATION_PRECISIONS.items()),
    "area_id": "日常生活圏域の番号",
    "town_code": "町丁目のコード（国勢調査 小地域）",
    "rrule": "繰り返し規則（iCalendar RRULE。例：FREQ=WEEKLY;BYDAY=WE は毎週水曜）",
    "schedule_text": "開催日時の表示用の文",
    "frequency_class": "開催頻度：" + "、".join(f"{k}＝{v}" for k, v in vocab.FREQUENCY_CLASSES.items()),
    "operator_type": "運営主体（厚生労働省 通いの場類型化 Ver.1.0）",
    "venue_type": "場所の種類（同上）",
    "activities": "活動内容（「・」でつないだもの）",
    "target": "対象者（「・」でつないだもの）",
    "capacity": "定員（人）",
    "fee": "参加費",
    "transport": "送迎の有無（true／false、空は不明）",
    "barrier_free": "バリアフリーの有無（true／false、空は不明）",
    "contact_public": "公開用の連絡先",
    "url": "案内のページ",
    "last_verified": "最終確認日（YYYY-MM-DD）",
    "source": "この資源の情報の出どころ",
    "is_synthetic": "true のものはデモ用のサンプル（架空）で、実在しません",
}


@dataclass
class OpenDataReport:
    files: list[Path] = field(default_factory=list)
    places: int = 0
    synthetic: int = 0


def export_opendata(engine: Engine, code: str, out_dir: Path, *, licence: str = DEFAULT_LICENCE,
                    today: date | None = None) -> OpenDataReport:
    """Write ``<code6>_places.csv``, ``<code6>_places.geojson`` and ``README.md`` to ``out_dir``.

    ``licence`` is the text written in the README (default CC BY 4.0; a known licence gets its link).
    ``today`` is the 作成日 (default: today)."""
    licence = licence.strip()
    if not licence:
        raise ValueError("ライセンスが空です（例：CC BY 4.0）")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    city = reads.municipalities(engine).set_index("code").loc[code]
    places = published_places(engine, code)
    code6 = local_government_code(code)
    csv_path, geojson_path, readme_path = (out_dir / f"{code6}_places.csv", out_dir / f"{code6}_places.geojson",
                                           out_dir / "README.md")
    csv_path.write_bytes(exports.places_ods_csv(_with_status_note(places), code, city["name"], city["prefecture"]))
    geojson_path.write_bytes(exports.json_bytes(exports.places_geojson(places)))
    readme = readme_text(places, code, city["name"], city["prefecture"], public_city_facts(engine, code), licence,
                         today or date.today(), csv_path.name, geojson_path.name)
    readme_path.write_text(readme, encoding="utf-8")
    synthetic = int(places["is_synthetic"].fillna(False).astype(bool).sum())
    return OpenDataReport([csv_path, geojson_path, readme_path], len(places), synthetic)


def _with_status_note(places: pd.DataFrame) -> pd.DataFrame:
    """A copy with a ``notes`` column that says 休止中 for paused places (filled into the CSV's 備考)."""
    paused = places["status"] == "paused"
    return places.assign(notes=[vocab.STATUSES["paused"] if p else None for p in paused])


def readme_text(places: pd.DataFrame, code: str, name: str, prefecture: str, meta: dict, licence: str,
                today: date, csv_name: str, geojson_name: str) -> str:
    """The README (Markdown, Japanese) of an open-data folder."""
    city = f"{prefecture}{name}"
    licence_line = licence + (f"（{LICENCE_URLS[licence]}）" if licence in LICENCE_URLS else "")
    verified = [v for v in places["last_verified"] if not is_missing(v)]
    synthetic = int(places["is_synthetic"].fillna(False).astype(bool).sum())
    lines = [
        f"# {city} 地域の集いの場・通いの場など（オープンデータ）",
        "",
        f"{city}の地域の社会資源（サロン・通いの場・居場所など）のうち、住民向けに公開しているものの一覧です。"
        "つどいマップ（生活支援体制整備事業の地図）から書き出しました。",
        "",
        f"- 作成日：{today.isoformat()}",
        f"- 件数：{len(places)} 件（公開しているもの。うち休止中 {int((places['status'] == 'paused').sum())} 件）",
        f"- 最終確認日：最も新しいもの {max(verified).isoformat() if verified else '記録なし'}（資源ごとの日付は「最終確認日」）",
        f"- 施設データの時点：{meta.get('facilities_as_of') or '記録なし'}",
        f"- 全国地方公共団体コード：{local_government_code(code)}",
        f"- ライセンス：{licence_line}",
        f"- 利用するときは「{city}」と、下の「出典」を表示してください。",
        "",
        "## ファイル",
        "",
        "| ファイル | 内容 |",
        "|---|---|",
        f"| {csv_name} | 自治体標準オープンデータセット（正式版）の項目名にそろえた CSV（UTF-8 BOM 付き、Excel で開けます） |",
        f"| {geojson_name} | 同じ資源の GeoJSON（点。世界測地系の経度・緯度、RFC 7946） |",
        "| README.md | このファイル |",
        "",
        "## CSV の項目",
        "",
        "| 項目名 | 内容 |",
        "|---|---|",
        *(f"| {header} | {CSV_FIELD_NOTES[header]} |" for header, _ in exports.ODS_COLUMNS),
        "",
        "正式版の項目のうち、つどいマップに対応するデータがないもの（名称_英字、法人番号、画像など）は含みません。",
        "",
        "## GeoJSON の項目（properties）",
        "",
        "| 項目 | 日本語名 | 内容 |",
        "|---|---|---|",
        *(f"| {f} | {exports.PLACE_HEADERS_JA.get(f, f)} | {GEOJSON_FIELD_NOTES[f]} |"
          for f in reads.PUBLIC_PLACE_FIELDS if f not in ("lat", "lon")),
        "",
        "## 含まないもの",
        "",
        "公開区分が「非公開」の資源（個人宅など）、終了した資源、内部の連絡先と備考、"
        "ニーズ調査の回答は含みません。",
    ]
    if synthetic:
        lines += ["", "## サンプル（架空）のデータ", "",
                  f"このデータには、デモ用の{sources.SYNTHETIC_NOTICE}の資源が {synthetic} 件含まれます"
                  "（GeoJSON の is_synthetic が true、名称に「サンプル（架空）」）。実在しません。"]
    lines += ["", "## 出典", "", "```", sources.city_attribution(meta), "```", ""]
    return "\n".join(lines)
