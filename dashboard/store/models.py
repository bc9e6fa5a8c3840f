"""Tables of the store. Geometries are EPSG:4326 (lon/lat); counts are persons.

Every table that holds data of one municipality carries ``municipality_code`` (全国地方公共団体
コード without check digit, e.g. ``11223`` for 蕨市) so one store can hold several cities.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dashboard.store.types import Geometry


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the store: ``revision`` (bumped by every write), data as-of dates."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImportBatch(Base):
    """One import (a file through an importer). Rows written by it point back here."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))  # e.g. "estat_boundary", "places"
    source_name: Mapped[str] = mapped_column(Text)  # file name as given
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    created_by: Mapped[str | None] = mapped_column(String(64))


class Municipality(Base):
    __tablename__ = "municipalities"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    prefecture: Mapped[str] = mapped_column(String(16))
    boundary: Mapped[object | None] = mapped_column(Geometry)  # official outline (N03)
    boundary_source: Mapped[str | None] = mapped_column(Text)


class MunicipalityMeta(Base):
    """Facts about one city's data: ``sources`` (JSON list of :mod:`dashboard.sources` keys),
    ``population_as_of``, ``boundary_as_of``, ``facilities_as_of``, ``demo``, ``population_kind`` …"""

    __tablename__ = "municipality_meta"
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Area(Base):
    """日常生活圏域 (or a demo stand-in: ``is_demo`` marks 「デモ用の仮の圏域」)."""

    __tablename__ = "areas"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    name: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    geometry: Mapped[object] = mapped_column(Geometry)
    pop_total: Mapped[float | None] = mapped_column(Float)  # 2020 mesh estimate, persons
    pop65: Mapped[float | None] = mapped_column(Float)
    pop75: Mapped[float | None] = mapped_column(Float)
    pop85: Mapped[float | None] = mapped_column(Float)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class Town(Base):
    """町丁目 (census 小地域) with its 2015 census count and 2020 mesh-based estimates."""

    __tablename__ = "towns"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # e-Stat KEY_CODE
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"))
    name: Mapped[str] = mapped_column(String(64))  # NFKC, e.g. 錦町1丁目
    oaza: Mapped[str] = mapped_column(String(64))  # 大字 part, e.g. 錦町
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.id"))
    pop_2015: Mapped[int | None] = mapped_column(Integer)
    households_2015: Mapped[int | None] = mapped_column(Integer)
    est_pop_total: Mapped[float | None] = mapped_column(Float)  # 2020, areal-interpolated from mesh
    est_pop65: Mapped[float | None] = mapped_column(Float)
    est_pop75: Mapped[float | None] = mapped_column(Float)
    est_pop85: Mapped[float | None] = mapped_column(Float)
    rep_lat: Mapped[float | None] = mapped_column(Float)  # representative point (Geolonia)
    rep_lon: Mapped[float | None] = mapped_column(Float)
    #: ``polygon`` (a real boundary) or ``point``: only the representative point is known; its people
    #: stand at that point (位置の精度) and ``geometry`` is its Voronoi cell inside the city, used only
    #: to tell which 町丁目 a place lies in.
    geometry_kind: Mapped[str] = mapped_column(String(16), default="polygon", server_default="polygon")
    geometry: Mapped[object] = mapped_column(Geometry)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class PopulationCell(Base):
    """A 地域メッシュ cell clipped to the municipality; counts weighted by the share inside."""

    __tablename__ = "population_cells"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    mesh_code: Mapped[str] = mapped_column(String(11))
    mesh_level_m: Mapped[int] = mapped_column(Integer)  # 250 or 500
    census_year: Mapped[int] = mapped_column(Integer)
    frac_inside: Mapped[float] = mapped_column(Float)  # 0–1, area share inside the municipality
    pop_total: Mapped[float] = mapped_column(Float)  # already multiplied by frac_inside
    pop65: Mapped[float] = mapped_column(Float)
    pop75: Mapped[float] = mapped_column(Float)
    pop85: Mapped[float] = mapped_column(Float)
    raw_pop_total: Mapped[int] = mapped_column(Integer)  # whole cell, as published
    raw_pop65: Mapped[int] = mapped_column(Integer)
    geometry: Mapped[object] = mapped_column(Geometry)  # clipped cell
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class Place(Base):
    """A community resource (domain.md §2). ``version`` is bumped on every edit."""

    __tablename__ = "places"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    name: Mapped[str] = mapped_column(Text)
    name_kana: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    visibility: Mapped[str] = mapped_column(String(16), default="internal")
    address: Mapped[str | None] = mapped_column(Text)  # 所在地_連結表記
    prefecture: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(64))
    town_street: Mapped[str | None] = mapped_column(Text)  # 町字
    banchi: Mapped[str | None] = mapped_column(Text)  # 番地以下
    building: Mapped[str | None] = mapped_column(Text)  # 建物名等
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    location_precision: Mapped[str] = mapped_column(String(16), default="surveyed")
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.id"))
    town_code: Mapped[str | None] = mapped_column(ForeignKey("towns.code"))
    rrule: Mapped[str | None] = mapped_column(Text)
    schedule_text: Mapped[str | None] = mapped_column(Text)
    frequency_class: Mapped[str] = mapped_column(String(16), default="unknown")
    operator_type: Mapped[str | None] = mapped_column(Text)  # 運営
    venue_type: Mapped[str | None] = mapped_column(Text)  # 場所
    activities: Mapped[str | None] = mapped_column(Text)  # 活動, "・"-joined
    target: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column(Integer)
    fee: Mapped[str | None] = mapped_column(Text)
    transport: Mapped[bool | None] = mapped_column(Boolean)  # 送迎
    barrier_free: Mapped[bool | None] = mapped_column(Boolean)
    contact_public: Mapped[str | None] = mapped_column(Text)
    contact_internal: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    last_verified: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), onupdate=func.current_timestamp()
    )

    # Every ORM UPDATE of a place is ``… WHERE id = ? AND version = <the version read>``: a write based on
    # a version another process has since replaced matches no row and raises StaleDataError instead of
    # overwriting it (no lost update across app processes). The writers set the new version themselves.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class CandidateVenue(Base):
    """A real venue where a new gathering could open (公民館, 集会所, 福祉センター …)."""

    __tablename__ = "candidate_venues"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    area_id: Mapped[str | None] = mapped_column(ForeignKey("areas.id"))
    source: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(64))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class User(Base):
    """A login. ``password_hash`` is an argon2id hash (argon2-cffi), never the password."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # coordinator / admin
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; set after too many failures
    #: A coordinator limited to one city (None = every city of the store; admins are never limited).
    municipality_code: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class LoginSession(Base):
    """A coordinator's login, kept on the server (migration 0006). The browser holds only a signed,
    HttpOnly cookie with a random token; the store keeps its SHA-256, never the token itself, so
    a copy of the store lets nobody in. See :mod:`dashboard.websession`."""

    __tablename__ = "login_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, names the session server-side
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)  # set when the cookie is issued
    #: SHA-256 of the one-time handoff secret that lets the browser fetch the cookie; NULL once used.
    handoff_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    expires_at: Mapped[datetime] = mapped_column(DateTime)  # UTC; the login ends then at the latest
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; logout, disabled user, new password


class AppSecret(Base):
    """Server-side secrets created with the store (migration 0006), e.g. the key signing session cookies."""

    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SavedMapping(Base):
    """A column mapping a user saved for a kind of file (e.g. their ニーズ調査 export): header → field."""

    __tablename__ = "saved_mappings"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # survey / helpers / places
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    mapping_json: Mapped[str] = mapped_column(Text)


class SurveyBatch(Base):
    """One imported survey file. Respondent rows never leave the server (no UI or export shows them)."""

    __tablename__ = "survey_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # needs / helpers
    title: Mapped[str] = mapped_column(Text)
    as_of: Mapped[str | None] = mapped_column(String(32))  # survey period as the municipality writes it
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    source_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    n_respondents: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class SurveyResponse(Base):
    """A needs-survey respondent: answers as numbers (invalid codes such as 9 kept; text → NULL)."""

    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("survey_batches.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[str] = mapped_column(String(64))
    area_id: Mapped[str] = mapped_column(String(32))  # may be an id the store does not know (reported)
    answers_json: Mapped[str] = mapped_column(Text)  # {"age": 72, "stairs": 1, …}


class HelperResponse(Base):
    """A needs ↔ helpers (川島町 style) household: ``{"need_garbage": 1, "offer_garbage": 0, …}``."""

    __tablename__ = "helper_responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("survey_batches.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[str] = mapped_column(String(64))
    area_id: Mapped[str] = mapped_column(String(32))
    answers_json: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """One changed field of a place: who, when, old and new value (text). Never deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    place_id: Mapped[str] = mapped_column(String(64), index=True)
    municipality_code: Mapped[str] = mapped_column(String(5))
    changed_by: Mapped[str] = mapped_column(String(64))  # user name, or "import:<file>"
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    action: Mapped[str] = mapped_column(String(16))  # create / update / verify / import
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Snapshot(Base):
    """A frozen copy of a municipality's places (活動の振り返り), e.g. label 2026年度."""

    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    created_by: Mapped[str | None] = mapped_column(String(64))
    places_json: Mapped[str] = mapped_column(Text)  # list of place records (all fields)
    coverage_json: Mapped[str | None] = mapped_column(Text)  # coverage table at 500 m when taken


# --- 活動記録と地域の声 (migration 0008; internal only, never published) -------------------------------

class ActivityRecord(Base):
    """One activity of a coordinator (住民座談会, 協議体, 訪問 …). ``version`` is bumped on every edit.
    Areas (:class:`ActivityRecordArea`) and ``place_id`` are ids as text, not foreign keys: a city that
    imports its 圏域 again keeps its records."""

    __tablename__ = "activity_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # dashboard.records.vocab.RECORD_KINDS
    place_id: Mapped[str | None] = mapped_column(String(64))
    participants: Mapped[int | None] = mapped_column(Integer)  # persons
    summary: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp(),
                                                 onupdate=func.current_timestamp())
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ActivityRecordArea(Base):
    """A 日常生活圏域 an activity concerned (none = city-wide); ``position`` keeps the order entered."""

    __tablename__ = "activity_record_areas"
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ActivityFollowUp(Base):
    """Something to do after an activity: who (a role, e.g. 第2層SC), by when, open or closed."""

    __tablename__ = "activity_followups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open / closed
    closed_on: Mapped[date | None] = mapped_column(Date)


class ActivityVoice(Base):
    """地域の声: one short statement heard at an activity, in one area (None = not one area)."""

    __tablename__ = "activity_voices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(5), index=True)
    area_id: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class ActivityVoiceTag(Base):
    """A need category of a voice (data/vocab/needs_tags.csv)."""

    __tablename__ = "activity_voice_tags"
    voice_id: Mapped[int] = mapped_column(ForeignKey("activity_voices.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)


class ActivityAttachment(Base):
    """A PDF or photo kept with a record, in the store itself (size-limited, type checked by its bytes)."""

    __tablename__ = "activity_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("activity_records.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(32))  # application/pdf, image/jpeg, image/png
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class ActivityAuditEntry(Base):
    """One changed field of an activity record (the shape of :class:`AuditEntry`). Never deleted,
    also not with its record."""

    __tablename__ = "activity_audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    municipality_code: Mapped[str] = mapped_column(String(5))
    changed_by: Mapped[str] = mapped_column(String(64))  # user name, or "import:<file>"
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    action: Mapped[str] = mapped_column(String(16))  # create / update / close / attach / detach / delete / import
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
