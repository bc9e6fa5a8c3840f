"""Strings for residents in three languages: 日本語 (``ja``), やさしい日本語 (``easy``) and English (``en``).

The one place for the words of everything published to residents — the one-file offline map
(:mod:`dashboard.publicmap`), the 支え合いガイドブック PDF (:mod:`dashboard.guidebook`) and, later, the
Streamlit public pages. Coordinators' pages keep their Japanese strings where they are.

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
        "synthetic": "{what}は れんしゅう{用|よう}の うその データです。",
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
