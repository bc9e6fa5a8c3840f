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
