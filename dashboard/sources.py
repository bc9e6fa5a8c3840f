"""Attribution texts that must appear with the data (about page, footer, exports, PDFs)."""

#: From data/warabi/SOURCES.md — required by the publishers' terms.
WARABI_ATTRIBUTION = """出典：
・政府統計の総合窓口(e-Stat)（https://www.e-stat.go.jp/）
  「平成27年国勢調査 小地域（町丁・字等別）境界データ」（総務省統計局）を加工して作成
  「令和2年国勢調査に関する地域メッシュ統計（250mメッシュ・人口及び世帯 T001142）」（総務省統計局）を加工して作成
・「国土数値情報（行政区域データ）」（国土交通省）（https://nlftp.mlit.go.jp/ksj/）を加工して作成
・国土地理院「指定緊急避難場所・指定避難所データ」（https://www.gsi.go.jp/bousaichiri/hinanbasho.html）を加工して作成
・厚生労働省「介護サービス情報公表システム」オープンデータ（https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html）を加工して作成
・Geolonia 住所データ（CC BY 4.0, https://github.com/geolonia/japanese-addresses）
※町丁目別2020年推計値は250mメッシュ統計を面積按分した推計であり、公表値ではありません。"""

#: One line for the page footer.
WARABI_FOOTER = ("出典：e-Stat（総務省統計局）国勢調査 小地域境界・地域メッシュ統計を加工、国土数値情報（国土交通省）を加工、"
                 "国土地理院 指定緊急避難場所・指定避難所データを加工、厚生労働省 介護サービス情報公表システムを加工、"
                 "Geolonia 住所データ（CC BY 4.0）。サロン・通いの場と圏域はデモ用のサンプル（架空）です。")

SYNTHETIC_NOTICE = "サンプル（架空）"
DEMO_AREA_NOTICE = "デモ用の仮の圏域"

#: One short line for projector slides (the full text is on the about page).
COMPACT_SOURCES = ("出典：e-Stat（国勢調査 小地域・250mメッシュ）、国土数値情報、国土地理院 避難所データ、"
                   "厚生労働省 介護サービス情報公表システム、Geolonia 住所データ（CC BY 4.0）を加工して作成")


#: Attribution per kind of source a city's data came from (publishers' terms require them).
#: A city's ``sources`` fact (see dashboard.services.common.add_source) lists these keys, or free
#: text for a municipality's own file, in the order they were added.
SOURCES = {
    "estat_small_area": ("政府統計の総合窓口(e-Stat)「国勢調査 小地域（町丁・字等別）境界データ」（総務省統計局）を加工して作成",
                         "e-Stat 国勢調査 小地域境界"),
    "estat_mesh": ("政府統計の総合窓口(e-Stat)「国勢調査に関する地域メッシュ統計（人口及び世帯 T001142）」（総務省統計局）を加工して作成",
                   "e-Stat 地域メッシュ統計"),
    "n03": ("「国土数値情報（行政区域データ）」（国土交通省）（https://nlftp.mlit.go.jp/ksj/）を加工して作成", "国土数値情報"),
    "gsi": ("国土地理院「指定緊急避難場所・指定避難所データ」（https://www.gsi.go.jp/bousaichiri/hinanbasho.html）を加工して作成",
            "国土地理院 避難所データ"),
    "mhlw": ("厚生労働省「介護サービス情報公表システム」オープンデータ（https://www.mhlw.go.jp/stf/kaigo-kouhyou_opendata.html）を加工して作成",
             "厚生労働省 介護サービス情報公表システム"),
    "geolonia": ("Geolonia 住所データ（CC BY 4.0, https://github.com/geolonia/japanese-addresses）", "Geolonia 住所データ（CC BY 4.0）"),
    "juki": ("総務省「住民基本台帳に基づく人口、人口動態及び世帯数」を加工して作成", "総務省 住民基本台帳人口"),
}


def _line(key: str, index: int) -> str:
    entry = SOURCES.get(key)
    return entry[index] if entry else key


def attribution_for(keys: list[str], notes: list[str] = ()) -> str:
    """The full 出典 text of a city (about page, karte, exports): one line per source, then notes."""
    lines = ["出典："] + [f"・{_line(k, 0)}" for k in keys] + [f"※{n}" for n in notes]
    return "\n".join(lines) if keys else "出典：（まだデータが取り込まれていません）"


def footer_for(keys: list[str], synthetic: list[str] = ()) -> str:
    """One line for the page footer and slides: sources, then what is synthetic."""
    text = "出典：" + "、".join(_line(k, 1) for k in keys) + "を加工して作成。" if keys else "出典：なし。"
    if synthetic:
        text += "、".join(synthetic) + "はデモ用のサンプル（架空）です。"
    return text


def city_source_keys(meta: dict) -> list[str]:
    """The city's source keys from its facts (:func:`dashboard.store.reads.meta` with a code)."""
    import json

    try:
        keys = json.loads(meta.get("sources") or "[]")
    except ValueError:
        return []
    return [str(k) for k in keys] if isinstance(keys, list) else []


def city_attribution(meta: dict) -> str:
    """Full 出典 text of one city: its sources, then notes (e.g. that 町丁目 figures are estimates)."""
    notes = [n for n in (meta.get("population_note"),) if n]
    return attribution_for(city_source_keys(meta), notes)


def city_synthetic(meta: dict) -> list[str]:
    """What is synthetic in this city's data (e.g. サロン・通いの場、ニーズ調査), for labels."""
    return [s for s in (meta.get("synthetic") or "").split("、") if s]


def city_footer(meta: dict) -> str:
    return footer_for(city_source_keys(meta), city_synthetic(meta))


def city_compact(meta: dict) -> str:
    """One short line for projector slides."""
    keys = city_source_keys(meta)
    return ("出典：" + "、".join(_line(k, 1) for k in keys) + "を加工して作成") if keys else "出典：なし"
