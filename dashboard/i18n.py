"""Strings for residents in three languages: 日本語 (``ja``), やさしい日本語 (``easy``) and English (``en``).

The one place for the words of everything published to residents — the one-file offline map
(:mod:`dashboard.publicmap`), the 支え合いガイドブック PDF (:mod:`dashboard.guidebook`) and the
Streamlit pages residents see (:mod:`dashboard.ui.language`, :mod:`dashboard.resident_text`).
Coordinators' pages keep their Japanese strings where they are.

* :data:`STRINGS` holds one dict per language with the **same keys** (a test checks it), so a page
  asks ``text("search", lang)`` and never branches on the language itself.
* Category names, weekdays and targets are translated here too (:func:`category_name` …); the
  category *ids* and colours stay in :mod:`dashboard.vocab`. Place names, addresses and fees are
  data and are never translated.
* やさしい日本語 strings may carry ふりがな as ``{漢字|かんじ}``. Renderers turn that markup into
  ``<ruby>`` (HTML, built with DOM nodes — never ``innerHTML``), into 「漢字（かんじ）」 for print
  (:func:`with_readings`) or into plain 「漢字」 (:func:`plain`). The markup never appears in
  ``ja`` or ``en``.
* :func:`schedule_words` says a place's schedule in each language from its RRULE, through the same
  :func:`dashboard.schedule.schedule_of` the coordinators' pages use, so the days never drift.
"""

from __future__ import annotations

import re

from dashboard import schedule, vocab

LANGUAGES = ("ja", "easy", "en")
#: How each language names itself on the switch (always in its own words).
LANGUAGE_NAMES = {"ja": "日本語", "easy": "やさしい日本語", "en": "English"}
#: The ``lang`` attribute of an HTML page in that language (やさしい日本語 is Japanese).
HTML_LANG = {"ja": "ja", "easy": "ja", "en": "en"}

_RUBY = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")


def url_language(value: str | None) -> str | None:
    """The language a ``?lang=`` value asks for, or None when it names none of :data:`LANGUAGES`.

    Case is ignored and a region is dropped, so links written by hand or by other sites work:
    ``EN``, ``en-US``, ``en_GB`` → ``en``; ``ja-JP`` → ``ja``; ``Easy`` → ``easy``. Anything else
    (``fr``, ``english``, ``<script>``) is None: the caller keeps its default.
    """
    if not isinstance(value, str):
        return None
    base = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else None


def plain(text: str) -> str:
    """``{地域|ちいき}の 地図`` → ``地域の 地図`` (ruby markup dropped)."""
    return _RUBY.sub(lambda m: m.group(1), text)


def with_readings(text: str) -> str:
    """``{地域|ちいき}の 地図`` → ``地域（ちいき）の 地図``: ふりがな for print, where ruby cannot be set."""
    return _RUBY.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text)


def ruby_parts(text: str) -> list[tuple[str, str | None]]:
    """``{地域|ちいき}の 地図`` → ``[("地域", "ちいき"), ("の 地図", None)]`` for renderers that set ruby."""
    parts, last = [], 0
    for match in _RUBY.finditer(text):
        if match.start() > last:
            parts.append((text[last:match.start()], None))
        parts.append((match.group(1), match.group(2)))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], None))
    return parts


# --- UI strings -----------------------------------------------------------------------------------
# Keys are English identifiers. ``{n}``, ``{city}``, ``{date}`` … are str.format fields filled by
# the caller (in JavaScript by the same names). Keep やさしい日本語 short: one idea per sentence,
# spaces between phrases, ふりがな on kanji a beginner may not read.

STRINGS: dict[str, dict[str, str]] = {
    "ja": {
        "map_title": "{city} 地域の集いの場マップ",
        "guidebook_title": "地域支え合いガイドブック",
        "guidebook_subtitle": "サロン・通いの場・くらしの支えの案内",
        "language": "言語",
        "large_text": "文字を大きく",
        "search": "名前・住所で探す",
        "search_hint": "ひらがな・カタカナどちらでも探せます",
        "filters": "種類・曜日で絞り込む",
        "category": "種類",
        "weekday": "曜日",
        "all": "すべて",
        "clear_filters": "条件をクリア",
        "results": "{n} か所",
        "no_results": "条件に合う場所はありません。条件を減らしてください。",
        "list": "一覧",
        "map": "地図",
        "details": "くわしく",
        "close": "閉じる",
        "show_on_map": "地図で見る",
        "name": "名前",
        "kana": "ふりがな",
        "schedule": "日程",
        "address": "場所",
        "fee": "参加費",
        "contact": "問い合わせ",
        "target": "対象",
        "homepage": "ホームページ",
        "paused": "休止中",
        "not_on_map": "地図に位置がありません",
        "no_basemap": "背景地図なし",
        "basemap": "背景地図（国土地理院）",
        "basemap_offline": "背景地図を読み込めません。市の境界と圏域だけを表示しています。",
        "city_outline": "市の境界",
        "areas": "日常生活圏域",
        "area": "圏域",
        "outside_areas": "圏域が未設定の場所",
        "as_of": "情報の時点：{date}",
        "made_on": "作成日：{date}",
        "sources": "出典",
        "synthetic": "{what}はデモ用のサンプル（架空）です。",
        "call_before": "日程や内容は変わることがあります。初めて行くときは、問い合わせ先に確認してください。",
        "skip_to_list": "一覧へ移動",
        "how_to_use": "このガイドブックの使い方",
        "how_to_use_lines": "圏域（日常生活圏域）ごとに、地図と一覧をのせています。\n"
                            "地図の番号と一覧の番号は同じ場所です。\n"
                            "巻末に「種類別さくいん」があります。\n"
                            "日程や内容は変わることがあります。初めて参加するときは、問い合わせ先に確認してください。\n"
                            "最新の情報はインターネットの地図で見られます（QRコード）。",
        "index_by_category": "種類別さくいん",
        "online_map": "インターネットの地図",
        "online_map_hint": "スマートフォンでQRコードを読み取ると、最新の地図が開きます。",
        "page": "{n} ページ",
        "places_in_area": "{area}の場所（{n} か所）",
        "number": "番号",
        "no_places": "この圏域には、のせている場所がありません。",
        "attribution_title": "出典・このガイドブックについて",
        "made_with": "つどいマップ（Tsudoi）で作成しました。",
        "public_only": "公開に同意を得た場所だけをのせています。",
    },
    "easy": {
        "map_title": "{city} あつまる {場所|ばしょ}の {地図|ちず}",
        "guidebook_title": "{地域|ちいき} {支|ささ}え{合|あ}い ガイドブック",
        "guidebook_subtitle": "あつまる {場所|ばしょ}と くらしの {手伝|てつだ}いの {案内|あんない}",
        "language": "ことば",
        "large_text": "{字|じ}を {大|おお}きく する",
        "search": "{名前|なまえ}や {住所|じゅうしょ}で さがす",
        "search_hint": "ひらがなでも カタカナでも さがせます",
        "filters": "しゅるいや {曜日|ようび}で えらぶ",
        "category": "しゅるい",
        "weekday": "{曜日|ようび}",
        "all": "ぜんぶ",
        "clear_filters": "{条件|じょうけん}を けす",
        "results": "{n}か{所|しょ}",
        "no_results": "{合|あ}う {場所|ばしょ}が ありません。{条件|じょうけん}を へらして ください。",
        "list": "リスト",
        "map": "{地図|ちず}",
        "details": "くわしく {見|み}る",
        "close": "とじる",
        "show_on_map": "{地図|ちず}で {見|み}る",
        "name": "{名前|なまえ}",
        "kana": "よみかた",
        "schedule": "いつ",
        "address": "どこ",
        "fee": "おかね",
        "contact": "れんらく",
        "target": "だれが {行|い}ける",
        "homepage": "ホームページ",
        "paused": "いまは お{休|やす}み",
        "not_on_map": "{地図|ちず}に {場所|ばしょ}が ありません",
        "no_basemap": "{背景|はいけい}の {地図|ちず}なし",
        "basemap": "{背景|はいけい}の {地図|ちず}（{国土地理院|こくどちりいん}）",
        "basemap_offline": "{背景|はいけい}の {地図|ちず}が {出|で}ません。{市|し}の {線|せん}だけ {見|み}せます。",
        "city_outline": "{市|し}の さかい",
        "areas": "{地区|ちく}",
        "area": "{地区|ちく}",
        "outside_areas": "{地区|ちく}が わからない {場所|ばしょ}",
        "as_of": "いつの {情報|じょうほう}か：{date}",
        "made_on": "つくった {日|ひ}：{date}",
        "sources": "どこの データか",
        "synthetic": "{what}は れんしゅう{用|よう}に つくった データです。",
        "call_before": "{日|ひ}にちは かわる ことが あります。はじめて {行|い}く {前|まえ}に {電話|でんわ}で きいて ください。",
        "skip_to_list": "リストへ いく",
        "how_to_use": "この {本|ほん}の {使|つか}いかた",
        "how_to_use_lines": "{地区|ちく}ごとに {地図|ちず}と リストが あります。\n"
                            "{地図|ちず}の {番号|ばんごう}と リストの {番号|ばんごう}は おなじ {場所|ばしょ}です。\n"
                            "うしろの ページに しゅるいの さくいんが あります。\n"
                            "{日|ひ}にちは かわる ことが あります。\n"
                            "はじめて {行|い}く {前|まえ}に {電話|でんわ}で きいて ください。\n"
                            "スマートフォンで QRコードを よむと、あたらしい {地図|ちず}が {見|み}られます。",
        "index_by_category": "しゅるいの さくいん",
        "online_map": "インターネットの {地図|ちず}",
        "online_map_hint": "スマートフォンで QRコードを よんで ください。",
        "page": "{n}ページ",
        "places_in_area": "{area}の {場所|ばしょ}（{n}か{所|しょ}）",
        "number": "{番号|ばんごう}",
        "no_places": "この {地区|ちく}には のせている {場所|ばしょ}が ありません。",
        "attribution_title": "どこの データか",
        "made_with": "つどいマップで つくりました。",
        "public_only": "のせて いいと いった {場所|ばしょ}だけを のせています。",
    },
    "en": {
        "map_title": "{city}: community places map",
        "guidebook_title": "Community Support Guidebook",
        "guidebook_subtitle": "Salons, community groups and help with daily life",
        "language": "Language",
        "large_text": "Larger text",
        "search": "Search by name or address",
        "search_hint": "Hiragana and katakana both work",
        "filters": "Filter by type and day",
        "category": "Type",
        "weekday": "Day of the week",
        "all": "All",
        "clear_filters": "Clear filters",
        "results": "{n} places",
        "no_results": "No places match. Try fewer filters.",
        "list": "List",
        "map": "Map",
        "details": "Details",
        "close": "Close",
        "show_on_map": "Show on map",
        "name": "Name",
        "kana": "Reading (kana)",
        "schedule": "When",
        "address": "Where",
        "fee": "Fee",
        "contact": "Contact",
        "target": "Who can join",
        "homepage": "Website",
        "paused": "Paused for now",
        "not_on_map": "No location on the map",
        "no_basemap": "No background map",
        "basemap": "Background map (GSI Japan)",
        "basemap_offline": "The background map cannot load. Showing the city and area outlines only.",
        "city_outline": "City boundary",
        "areas": "Daily-life areas",
        "area": "Area",
        "outside_areas": "Places without an area",
        "as_of": "Information as of: {date}",
        "made_on": "Made on: {date}",
        "sources": "Sources",
        "synthetic": "{what}: sample (fictional) data for the demo.",
        "call_before": "Days and times may change. Please call before your first visit.",
        "skip_to_list": "Skip to the list",
        "how_to_use": "How to use this guidebook",
        "how_to_use_lines": "Each daily-life area has a map and a list.\n"
                            "The numbers on the map match the numbers in the list.\n"
                            "An index by type is at the end.\n"
                            "Days and times may change. Please call before your first visit.\n"
                            "Scan the QR code for the latest online map.",
        "index_by_category": "Index by type",
        "online_map": "Online map",
        "online_map_hint": "Scan the QR code with a smartphone to open the latest map.",
        "page": "page {n}",
        "places_in_area": "Places in {area} ({n})",
        "number": "No.",
        "no_places": "No places are listed for this area.",
        "attribution_title": "Sources and about this guidebook",
        "made_with": "Made with Tsudoi.",
        "public_only": "Only places that agreed to be published are listed.",
    },
}


def text(key: str, lang: str, **fields) -> str:
    """The string ``key`` in ``lang`` with ``{fields}`` filled in (markup kept; see :func:`plain`).

    ``fields`` are filled with :meth:`str.replace`, not ``format``, so a value holding braces (a
    city or place name) is inserted as it is and ruby markup braces are left alone.
    """
    if lang not in STRINGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    value = STRINGS[lang][key]
    for name, field in fields.items():
        value = value.replace("{" + name + "}", str(field))
    return value


# --- categories, weekdays, targets ------------------------------------------------------------------

CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "ja": {c: c for c in vocab.CATEGORY_IDS},
    "easy": {
        "サロン": "サロン（あつまって {話|はな}す {会|かい}）",
        "通いの場（体操）": "{体操|たいそう}の {会|かい}",
        "通いの場（その他）": "あつまる {会|かい}（{体操|たいそう}の ほか）",
        "老人クラブ": "{老人|ろうじん}クラブ",
        "居場所": "だれでも {行|い}ける {場所|ばしょ}",
        "認知症カフェ": "{認知症|にんちしょう}カフェ",
        "生活支援サービス": "くらしの {手伝|てつだ}い",
        "移動販売・買い物支援": "{買|か}い{物|もの}の {手伝|てつだ}い",
        "子ども食堂": "{子|こ}ども{食堂|しょくどう}",
        "公民館・集会所": "{公民館|こうみんかん}・{集会所|しゅうかいじょ}",
        "地域包括支援センター": "{高齢者|こうれいしゃ}の {相談|そうだん} センター",
        "介護サービス事業所": "{介護|かいご}サービス",
        "その他": "そのほか",
    },
    "en": {
        "サロン": "Social salon",
        "通いの場（体操）": "Exercise group",
        "通いの場（その他）": "Community group",
        "老人クラブ": "Seniors' club",
        "居場所": "Drop-in place",
        "認知症カフェ": "Dementia café",
        "生活支援サービス": "Help with daily life",
        "移動販売・買い物支援": "Shopping support / mobile shop",
        "子ども食堂": "Children's cafeteria",
        "公民館・集会所": "Community hall",
        "地域包括支援センター": "Community support center for older people",
        "介護サービス事業所": "Care service provider",
        "その他": "Other",
    },
}

WEEKDAY_NAMES: dict[str, dict[str, str]] = {
    "ja": {"MO": "月", "TU": "火", "WE": "水", "TH": "木", "FR": "金", "SA": "土", "SU": "日"},
    "easy": {"MO": "{月|げつ}", "TU": "{火|か}", "WE": "{水|すい}", "TH": "{木|もく}", "FR": "{金|きん}",
             "SA": "{土|ど}", "SU": "{日|にち}"},
    "en": {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"},
}
_WEEKDAY_LONG_EN = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
                    "SA": "Saturday", "SU": "Sunday"}
_WEEKDAY_LONG_EASY = {"MO": "{月曜日|げつようび}", "TU": "{火曜日|かようび}", "WE": "{水曜日|すいようび}",
                      "TH": "{木曜日|もくようび}", "FR": "{金曜日|きんようび}", "SA": "{土曜日|どようび}",
                      "SU": "{日曜日|にちようび}"}

TARGET_NAMES: dict[str, dict[str, str]] = {
    "ja": {t: t for t in vocab.TARGETS},
    "easy": {"高齢者": "お{年寄|としよ}り", "誰でも": "だれでも", "認知症の人と家族": "{認知症|にんちしょう}の {人|ひと}と {家族|かぞく}",
             "男性": "{男|おとこ}の {人|ひと}", "女性": "{女|おんな}の {人|ひと}", "その他": "そのほか"},
    "en": {"高齢者": "Older people", "誰でも": "Everyone", "認知症の人と家族": "People with dementia and their families",
           "男性": "Men", "女性": "Women", "その他": "Other"},
}


def category_name(category: str, lang: str) -> str:
    """The category in ``lang``; an id outside the vocabulary is shown as it is."""
    return CATEGORY_NAMES[lang].get(category, category)


def target_name(target: str, lang: str) -> str:
    """``高齢者・誰でも``-style values: each known part translated, unknown parts kept as they are."""
    parts = [p.strip() for p in re.split(r"[・、,]", target or "") if p.strip()]
    names = [TARGET_NAMES[lang].get(p, p) for p in parts]
    return (", " if lang == "en" else "・").join(names)


# --- schedules --------------------------------------------------------------------------------------

_EN_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}


def _join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days_en(days: tuple[str, ...]) -> str:
    return _join_en([_WEEKDAY_LONG_EN[d] for d in schedule.WEEKDAY_CODES if d in days])


def _days_easy(days: tuple[str, ...]) -> str:
    return "と ".join(_WEEKDAY_LONG_EASY[d] for d in schedule.WEEKDAY_CODES if d in days)


def _time(start: str, end: str, lang: str) -> str:
    if not start:
        return ""
    if lang == "en":
        return f" {start}–{end}" if end else f" from {start}"
    return f" {start}から {end}まで" if end else f" {start}から"


def schedule_words(rule: str | None, stored_text: str | None, lang: str) -> str:
    """A place's schedule in ``lang``: days from the RRULE, time and remark from the stored words.

    ``ja`` is :func:`dashboard.schedule.display_text` (「日程は問い合わせ先へ」 instead of the coordinators'
    「日程未登録」). A rule the builder cannot say
    (``other``) gives 「年N回」/"N times a year"; words that are not a rule (``unread``) and remarks
    are data and stay Japanese in every language.
    """
    if lang == "ja":
        words = schedule.display_text(rule, stored_text)
        return "日程は問い合わせ先へ" if words == schedule.describe_ja(None) else words
    state = schedule.schedule_of(rule, stored_text)
    ordinals = sorted(set(state.ordinals), key=lambda n: (n < 0, n))
    when = _time(state.start, state.end, lang)
    remark = state.remark if state.remark[:1] in ("", "（", "(") else f" {state.remark}"
    if state.repeat == "unread":
        return state.kept
    if state.repeat == "none":
        return "Ask for the schedule" if lang == "en" else "{日|ひ}にちは {問|と}い{合|あ}わせて ください"
    if state.repeat == "irregular":
        words = "Irregular" if lang == "en" else "{決|き}まって いません"
    elif state.repeat == "weekly":
        words = f"Every {_days_en(state.weekdays)}" if lang == "en" else f"{{毎週|まいしゅう}} {_days_easy(state.weekdays)}"
    elif state.repeat == "biweekly":
        words = (f"Every other {_days_en(state.weekdays)}" if lang == "en"
                 else f"2{{週間|しゅうかん}}に 1{{回|かい}} {_days_easy(state.weekdays)}")
    elif state.repeat == "monthly":
        if lang == "en":
            words = f"The {_join_en([_EN_ORDINALS[n] for n in ordinals])} {_days_en(state.weekdays)} of each month"
        else:
            nth = "と ".join("さいご" if n < 0 else f"{n}{{回目|かいめ}}" for n in ordinals)
            words = f"{{毎月|まいつき}} {nth}の {_days_easy(state.weekdays)}"
    else:  # other: a rule the builder does not edit (毎月15日, 年6回 …)
        times = schedule.occurrences_per_year(state.kept)
        words = f"{times} times a year" if lang == "en" else f"1{{年|ねん}}に {times}{{回|かい}}"
    return words + when + remark


# --- the Streamlit pages residents see (資源マップ, つどいマップについて, the public site) -----------------
# Kept apart from the block above so the offline map and the guidebook do not carry them; merged into
# STRINGS below, so ``text(key, lang)`` and the equal-keys test cover them too. The ``ja`` values are
# the pages' wording as it was before they were translated.

_PAGE_STRINGS: dict[str, dict[str, str]] = {
    "ja": {
        "app_title": "つどいマップ",
        "menu": "メニュー",
        "page_map": "資源マップ",
        "page_about": "つどいマップについて",
        "page_not_public": "このサイトでは公開していません",
        "not_public_body": "このページは、市町村と社会福祉協議会の職員が庁内で使うものです。住民向けの公開サイトにはありません。",
        "not_public_hint": "地域の集いの場・通いの場・サロンは「資源マップ」で探せます。",
        "open_map": "資源マップを開く",
        "search_label": "名前・ふりがな・住所で検索",
        "search_placeholder": "例：さろん、北町",
        "filters_button": "絞り込み",
        "layers_button": "地図の表示",
        "filter_category": "種別",
        "all_areas": "すべての圏域",
        "frequency": "開催頻度",
        "freq_all": "すべて",
        "freq_weekly": "毎週（週1回以上）",
        "freq_monthly": "月1回以上",
        "activities": "活動",
        "show_results": "結果を見る（{n}件）",
        "count": "{n} 件",
        "narrowed": "（{n}つの条件で絞り込み中）",
        "empty_results": "条件に合う資源がありません。「絞り込み」の条件を減らしてください。",
        "basemap_label": "背景地図",
        "basemap_gsi_pale": "地理院タイル（淡色地図）",
        "basemap_gsi_std": "地理院タイル（標準地図）",
        "basemap_none": "背景地図なし（オフライン）",
        "choose": "選んでください",
        "show_towns": "町丁目の境界と名前",
        "rings": "徒歩圏の円を表示",
        "ring_m": "徒歩圏の半径（m）",
        "tiles_failed": "背景地図を読み込めないため（インターネット未接続など）、「背景地図なし」で表示しています。",
        "details_hint": "地図の点か、下の一覧から選ぶと、詳しい情報が出ます。",
        "sample_place": "※ この資源はデモ用のサンプル（架空）です。",
        "same_spot": "同じ場所の資源がほかに {n} 件あります：",
        "more": "さらに表示（残り {n} 件）",
        "csv_button": "一覧をCSVで保存（Excel用）",
        "csv_file": "集いの場一覧.csv",
        "next": "次回 {date}",
        "today": "今日",
        "tomorrow": "明日",
        "ask_schedule": "日程は連絡先にお問い合わせください",
        "status": "状態",
        "frequency_label": "頻度",
        "building": "会場・建物",
        "operator": "運営",
        "venue": "場所",
        "capacity": "定員",
        "people": "{n}人",
        "verified": "情報を確認した日",
        "precision": "位置の精度",
        "unknown": "不明",
        "address_label": "所在地",
        "contact_label": "連絡先",
        "city_select": "市町村",
        "demo_caption": "デモ：施設と人口は実データ、圏域は「デモ用の仮の圏域」、サロン・通いの場は「サンプル（架空）」です。",
        "synthetic_caption": "{what}はサンプル（架空）のデータです。",
        "town_points": "位置の精度：町丁目は代表点だけのため、人口はその点にいるものとして数えています。",
        "data_as_of": "データの時点",
        "as_of_population": "人口：{date}",
        "as_of_boundary": "境界：{date}",
        "as_of_facilities": "施設：{date}",
        "no_data": "データがまだありません。",
        "about_title": "{city}の「つどいマップ」とは",
        "about_intro": "{city}の中で、どなたでも気軽に参加できる **集いの場・通いの場・サロン・認知症カフェ** などを、"
                       "地図と一覧で探せるページです。歩いて行ける近くの場所や、行きたい曜日の集まりを見つけるのにお使いください。",
        "about_how_filters": "**「絞り込み」** で、種別・曜日・地域（圏域）などを選べます。「結果を見る」で地図と一覧に戻ります。",
        "about_how_details": "地図の点や一覧をタップすると、**日程・場所・連絡先** が出ます。電話番号をタップすると、スマートフォンから"
                             "電話をかけられます。",
        "about_how_csv": "「一覧をCSVで保存」で、表計算ソフト（Excel など）で開ける一覧を保存できます。",
        "about_how_language": "ページの上で、やさしい日本語と英語（English）にも切り替えられます。",
        "contacts_title": "参加したいとき・お問い合わせ",
        "contacts_places": "参加の申し込みや、日程・内容の確認は、それぞれの場所の **連絡先** へお問い合わせください。"
                           "日程は変わることがあります。",
        "contacts_own": "このページの内容や、新しい場所の掲載についてのご相談：{contact}",
        "contacts_default": "このページの内容の誤りや、新しい場所の掲載のご相談は、{city}の高齢者福祉の担当窓口、"
                            "または{city}の社会福祉協議会（生活支援コーディネーター）へお寄せください。",
        "contacts_care": "体のことや介護のご相談は、お住まいの地域の **地域包括支援センター** へ。",
        "notes_title": "このページの情報について",
        "notes_public": "載っているのは、公開してよいと確認できた場所と情報だけです。",
        "notes_demo": "**この{city}の画面はデモです。** 圏域は「デモ用の仮の圏域」です。",
        "notes_synthetic": "{what}は「サンプル（架空）」で、実在しません。",
        "notes_facilities": "施設の情報の時点：{date}",
        "notes_population": "人口の時点：{date}",
        "notes_boundary": "地域の境界の時点：{date}",
        "attribution_note": "出典の表示は、データの提供元が定めた書き方のままです。",
        "staff_title": "市町村・社会福祉協議会の職員の方へ",
        "staff_body": "つどいマップは、生活支援体制整備事業の生活支援コーディネーターと協議体のための道具でもあります。"
                      "ログインすると、圏域ごとに歩いて行ける範囲に集いの場があるか（圏域カバー状況）、介護予防・日常生活圏域"
                      "ニーズ調査の結果（少人数の結果は隠して表示）、協議体の会議用の画面（会議モード）などが使えます。",
        "footer_sources": "出典：{sources}を加工して作成。",
        "footer_none": "出典：なし。",
        "gsi_attribution": "出典：国土地理院",
        "store_error_title": "いまデータを読み込めませんでした",
        "store_error": "データの更新中などで、一時的に読み込めない状態です。少し待ってから「もう一度読み込む」を押してください。何度試しても表示されない場合は、市町村の担当者にお知らせください。",
        "store_error_retry": "もう一度読み込む",
        "footer_synthetic": "{what}はデモ用のサンプル（架空）です。",
    },
    "easy": {
        "app_title": "つどいマップ（あつまる {場所|ばしょ}の {地図|ちず}）",
        "menu": "メニュー（ほかの ページ）",
        "page_map": "あつまる {場所|ばしょ}の {地図|ちず}",
        "page_about": "この {地図|ちず}に ついて",
        "page_not_public": "この ページは ここでは {見|み}られません",
        "not_public_body": "この ページは {市役所|しやくしょ}などで {働|はたら}く {人|ひと}が {使|つか}います。",
        "not_public_hint": "あつまる {場所|ばしょ}は {地図|ちず}の ページで さがせます。",
        "open_map": "{地図|ちず}の ページを ひらく",
        "search_label": "{名前|なまえ}・よみかた・{住所|じゅうしょ}で さがす",
        "search_placeholder": "れい：さろん",
        "filters_button": "えらぶ",
        "layers_button": "ちずの みかた",  # short: it sits beside 「えらぶ」 on a 390 px phone
        "filter_category": "しゅるい",
        "all_areas": "ぜんぶの {地区|ちく}",
        "frequency": "どのくらい ひらくか",
        "freq_all": "ぜんぶ",
        "freq_weekly": "{毎週|まいしゅう}",
        "freq_monthly": "1か{月|げつ}に 1{回|かい}か それより {多|おお}い",
        "activities": "する こと",
        "show_results": "{結果|けっか}を {見|み}る（{n}）",
        "count": "{n}か{所|しょ}",
        "narrowed": "（{条件|じょうけん} {n}つで えらんで います）",
        "empty_results": "{合|あ}う {場所|ばしょ}が ありません。「えらぶ」の {条件|じょうけん}を へらして ください。",
        "basemap_label": "{背景|はいけい}の {地図|ちず}",
        "basemap_gsi_pale": "{国土地理院|こくどちりいん}の {地図|ちず}（うすい {色|いろ}）",
        "basemap_gsi_std": "{国土地理院|こくどちりいん}の {地図|ちず}",
        "basemap_none": "{背景|はいけい}の {地図|ちず}なし",
        "choose": "えらんで ください",
        "show_towns": "{町|まち}の さかいと {名前|なまえ}",
        "rings": "{歩|ある}いて {行|い}ける はんいを {見|み}せる",
        "ring_m": "{円|えん}の {大|おお}きさ（メートル）",
        "tiles_failed": "{背景|はいけい}の {地図|ちず}が {出|で}ません。インターネットに つながって いないかも しれません。",
        "details_hint": "{地図|ちず}の {点|てん}か、{下|した}の リストを おすと、くわしく {出|で}ます。",
        "sample_place": "※ この {場所|ばしょ}は れんしゅう{用|よう}に つくった {例|れい}で、ほんとうには ありません。",
        "same_spot": "おなじ {場所|ばしょ}に ほかにも {n}つ あります：",
        "more": "もっと {見|み}る（あと {n}）",
        "csv_button": "リストを {保存|ほぞん}する（Excel{用|よう}）",
        "csv_file": "あつまる場所のリスト.csv",
        "next": "つぎ：{date}",
        "today": "きょう",
        "tomorrow": "あした",
        "ask_schedule": "{日|ひ}にちは {電話|でんわ}で きいて ください",
        "status": "いまの ようす",
        "frequency_label": "どのくらい",
        "building": "たてもの",
        "operator": "だれが して いるか",
        "venue": "{場所|ばしょ}の しゅるい",
        "capacity": "{入|はい}れる {人|ひと}の {数|かず}",
        "people": "{n}{人|にん}",
        "verified": "{情報|じょうほう}を たしかめた {日|ひ}",
        "precision": "{場所|ばしょ}の せいかくさ",
        "unknown": "わからない",
        "address_label": "{住所|じゅうしょ}",
        "contact_label": "れんらく",
        "city_select": "{市|し}や {町|まち}",
        "demo_caption": "れんしゅう{用|よう}の {画面|がめん}です。サロンなどと {地区|ちく}は れんしゅう{用|よう}に つくった データです。",
        "synthetic_caption": "{what}は れんしゅう{用|よう}に つくった データです。",
        "town_points": "{人|ひと}の {数|かず}は {町|まち}の まんなかに いると して {数|かぞ}えて います。",
        "data_as_of": "いつの データか",
        "as_of_population": "{人|ひと}の {数|かず}：{date}",
        "as_of_boundary": "さかい：{date}",
        "as_of_facilities": "たてもの：{date}",
        "no_data": "データが まだ ありません。",
        "about_title": "{city}の「つどいマップ」って なに？",
        "about_intro": "{city}で だれでも {行|い}ける **あつまる {場所|ばしょ}** を、{地図|ちず}と リストで さがせます。"
                       "{近|ちか}くの {場所|ばしょ}や、{行|い}きたい {曜日|ようび}の {集|あつ}まりを さがして ください。",
        "about_how_filters": "**「えらぶ」** で、しゅるいや {曜日|ようび}や {地区|ちく}を えらべます。",
        "about_how_details": "{地図|ちず}の {点|てん}や リストを おすと、**いつ・どこ・れんらく** が {出|で}ます。"
                             "{電話|でんわ}{番号|ばんごう}を おすと、スマートフォンで {電話|でんわ}が できます。",
        "about_how_csv": "リストを {保存|ほぞん}して、Excel などで {見|み}られます。",
        "about_how_language": "ページの {上|うえ}で、ふつうの {日本語|にほんご}と {英語|えいご}（English）にも かえられます。",
        "contacts_title": "{行|い}きたい とき・ききたい とき",
        "contacts_places": "{行|い}きたい ときは、それぞれの {場所|ばしょ}の **れんらく{先|さき}** に きいて ください。"
                           "{日|ひ}にちは かわる ことが あります。",
        "contacts_own": "この ページに ついて きく ところ：{contact}",
        "contacts_default": "この ページの まちがいや、あたらしい {場所|ばしょ}の ことは、{city}の {高齢者|こうれいしゃ}の {係|かかり}か、"
                            "{city}の {社会福祉協議会|しゃかいふくしきょうぎかい}に きいて ください。",
        "contacts_care": "からだの ことや {介護|かいご}の ことは、**{地域包括支援|ちいきほうかつしえん}センター** に きいて ください。",
        "notes_title": "この ページの {情報|じょうほう}に ついて",
        "notes_public": "のせて いいと わかった {場所|ばしょ}と {情報|じょうほう}だけを のせて います。",
        "notes_demo": "**この {画面|がめん}は れんしゅう{用|よう}です。** {地区|ちく}は れんしゅう{用|よう}に きめた {地区|ちく}です。",
        "notes_synthetic": "{what}は れんしゅう{用|よう}に つくった {例|れい}で、ほんとうには ありません。",
        "notes_facilities": "たてものの {情報|じょうほう}の {日|ひ}：{date}",
        "notes_population": "{人|ひと}の {数|かず}の {日|ひ}：{date}",
        "notes_boundary": "さかいの {日|ひ}：{date}",
        "attribution_note": "データを {出|だ}した ところが きめた {書|か}きかたの ままです。",
        "staff_title": "{市役所|しやくしょ}などで {働|はたら}く {人|ひと}へ",
        "staff_body": "{働|はたら}く {人|ひと}は ログインすると、{地区|ちく}ごとの しらべた {結果|けっか}や {会議|かいぎ}の {画面|がめん}を {使|つか}えます。",
        "footer_sources": "どこの データか：{sources}。",
        "footer_none": "どこの データか：なし",
        "gsi_attribution": "{地図|ちず}：{国土地理院|こくどちりいん}",
        "store_error_title": "いま データを {読|よ}めません",
        "store_error": "すこし まってから「もう {一度|いちど}」を おして ください。なんども だめな ときは、{市役所|しやくしょ}に しらせて ください。",
        "store_error_retry": "もう {一度|いちど}",
        "footer_synthetic": "{what}は れんしゅう{用|よう}に つくった データです。",
    },
    "en": {
        "app_title": "Tsudoi community places map",
        "menu": "Menu",
        "page_map": "Community places map",
        "page_about": "About this map",
        "page_not_public": "Not published on this site",
        "not_public_body": "This page is for city and social welfare council staff. It is not on the public site.",
        "not_public_hint": "Find salons and community groups on the map.",
        "open_map": "Open the map",
        "search_label": "Search by name, reading or address",
        "search_placeholder": "Names are in Japanese (kana works)",
        "filters_button": "Filters",
        "layers_button": "Map display",
        "filter_category": "Type",
        "all_areas": "All areas",
        "frequency": "How often",
        "freq_all": "All",
        "freq_weekly": "Weekly or more",
        "freq_monthly": "At least once a month",
        "activities": "Activities",
        "show_results": "Show results ({n})",
        "count": "Places: {n}",
        "narrowed": " (filters on: {n})",
        "empty_results": "No places match. Remove some filters.",
        "basemap_label": "Background map",
        "basemap_gsi_pale": "GSI map (pale)",
        "basemap_gsi_std": "GSI map (standard)",
        "basemap_none": "No background map (offline)",
        "choose": "Choose",
        "show_towns": "Neighbourhood boundaries and names",
        "rings": "Show walking-distance circles",
        "ring_m": "Circle radius (m)",
        "tiles_failed": "The background map cannot load (no internet connection?), so the map is shown without it.",
        "details_hint": "Choose a point on the map or a place in the list below to see its details.",
        "sample_place": "Note: this place is a fictional sample for the demo.",
        "same_spot": "Other places at the same spot ({n}):",
        "more": "Show more ({n} left)",
        "csv_button": "Save the list as CSV (for Excel)",
        "csv_file": "community_places.csv",
        "next": "Next: {date}",
        "today": "today",
        "tomorrow": "tomorrow",
        "ask_schedule": "Ask the contact for the schedule",
        "status": "Status",
        "frequency_label": "How often",
        "building": "Building",
        "operator": "Run by",
        "venue": "Kind of venue",
        "capacity": "Capacity",
        "people": "{n} people",
        "verified": "Information checked on",
        "precision": "Location accuracy",
        "unknown": "Unknown",
        "address_label": "Address",
        "contact_label": "Contact",
        "city_select": "City",
        "demo_caption": "Demo: facilities and population are real data; the areas and the salons and groups are fictional samples.",
        "synthetic_caption": "Fictional sample data: {what}.",
        "town_points": "Location accuracy: each neighbourhood is one point, so its people are counted at that point.",
        "data_as_of": "Data as of",
        "as_of_population": "Population: {date}",
        "as_of_boundary": "Boundaries: {date}",
        "as_of_facilities": "Facilities: {date}",
        "no_data": "There is no data yet.",
        "about_title": "What is the Tsudoi map of {city}?",
        "about_intro": "This page shows **social salons, community groups, exercise groups, dementia cafés** and other places "
                       "in {city} that anyone can join, on a map and in a list. Use it to find a place within walking "
                       "distance or a group that meets on the day you like.",
        "about_how_filters": "**Filters** lets you choose the type, day of the week, area and more. "
                             "\"Show results\" takes you back to the map and the list.",
        "about_how_details": "Tap a point on the map or a place in the list to see **when, where and whom to contact**. "
                             "Tap a phone number to call from a smartphone.",
        "about_how_csv": "\"Save the list as CSV\" saves the list for a spreadsheet such as Excel.",
        "about_how_language": "The switch at the top of the page shows this page in Japanese or in easy Japanese.",
        "contacts_title": "To join or to ask",
        "contacts_places": "To join, or to check days and what happens, please ask each place's **contact**. "
                           "Days and times may change.",
        "contacts_own": "About this page, or to add a new place: {contact}",
        "contacts_default": "To report a mistake on this page or to add a new place, please contact the older people's "
                            "welfare office of {city} or the {city} social welfare council (life support coordinators).",
        "contacts_care": "For health or care questions, please ask the **community support center for older people** "
                         "of your area.",
        "notes_title": "About the information on this page",
        "notes_public": "Only places and information confirmed as public are shown.",
        "notes_demo": "**This {city} page is a demo.** Its areas are provisional, made for the demo.",
        "notes_synthetic": "Fictional samples that do not exist: {what}.",
        "notes_facilities": "Facility information as of: {date}",
        "notes_population": "Population as of: {date}",
        "notes_boundary": "Area boundaries as of: {date}",
        "attribution_note": "The attribution below is in Japanese, worded as the data publishers require.",
        "staff_title": "For city and social welfare council staff",
        "staff_body": "Tsudoi is also a tool for life support coordinators and their councils. After logging in, staff "
                      "see walking coverage of each area, needs survey results (small groups hidden) and slides "
                      "for council meetings. Staff pages are in Japanese.",
        "footer_sources": "Sources (processed by us): {sources}.",
        "footer_none": "Sources: none.",
        "gsi_attribution": "Source: GSI Japan",
        "store_error_title": "The data cannot be read right now",
        "store_error": "The data may be being updated. Please wait a moment and press \"Try again\". If it keeps failing, please tell the city office.",
        "store_error_retry": "Try again",
        "footer_synthetic": "Fictional samples for the demo: {what}.",
    },
}
#: The keys of the offline map and the guidebook (the block above): the offline map ships only these.
DOCUMENT_KEYS = frozenset(STRINGS["ja"])
for _lang in LANGUAGES:
    _clash = set(STRINGS[_lang]) & set(_PAGE_STRINGS[_lang])
    if _clash:
        raise AssertionError(f"page strings reuse keys of the offline map: {sorted(_clash)}")
    STRINGS[_lang].update(_PAGE_STRINGS[_lang])

#: The place finder's fixed vocabularies, like CATEGORY_NAMES (ids in dashboard.vocab; data stays as written).
ACTIVITY_NAMES: dict[str, dict[str, str]] = {
    "ja": {a: a for a in vocab.ACTIVITIES},
    "easy": {"体操（運動）": "{体操|たいそう}", "会食": "いっしょに {食|た}べる", "茶話会": "お{茶|ちゃ}と おしゃべり",
             "認知症予防": "{認知症|にんちしょう}の {予防|よぼう}", "趣味活動": "{趣味|しゅみ}", "農作業": "{畑|はたけ}しごと",
             "生涯学習": "まなぶ こと", "ボランティア活動": "ボランティア", "就労的活動": "はたらく こと",
             "多世代交流": "こどもから お{年寄|としよ}りまで", "その他": "そのほか"},
    "en": {"体操（運動）": "Exercise", "会食": "Shared meals", "茶話会": "Tea and talk", "認知症予防": "Dementia prevention",
           "趣味活動": "Hobbies", "農作業": "Gardening and farming", "生涯学習": "Learning", "ボランティア活動": "Volunteering",
           "就労的活動": "Work-like activities", "多世代交流": "All generations together", "その他": "Other"},
}
#: MHLW 通いの場類型化: who runs a place and where it meets (dashboard.vocab.OPERATOR_TYPES, VENUE_TYPES).
OPERATOR_NAMES: dict[str, dict[str, str]] = {
    "ja": {o: o for o in vocab.OPERATOR_TYPES},
    "easy": {"住民個人": "{住|す}んで いる {人|ひと}", "住民団体（自治会・NPO等）": "{町会|ちょうかい}や NPO",
             "行政（介護予防担当）": "{市役所|しやくしょ}（{介護|かいご}{予防|よぼう}）", "行政（その他）": "{市役所|しやくしょ}",
             "社会福祉協議会": "{社会福祉協議会|しゃかいふくしきょうぎかい}", "専門職団体": "{専門家|せんもんか}の {会|かい}",
             "医療機関": "{病院|びょういん}など", "介護関係施設・事業所": "{介護|かいご}の {施設|しせつ}",
             "民間企業": "{会社|かいしゃ}", "その他": "そのほか"},
    "en": {"住民個人": "A resident", "住民団体（自治会・NPO等）": "Residents' group (neighbourhood association, NPO)",
           "行政（介護予防担当）": "City (care prevention)", "行政（その他）": "City", "社会福祉協議会": "Social welfare council",
           "専門職団体": "Professional association", "医療機関": "Medical institution",
           "介護関係施設・事業所": "Care facility or provider", "民間企業": "Company", "その他": "Other"},
}
VENUE_NAMES: dict[str, dict[str, str]] = {
    "ja": {v: v for v in vocab.VENUE_TYPES},
    "easy": {"個人宅・空き家": "{家|いえ}", "公民館・自治会館・集会所": "{公民館|こうみんかん}・{集会所|しゅうかいじょ}",
             "公園": "{公園|こうえん}", "農園": "{畑|はたけ}", "学校・廃校": "{学校|がっこう}", "医療機関": "{病院|びょういん}など",
             "介護関係施設・事業所": "{介護|かいご}の {施設|しせつ}", "店舗・空き店舗": "お{店|みせ}", "その他": "そのほか"},
    "en": {"個人宅・空き家": "A home or empty house", "公民館・自治会館・集会所": "Community hall", "公園": "Park",
           "農園": "Farm or garden", "学校・廃校": "School", "医療機関": "Medical institution",
           "介護関係施設・事業所": "Care facility", "店舗・空き店舗": "Shop or empty shop", "その他": "Other"},
}
#: Values of a place's 頻度, 状態 and 位置の精度 (ids as in dashboard.vocab).
FREQUENCY_NAMES: dict[str, dict[str, str]] = {
    "ja": dict(vocab.FREQUENCY_CLASSES),
    "easy": {"weekly": "1{週間|しゅうかん}に 1{回|かい}か それより {多|おお}い", "monthly": "1か{月|げつ}に 1〜3{回|かい}",
             "less": "1か{月|げつ}に 1{回|かい}より {少|すく}ない", "unknown": "わからない"},
    "en": {"weekly": "Weekly or more", "monthly": "1–3 times a month", "less": "Less than once a month", "unknown": "Unknown"},
}
STATUS_NAMES: dict[str, dict[str, str]] = {
    "ja": dict(vocab.STATUSES),
    "easy": {"active": "ひらいて います", "paused": "いまは お{休|やす}み", "closed": "おわりました"},
    "en": {"active": "Active", "paused": "Paused for now", "closed": "Closed"},
}
PRECISION_NAMES: dict[str, dict[str, str]] = {
    "ja": dict(vocab.LOCATION_PRECISIONS),
    "easy": {"surveyed": "{地図|ちず}で たしかめた", "address": "{住所|じゅうしょ}から", "town": "{町|まち}の まんなか",
             "manual": "{手|て}で {入|い}れた"},
    "en": {"surveyed": "Checked on a map", "address": "From the address", "town": "Centre of the neighbourhood",
           "manual": "Entered by hand"},
}
#: What a city marks as synthetic (the city fact ``synthetic``); other words are data, shown as written.
SYNTHETIC_NAMES: dict[str, dict[str, str]] = {
    "ja": {},
    "easy": {"サロン・通いの場": "サロンなどの あつまる {場所|ばしょ}", "ニーズ調査": "アンケート", "人口": "{人|ひと}の {数|かず}",
             "圏域": "{地区|ちく}"},
    # lower case: they follow a colon and each other (「Fictional samples for the demo: salons …, the needs survey.」)
    "en": {"サロン・通いの場": "salons and community groups", "ニーズ調査": "the needs survey", "人口": "population",
           "圏域": "areas"},
}
#: Short source names for the footer (keys of dashboard.sources.SOURCES); the full attribution stays as
#: the publishers word it.
SOURCE_NAMES: dict[str, dict[str, str]] = {
    "ja": {},
    "easy": {},
    "en": {"estat_small_area": "e-Stat census small-area boundaries (Statistics Bureau of Japan)",
           "estat_mesh": "e-Stat grid-square population statistics (Statistics Bureau of Japan)",
           "n03": "National Land Numerical Information (MLIT)",
           "gsi": "GSI designated evacuation sites and shelters",
           "mhlw": "MHLW long-term care service information",
           "geolonia": "Geolonia address data (CC BY 4.0)",
           "juki": "MIC resident register population"},
}


def name_in(names: dict[str, dict[str, str]], value: str, lang: str) -> str:
    """``value`` from one of the tables above in ``lang``; a value the table does not know is data,
    returned as it is."""
    return names[lang].get(value, value)


def list_in(names: dict[str, dict[str, str]], value: str, lang: str) -> str:
    """``体操（運動）、会食``-style lists: each known part translated, the others kept."""
    parts = [p.strip() for p in re.split(r"[・、,]", value or "") if p.strip()]
    if not parts or lang == "ja":
        return value or ""
    return (", " if lang == "en" else "・").join(names[lang].get(p, p) for p in parts)


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def date_words(day, lang: str, *, year: bool = True) -> str:
    """A date for people: 「2026年12月4日（金）」, 「2026/12/4 {金曜日|きんようび}」, "Fri 4 Dec 2026"."""
    weekday = WEEKDAY_NAMES[lang][_WEEKDAY_CODES[day.weekday()]]
    if lang == "en":
        return f"{weekday} {day.day} {_MONTHS_EN[day.month - 1]}" + (f" {day.year}" if year else "")
    if lang == "easy":
        return (f"{day.year}/" if year else "") + f"{day.month}/{day.day} {_WEEKDAY_LONG_EASY[_WEEKDAY_CODES[day.weekday()]]}"
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日（{weekday}）"


def display(key: str, lang: str, **fields) -> str:
    """The string ``key`` as a page shows it where ruby cannot be set (widget labels, Markdown):
    やさしい日本語 with its ふりがな in brackets (:func:`with_readings`), then ``fields`` inserted as
    they are — so a field (a city or place name) is never read as ruby markup."""
    if lang not in STRINGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    value = with_readings(STRINGS[lang][key])
    for name, field in fields.items():
        value = value.replace("{" + name + "}", str(field))
    return value
