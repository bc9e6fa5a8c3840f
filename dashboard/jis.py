"""全国地方公共団体コード (JIS X 0401 / X 0402): prefectures and municipality codes as users type them."""

from __future__ import annotations

from dashboard.normalize import nfkc

#: JIS X 0401 prefecture names by code.
PREFECTURES = {
    1: "北海道", 2: "青森県", 3: "岩手県", 4: "宮城県", 5: "秋田県", 6: "山形県", 7: "福島県", 8: "茨城県",
    9: "栃木県", 10: "群馬県", 11: "埼玉県", 12: "千葉県", 13: "東京都", 14: "神奈川県", 15: "新潟県",
    16: "富山県", 17: "石川県", 18: "福井県", 19: "山梨県", 20: "長野県", 21: "岐阜県", 22: "静岡県",
    23: "愛知県", 24: "三重県", 25: "滋賀県", 26: "京都府", 27: "大阪府", 28: "兵庫県", 29: "奈良県",
    30: "和歌山県", 31: "鳥取県", 32: "島根県", 33: "岡山県", 34: "広島県", 35: "山口県", 36: "徳島県",
    37: "香川県", 38: "愛媛県", 39: "高知県", 40: "福岡県", 41: "佐賀県", 42: "長崎県", 43: "熊本県",
    44: "大分県", 45: "宮崎県", 46: "鹿児島県", 47: "沖縄県",
}
#: JIS X 0402 weights of the five code digits for the check digit.
_CHECK_WEIGHTS = (6, 5, 4, 3, 2)


def local_government_code(code: str) -> str:
    """The 6-digit 全国地方公共団体コード: the 5-digit JIS X 0402 code plus its check digit.

    Check digit = (11 − (Σ digit × weight mod 11)) mod 10 with weights 6, 5, 4, 3, 2; the final
    ``mod 10`` turns 10 into 0 and 11 into 1. Example: ``11223`` (蕨市) → ``112232``.
    """
    text = str(code).strip()
    if len(text) != 5 or not text.isascii() or not text.isdigit():
        raise ValueError(f"municipality code must be 5 digits (JIS X 0402), got {code!r}")
    total = sum(int(digit) * weight for digit, weight in zip(text, _CHECK_WEIGHTS))
    return text + str((11 - total % 11) % 10)


def municipality_code(text: str) -> str:
    """A municipality code as people write it → the 5 digits the store uses.

    Accepts ``11230``, full-width ``１１２３０`` and the 6-digit form with its check digit
    (``112305``, verified). Raises ``ValueError`` with a Japanese message otherwise.
    """
    value = nfkc(str(text))
    if not (value.isascii() and value.isdigit() and len(value) in (5, 6)):
        raise ValueError(f"市町村コードは5桁（または検査数字つき6桁）の数字です：「{text}」")
    if len(value) == 6:
        if local_government_code(value[:5]) != value:
            raise ValueError(f"市町村コード「{text}」の検査数字が正しくありません（{value[:5]} なら "
                             f"{local_government_code(value[:5])}）")
        value = value[:5]
    if int(value[:2]) not in PREFECTURES:
        raise ValueError(f"市町村コード「{text}」の上2桁が都道府県コード（01〜47）ではありません")
    return value


def prefecture_name(code: str) -> str:
    return PREFECTURES[int(code[:2])]
