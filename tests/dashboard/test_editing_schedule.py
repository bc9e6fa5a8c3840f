"""Editing a place (#11): the schedule builder is the one source of truth, the address is one entry.

The demo store's 中央公民館 ふれあいサロン (demo-006) meets 毎月第3木曜 13:30〜15:00 and is public and
active (dashboard/demo/places.py: サロン at a venue, rule chosen among 2TU / 2TU,4TU / 3TH, time
13:30〜15:00). The test finds the place by its rule in the store rather than trusting the id.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from dashboard import editing
from dashboard.errors import InputError
from dashboard.places_view import PlaceFilter, filter_places
from dashboard.schedule import Schedule, schedule_of
from dashboard.store import reads
from dashboard.store.engine import open_store

CODE = "11223"


@pytest.fixture
def engine(demo_db_copy):
    engine = open_store(f"sqlite:///{demo_db_copy}")
    yield engine
    engine.dispose()


def public_ids(engine, weekday: str) -> set[str]:
    """What a resident's weekday filter lists (public places, active)."""
    return set(filter_places(reads.places(engine, CODE, internal=False), PlaceFilter(weekdays=(weekday,)))["id"])


def third_thursday_salon(engine) -> dict:
    places = reads.places(engine, CODE, internal=True)
    rows = places[(places["rrule"] == "FREQ=MONTHLY;BYDAY=3TH") & (places["visibility"] == "public")
                  & (places["status"] == "active")]
    assert len(rows) >= 1, "the demo has public 第3木曜 salons"
    return rows.sort_values("id").iloc[0].to_dict()


def test_third_thursday_to_third_friday_through_the_builder_moves_the_place_between_weekday_filters(engine,
                                                                                                     demo_db_copy):
    place = third_thursday_salon(engine)
    assert place["id"] in public_ids(engine, "TH") and place["id"] not in public_ids(engine, "FR")
    form = editing.form_values(place)
    opened = schedule_of(form["rrule"], form["schedule_text"])  # the builder as the form opens it
    assert opened == Schedule("monthly", weekdays=("TH",), ordinals=(3,), start="13:30", end="15:00")

    editing.save_place(engine, municipality_code=CODE, place_id=place["id"], values=form,
                       schedule=replace(opened, weekdays=("FR",)), base_version=int(place["version"]),
                       user="sato", base_values=form)

    with sqlite3.connect(demo_db_copy) as db:
        stored = db.execute("select rrule, schedule_text, frequency_class from places where id = ?",
                            (place["id"],)).fetchone()
        changed = {r[0] for r in db.execute("select field from audit_log where place_id = ? and action = 'update'",
                                            (place["id"],))}
    assert stored == ("FREQ=MONTHLY;BYDAY=3FR", "毎月第3金曜 13:30〜15:00", "monthly")  # 12 a year
    assert changed == {"rrule", "schedule_text"}  # nothing else was touched
    assert place["id"] not in public_ids(engine, "TH")
    assert place["id"] in public_ids(engine, "FR")


def test_changing_only_the_words_is_refused_and_nothing_is_written(engine, demo_db_copy):
    """The old defect: the text said 第3金曜 while the rule kept 3TH. Now the pair is refused."""
    place = third_thursday_salon(engine)
    form = editing.form_values(place) | {"schedule_text": "毎月第3金曜 13:30〜15:00"}
    with pytest.raises(InputError) as error:
        editing.save_place(engine, municipality_code=CODE, place_id=place["id"], values=form,
                           base_version=int(place["version"]), user="sato")
    assert [p.column for p in error.value.problems] == ["schedule_text"]
    assert "毎月第3木曜" in error.value.problems[0].message_ja
    with sqlite3.connect(demo_db_copy) as db:
        assert db.execute("select rrule, version from places where id = ?", (place["id"],)).fetchone() == \
            ("FREQ=MONTHLY;BYDAY=3TH", int(place["version"]))
    assert place["id"] in public_ids(engine, "TH")


def test_an_incomplete_builder_choice_is_refused(engine):
    place = third_thursday_salon(engine)
    form = editing.form_values(place)
    with pytest.raises(InputError) as error:
        editing.save_place(engine, municipality_code=CODE, place_id=place["id"], values=form,
                           schedule=Schedule("monthly", weekdays=("FR",)), base_version=int(place["version"]),
                           user="sato")
    assert [p.column for p in error.value.problems] == ["schedule"]
    assert "第何週" in error.value.problems[0].message_ja


def test_irregular_clears_the_rule_and_leaves_every_weekday_filter(engine, demo_db_copy):
    place = third_thursday_salon(engine)
    form = editing.form_values(place)
    editing.save_place(engine, municipality_code=CODE, place_id=place["id"], values=form,
                       schedule=Schedule("irregular"), base_version=int(place["version"]), user="sato")
    with sqlite3.connect(demo_db_copy) as db:
        stored = db.execute("select rrule, schedule_text, frequency_class from places where id = ?",
                            (place["id"],)).fetchone()
    assert stored == (None, "不定期", "unknown")
    assert all(place["id"] not in public_ids(engine, day) for day in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"))


def test_a_changed_address_fills_the_address_parts_and_an_unchanged_one_leaves_them(engine, demo_db_copy):
    place = third_thursday_salon(engine)
    form = editing.form_values(place)
    version = editing.save_place(engine, municipality_code=CODE, place_id=place["id"], values=form | {"fee": "200円"},
                                 base_version=int(place["version"]), user="sato")[1]
    with sqlite3.connect(demo_db_copy) as db:
        parts = db.execute("select prefecture, city, town_street, banchi from places where id = ?",
                           (place["id"],)).fetchone()
    assert parts == (None, None, None, None)  # the demo has none; a fee edit does not invent them
    editing.save_place(engine, municipality_code=CODE, place_id=place["id"],
                       values=form | {"fee": "200円", "address": "埼玉県蕨市中央５丁目９－１４"},
                       base_version=version, user="sato")
    with sqlite3.connect(demo_db_copy) as db:
        parts = db.execute("select address, prefecture, city, town_street, banchi from places where id = ?",
                           (place["id"],)).fetchone()
    # the address is kept as typed; its parts are NFKC-read: 埼玉県 / 蕨市 / 中央5丁目 / 9-14
    assert parts == ("埼玉県蕨市中央５丁目９－１４", "埼玉県", "蕨市", "中央5丁目", "9-14")
