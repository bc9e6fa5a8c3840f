"""Several app processes on one store (#13), on both backends: no lost edit, no lost revision bump,
an import killed half-way leaves nothing behind, a login made on one process is honoured by another;
and ``db copy`` between backends, verified by checksums.

"App processes" are real processes: each :class:`AppProcess` is a Python interpreter with an engine of
its own, driven line by line over stdin/stdout, so the processes act at the same moment without any
sleep. What the store holds afterwards is read back by the test process, through its own engine.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from dashboard import auth, editing
from dashboard.services import dbcopy
from dashboard.store import models as m
from dashboard.store import reads, writes
from dashboard.store.engine import make_engine, read_session, revision, write_session

REPO = Path(__file__).resolve().parents[2]
CODE = "11223"  # 蕨市, the demo city
INSIDE = (35.827789, 139.672853)  # 総合社会福祉センター (GSI), a real point inside 蕨市

# One app process: an engine on argv[1], then one command per stdin line, one JSON reply per line.
APP = r"""
import json, sys
from dashboard import editing, websession
from dashboard.store import reads
from dashboard.store.engine import make_engine

engine = make_engine(sys.argv[1])
forms = {}
for line in sys.stdin:
    command, *args = line.split()
    if command == "open":  # open a place's edit form, as the data page does
        record = reads.places(engine, "11223", internal=True).set_index("id").loc[args[0]]
        forms[args[0]] = (editing.form_values(record.to_dict()), int(record["version"]))
        reply = {"version": forms[args[0]][1]}
    elif command == "save":  # type a value into one field of the open form and save
        place_id, field, value = args
        form, version = forms[place_id]
        try:
            saved = editing.save_place(engine, municipality_code="11223", place_id=place_id,
                                       values=form | {field: value}, base_version=version, user=sys.argv[2],
                                       base_values=form)
            reply = {"saved": saved[1]}
        except editing.EditConflict as conflict:
            reply = {"conflict": conflict.current_version, "theirs": conflict.theirs}
    elif command == "login":  # the password was checked; open the session and fetch its cookie
        handoff = websession.start(engine, args[0])
        reply = {"cookie": websession.redeem(engine, handoff.ticket).value}
    elif command == "check":  # a page run with this cookie
        found = websession.session_for_cookie(engine, args[0])
        reply = {"user": None if found is None else [found[1].name, found[1].role]}
    elif command == "logout":
        reply = {"ended": websession.end_all(engine, args[0])}
    print(json.dumps(reply, ensure_ascii=False), flush=True)
"""


class AppProcess:
    """An app process on ``url``: :meth:`send` a command, :meth:`reply` reads its answer."""

    def __init__(self, url: str, user: str = "tester"):
        self.process = subprocess.Popen([sys.executable, "-c", APP, url, user], cwd=REPO, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(self, *words: str) -> None:
        self.process.stdin.write(" ".join(words) + "\n")
        self.process.stdin.flush()

    def reply(self) -> dict:
        line = self.process.stdout.readline()
        assert line, f"the app process ended: {self.process.stderr.read()}"
        return json.loads(line)

    def ask(self, *words: str) -> dict:
        self.send(*words)
        return self.reply()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture
def engine(demo_store_url):
    store = make_engine(demo_store_url)
    yield store
    store.dispose()


def stored_place(engine, place_id: str) -> m.Place:
    with read_session(engine) as session:
        return session.get(m.Place, place_id)


def audit_fields(engine, place_id: str) -> list[tuple[str, str, str]]:
    with read_session(engine) as session:
        rows = session.execute(select(m.AuditEntry.changed_by, m.AuditEntry.field, m.AuditEntry.new_value)
                               .where(m.AuditEntry.place_id == place_id, m.AuditEntry.action == "update")).all()
    return [tuple(r) for r in rows]


# --- editing ---------------------------------------------------------------------------------------

def test_two_processes_saving_the_same_place_at_once_one_wins_the_other_sees_a_conflict(demo_store_url, engine):
    place_id = reads.places(engine, CODE, internal=True)["id"].iloc[0]
    before = stored_place(engine, place_id)
    sato, suzuki = AppProcess(demo_store_url, "sato"), AppProcess(demo_store_url, "suzuki")
    try:
        assert sato.ask("open", place_id) == suzuki.ask("open", place_id) == {"version": before.version}
        sato.send("save", place_id, "fee", "123円")  # both save before either answer is read
        suzuki.send("save", place_id, "fee", "456円")
        replies = {"sato": sato.reply(), "suzuki": suzuki.reply()}
    finally:
        sato.close()
        suzuki.close()
    winners = [name for name, reply in replies.items() if "saved" in reply]
    assert len(winners) == 1, replies
    winner, loser = winners[0], ({"sato", "suzuki"} - set(winners)).pop()
    fee = {"sato": "123円", "suzuki": "456円"}
    assert replies[winner] == {"saved": before.version + 1}
    # the loser is shown the winner's value beside their own: nothing typed is lost
    assert replies[loser] == {"conflict": before.version + 1, "theirs": {"fee": [fee[winner], fee[loser]]}}
    after = stored_place(engine, place_id)
    assert (after.fee, after.version) == (fee[winner], before.version + 1)
    assert audit_fields(engine, place_id) == [(winner, "fee", fee[winner])]


def test_an_update_based_on_a_replaced_version_matches_no_row(engine):
    """``UPDATE … WHERE id = ? AND version = ?``: a session that read version v cannot overwrite v + 1,
    even when nothing else (no lock, no check in Python) stops it."""
    place_id = reads.places(engine, CODE, internal=True)["id"].iloc[0]
    version = stored_place(engine, place_id).version
    with pytest.raises(StaleDataError):
        with write_session(engine) as first:
            mine = first.get(m.Place, place_id)  # read v, without a lock
            with write_session(engine) as second:  # another writer replaces v meanwhile
                theirs = second.get(m.Place, place_id)
                theirs.fee, theirs.version = "他の人の値", version + 1
            mine.fee, mine.version = "上書き", version + 1
    after = stored_place(engine, place_id)
    assert (after.fee, after.version) == ("他の人の値", version + 1)


def test_concurrent_writers_never_lose_a_revision_bump(demo_store_url):
    """Each write transaction adds exactly 1 to the revision, however many processes commit at once."""
    writers, writes_each = 4, 10
    engines = [make_engine(demo_store_url) for _ in range(writers)]
    start = revision(engines[0])
    barrier = threading.Barrier(writers)
    failures = []

    def write(store, number):
        barrier.wait()
        try:
            for i in range(writes_each):
                with write_session(store) as session:
                    writes.set_meta(session, f"writer{number}", str(i))
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    threads = [threading.Thread(target=write, args=(store, n)) for n, store in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not failures
        assert revision(engines[0]) == start + writers * writes_each
    finally:
        for store in engines:
            store.dispose()


# --- an import killed half-way ------------------------------------------------------------------------

# The CLI's import, with the first chunk of places written to the store (flushed, not committed) before
# the process says "halfway" and waits to be killed.
KILLED_IMPORT = r"""
import sys, time
from dashboard.store import writes

real_upsert = writes.upsert_places

def upsert_then_wait(session, records, **kwargs):
    counts = real_upsert(session, records, **kwargs)
    session.flush()
    print("halfway", flush=True)
    time.sleep(600)
    return counts

writes.upsert_places = upsert_then_wait
from dashboard.cli import main
sys.exit(main(["--db", sys.argv[1], "import", "places", sys.argv[2]]))
"""


def places_file(path: Path, count: int, prefix: str) -> Path:
    lines = ["名称,種別,緯度,経度"] + [f"{prefix}{n},サロン,{INSIDE[0]},{INSIDE[1]}" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_killed_half_way_leaves_the_store_unchanged(demo_store_url, engine, tmp_path):
    before = dbcopy.checksums(demo_store_url)
    path = places_file(tmp_path / "many.csv", 1_200, "途中で止まる取り込み")  # 3 chunks of 500
    process = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, demo_store_url, str(path)], cwd=REPO,
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        said = [process.stdout.readline().strip()]  # the CLI's own lines (文字コード …) come first
        while said[-1] not in ("halfway", ""):
            said.append(process.stdout.readline().strip())
        assert said[-1] == "halfway", said  # "": the process ended without getting there
        if engine.dialect.name == "postgresql":  # the server really holds the uncommitted rows
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT count(*) FROM pg_stat_activity "
                                              "WHERE state = 'idle in transaction' AND datname = current_database()")) == 1
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert dbcopy.checksums(demo_store_url) == before
    # nothing is left locked: the same kind of import goes through at once
    small = places_file(tmp_path / "few.csv", 2, "あとの取り込み")
    result = subprocess.run([sys.executable, "-m", "dashboard", "--db", demo_store_url, "import", "places", str(small)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    names = reads.places(engine, CODE, internal=True)["name"]
    assert names.str.startswith("あとの取り込み").sum() == 2
    assert not names.str.startswith("途中で止まる取り込み").any()


# --- logins -------------------------------------------------------------------------------------------

def test_a_login_made_on_one_process_is_honoured_by_another_and_a_logout_on_it_ends_it(demo_store_url, engine):
    auth.add_user(engine, "sato", "pass-1234", "coordinator")
    first, second = AppProcess(demo_store_url), AppProcess(demo_store_url)
    try:
        cookie = first.ask("login", "sato")["cookie"]
        assert second.ask("check", cookie) == {"user": ["sato", "coordinator"]}
        assert second.ask("logout", "sato") == {"ended": 1}
        assert first.ask("check", cookie) == {"user": None}
    finally:
        first.close()
        second.close()


# --- db copy ------------------------------------------------------------------------------------------

@pytest.mark.postgresql
def test_db_copy_sqlite_to_postgresql_and_back_keeps_every_checksum(demo_db_path, pg_server, pg_postgis_template,
                                                                   tmp_path):
    original = f"sqlite:///{demo_db_path}"
    server = pg_server.create(pg_postgis_template)
    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    try:
        there = dbcopy.copy(original, server)
        again = dbcopy.copy(server, back)
        assert [pair[0] for pair in there.tables] == dbcopy.checksums(original)
        assert [pair[0] for pair in there.tables] == [pair[1] for pair in there.tables] == dbcopy.checksums(server)
        assert dbcopy.checksums(back) == dbcopy.checksums(original)
        assert [pair[0] for pair in again.tables] == dbcopy.checksums(original)
        # the copy on the server is a working store: new rows get fresh ids after the copied ones
        copied = make_engine(server)
        try:
            with write_session(copied) as session:
                new_batch = writes.add_batch(session, "places", "after.csv", "0" * 64, 0)
            with read_session(copied) as session:
                assert new_batch == max(session.scalars(select(m.ImportBatch.id)))
            auth.add_user(copied, "sato", "pass-1234", "coordinator")
            assert auth.authenticate(copied, "sato", "pass-1234").role == "coordinator"
        finally:
            copied.dispose()
    finally:
        pg_server.drop(server)


@pytest.mark.postgresql
def test_db_copy_refuses_a_target_with_data_and_changes_nothing(demo_db_path, pg_server, pg_demo_template):
    target = pg_server.create(pg_demo_template)
    try:
        before = dbcopy.checksums(target)
        with pytest.raises(dbcopy.CopyError, match="--replace"):
            dbcopy.copy(f"sqlite:///{demo_db_path}", target)
        assert dbcopy.checksums(target) == before
    finally:
        pg_server.drop(target)


def test_a_copy_whose_check_fails_is_rolled_back(demo_db_path, tmp_path, monkeypatch):
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    real = dbcopy.table_checks

    def one_row_short(connection):
        checks = real(connection)
        return [dbcopy.TableCheck(c.table, c.rows - 1, c.sha256) if c.table == "places" else c for c in checks]

    monkeypatch.setattr(dbcopy, "table_checks", one_row_short)
    with pytest.raises(dbcopy.CopyError, match="places"):
        dbcopy.copy(f"sqlite:///{demo_db_path}", target)
    monkeypatch.undo()
    assert all(c.rows == 0 for c in dbcopy.checksums(target) if c.table not in dbcopy.MIGRATION_ROWS)


def test_cli_db_copy_prints_each_table_with_its_count_and_checksum(demo_db_path, tmp_path):
    target, default_store = tmp_path / "copy.sqlite", tmp_path / "default.sqlite"

    def db_copy():
        return subprocess.run([sys.executable, "-m", "dashboard", "db", "copy", "--from", str(demo_db_path),
                               "--to", str(target)], cwd=REPO, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "DATABASE_URL": str(default_store)})

    result = db_copy()
    assert result.returncode == 0, result.stderr
    for check in dbcopy.checksums(f"sqlite:///{demo_db_path}"):
        assert f"{check.rows:,}  {check.sha256[:16]} = {check.sha256[:16]}" in result.stdout, check.table
    again = db_copy()
    assert again.returncode == 2 and "--replace" in again.stderr
    assert not default_store.exists()  # the --db store is neither created nor migrated by a copy


# --- the same results from either backend -------------------------------------------------------------

# commands whose output files must be byte for byte the same whichever backend the demo store is on
SAME_FILES = {
    "areas.csv": ("areas", "--out"),
    "places.csv": ("export", "places", "--format", "csv", "--out"),
    "places.geojson": ("export", "places", "--public", "--out"),
    "places_ods.csv": ("export", "places", "--format", "ods", "--out"),
    "areas.geojson": ("export", "areas", "--out"),
    "coverage.csv": ("coverage", "--distance", "500", "--2sfca", "--out"),
    "suggest.json": ("suggest", "--k", "3", "--out"),
    "survey.csv": ("survey", "table", "--out"),
    "helpers.csv": ("survey", "table", "--profile", "variant_strict", "--out"),
}


@pytest.mark.postgresql
def test_every_read_command_writes_the_same_file_from_either_backend(demo_db_path, pg_server, pg_demo_template,
                                                                      tmp_path, capsys):
    from dashboard.cli import main

    server = pg_server.create(pg_demo_template)
    try:
        for store, folder in ((str(demo_db_path), tmp_path / "sqlite"), (server, tmp_path / "postgresql")):
            for name, command in SAME_FILES.items():
                assert main(["--db", store, *command, str(folder / name)]) == 0, (name, capsys.readouterr().err)
            # the karte is drawn from the same data (a PDF carries its creation time, so only the pages count)
            assert main(["--db", store, "export", "karte", "--all", "--out", str(folder / "karte.pdf")]) == 0
        for name in SAME_FILES:
            assert (tmp_path / "postgresql" / name).read_bytes() == (tmp_path / "sqlite" / name).read_bytes(), name
        pages = [len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / backend / "karte.pdf").read_bytes()))
                 for backend in ("sqlite", "postgresql")]
        assert pages[0] == pages[1] == 1 + 5  # the city summary, then the demo's 5 areas
    finally:
        pg_server.drop(server)
