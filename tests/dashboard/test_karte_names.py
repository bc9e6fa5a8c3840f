"""File names of 地域カルテ downloads: the area's Japanese name, nothing a file system refuses."""

import pytest

from dashboard.karte.names import MAX_NAME_CHARS, karte_file_name


@pytest.mark.parametrize("area,city,expected", [
    ("錦町地区", "蕨市", "地域カルテ_錦町地区.pdf"),
    (None, "蕨市", "地域カルテ_蕨市_全圏域.pdf"),
    ("../北/町:*?", "蕨市", "地域カルテ_北_町.pdf"),  # separators and reserved characters become 「_」
    ("  ", "蕨市", "地域カルテ_圏域.pdf"),
    (None, "", "地域カルテ_市_全圏域.pdf"),
])
def test_karte_file_names(area, city, expected):
    assert karte_file_name(area, city) == expected


def test_long_names_are_cut():
    assert karte_file_name("あ" * 200, "蕨市") == f"地域カルテ_{'あ' * MAX_NAME_CHARS}.pdf"
