"""Survey rules are shown in words people read, never as column names or codes (issue #11):
「5項目中3項目以上が該当」, not ``stairs ∈ {3}``."""

from __future__ import annotations

import re

import pytest

from dashboard.survey.schema import ITEM_TOPICS
from dashboard.survey.scoring import Indicator, Item, available_profiles, load_profile


def test_k_of_n_rule_in_words():
    motor = Indicator("motor", "運動器機能の低下", "count",
                      tuple(Item(c, (3,)) for c in ("stairs", "chair_rise", "walk_15min", "fall_past_year",
                                                     "fear_of_falling")), k=3)
    assert motor.rule().startswith("5項目中3項目以上が該当（階段")
    assert "stairs" not in motor.rule() and "∈" not in motor.rule()


def test_all_and_single_item_rules_and_numbers():
    nutrition = Indicator("nutrition", "低栄養", "all", (Item("bmi", below=18.5), Item("weight_loss", (1,))))
    assert nutrition.rule() == "2項目すべてが該当（BMI 18.5未満、6か月で2〜3kg以上の体重減少）"
    assert Indicator("x", "x", "count", (Item("bmi", at_most=18.5),)).rule() == "該当の回答（BMI 18.5以下）"


@pytest.mark.parametrize("name", available_profiles())
def test_no_bundled_rule_shows_a_column_name_or_code(name):
    for indicator in load_profile(name).indicators:
        rule = indicator.rule()
        assert not re.search(r"[a-z_]{3,}|∈|\{|≤|<", rule), (indicator.id, rule)
        for item in indicator.items:
            assert item.column in ITEM_TOPICS, item.column
