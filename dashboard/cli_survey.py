"""Command line: ``python -m dashboard survey …`` — needs surveys and needs ↔ helpers surveys.

Registered by :func:`dashboard.cli.build_parser`; only aggregated, suppressed tables are written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard import exports
from dashboard.cli_common import EXIT_OK, UsageError, existing_file
from dashboard.cli_common import municipality as _municipality
from dashboard.cli_common import write_file as _write
from dashboard.errors import InputError, Problem
from dashboard.store import reads


def _load_mapping(args, engine) -> dict | None:
    import json

    from dashboard.store import models as m
    from dashboard.store.engine import read_session

    if args.mapping:
        try:
            return json.loads(Path(args.mapping).read_text(encoding="utf-8-sig"))
        except (OSError, json.JSONDecodeError) as error:
            raise UsageError(f"対応表（JSON）を読めません: {args.mapping} ({error})") from error
    if args.saved_mapping:
        with read_session(engine) as session:
            saved = session.get(m.SavedMapping, (args.kind, args.saved_mapping))
        if saved is None:
            raise UsageError(f"保存された対応表「{args.saved_mapping}」がありません")
        return json.loads(saved.mapping_json)
    return None


def _print_report(survey, note: str = "") -> None:
    """How many answers were read, and per column the blank and invalid values."""
    print(f"{len(survey.answers)} 人の回答を読みました{note}" + (f"（文字コード: {survey.encoding}）" if survey.encoding else ""))
    flagged = survey.report[(survey.report["n_invalid"] > 0) | (survey.report["n_blank"] > 0)]
    for row in flagged.itertuples():
        note = f"、無効な値の例: {row.invalid_examples}" if row.invalid_examples else ""
        print(f"  {row.column}: 有効 {row.n_valid} / 空欄 {row.n_blank} / 無効 {row.n_invalid}{note}")


def cmd_survey_import(args, engine) -> int:
    from dashboard.services.surveys import store_survey
    from dashboard.survey.io import read_helpers, read_survey

    path = Path(args.file)
    if not path.is_file():
        raise InputError([Problem(path.name, f"ファイルが見つかりません: {path}", "file not found")])
    code = _municipality(engine, args.municipality)
    known = set(reads.areas(engine, code)["area_id"])
    mapping = _load_mapping(args, engine)
    reader = read_survey if args.kind == "needs" else read_helpers
    survey = reader(path, known, mapping=mapping)
    _print_report(survey)
    if survey.unknown_areas:
        listed = "、".join(f"{a}（{n}人）" for a, n in survey.unknown_areas.items())
        if not args.allow_unknown_areas:
            raise InputError([Problem(path.name, f"ストアにない圏域IDの回答者がいます: {listed}。圏域IDを直すか、"
                                                 "--allow-unknown-areas で市全体にだけ含めて取り込んでください",
                                      "unknown area_id", column="area_id")])
        print(f"  圏域IDが不明な回答者（市全体にのみ含めます）: {listed}")
    batch = store_survey(engine, code, path, survey, kind=args.kind, title=args.title or path.stem, as_of=args.as_of,
                         is_synthetic=args.synthetic, mapping=mapping, save_mapping=args.save_mapping)
    print(f"取り込みました（調査ID {batch}）")
    return EXIT_OK


def cmd_survey_table(args, engine) -> int:
    from dashboard.survey.scoring import load_profile
    from dashboard.survey.service import needs_table

    code = _municipality(engine, args.municipality)
    batches = reads.survey_batches(engine, code, "needs")
    if batches.empty:
        raise UsageError("ニーズ調査が取り込まれていません (no needs survey in the store)")
    batch_id = args.batch or int(batches["id"].iloc[0])
    try:
        profile = load_profile(args.profile)
    except ValueError as error:
        raise UsageError(f"判定基準を読めません: {error}") from error
    areas = reads.areas(engine, code)
    table = needs_table(reads.survey_answers(engine, batch_id), profile, areas["area_id"].tolist(), args.min_n)
    _write(args.out, exports.csv_bytes(table))
    hidden = int(table["suppressed"].sum())
    print(f"集計表を書き出しました（判定基準 {profile.name}、n<{args.min_n} の {hidden} セルは非表示）: {args.out}")
    return EXIT_OK


def cmd_survey_generate(args, engine) -> int:
    from dashboard.settings import DATA_DIR
    from dashboard.importers.juki import read_age_structure
    from dashboard.survey.generate import generate_helpers_survey, generate_survey, write_survey_csv

    code = _municipality(engine, args.municipality)
    areas = reads.areas(engine, code)
    if args.kind == "needs":
        structure = read_age_structure(DATA_DIR / "saitama" / "soumu_juki_2204ssnen.xlsx", code)
        frame = generate_survey(areas, structure, n=args.n, seed=args.seed)
        write_survey_csv(frame, args.out)
    else:
        frame = generate_helpers_survey(areas, n=args.n, seed=args.seed)
        _write(args.out, frame.to_csv(index=False).encode("utf-8"))
    print(f"架空の調査データ {len(frame)} 人分を書き出しました（seed {args.seed}）: {args.out}")
    return EXIT_OK


def cmd_survey_helpers(args, engine) -> int:
    from dashboard.survey.io import read_helpers
    from dashboard.survey.service import helpers_table

    path = Path(args.file)
    if not path.is_file():
        raise InputError([Problem(path.name, f"ファイルが見つかりません: {path}", "file not found")])
    code = _municipality(engine, args.municipality)
    areas = reads.areas(engine, code)["area_id"].tolist()
    survey = read_helpers(path, set(areas))
    table = helpers_table(survey.answers, areas, min_n=args.min_n)
    _write(args.out, exports.csv_bytes(table[["area_id", "item", "needs", "offers", "gap", "suppressed"]]))
    print(f"{len(survey.answers)} 世帯の回答から集計しました: {args.out}")
    return EXIT_OK


def cmd_survey_score(args, engine) -> int:
    """Score a needs-survey file without storing it: the table of ``survey table`` (same profiles,
    same n<min_n and complementary suppression), computed from the file's answers."""
    from dashboard.survey.io import read_survey
    from dashboard.survey.scoring import load_profile
    from dashboard.survey.service import needs_table

    path = existing_file(args.file)
    code = _municipality(engine, args.municipality)
    try:
        profile = load_profile(args.profile)
    except ValueError as error:
        raise UsageError(f"判定基準を読めません: {error}") from error
    areas = reads.areas(engine, code)["area_id"].tolist()
    survey = read_survey(path, set(areas), mapping=_load_mapping(args, engine))
    _print_report(survey, "（ストアには保存しません）")
    if survey.unknown_areas:
        listed = "、".join(f"{a}（{n}人）" for a, n in survey.unknown_areas.items())
        print(f"  圏域IDが不明な回答者（市全体にのみ含めます）: {listed}")
    table = needs_table(survey.answers, profile, areas, args.min_n)
    _write(args.out, exports.csv_bytes(table))
    hidden = int(table["suppressed"].sum())
    print(f"集計表を書き出しました（判定基準 {profile.name}、n<{args.min_n} の {hidden} セルは非表示）: {args.out}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``survey import|table|score|generate|helpers`` to the top-level sub-commands."""
    survey = sub.add_parser("survey", help="needs surveys (ニーズ調査) and needs ↔ helpers surveys")
    survey_sub = survey.add_subparsers(dest="action", required=True)
    s_import = survey_sub.add_parser("import", help="import a survey file (canonical CSV, or CSV/XLSX with a mapping)")
    s_import.add_argument("file")
    s_import.add_argument("--kind", choices=("needs", "helpers"), default="needs")
    s_import.add_argument("--title")
    s_import.add_argument("--as-of", help="survey period, e.g. 令和4年12月")
    s_import.add_argument("--mapping", help="JSON {header: semantic id}")
    s_import.add_argument("--saved-mapping", help="use a mapping saved earlier under this name")
    s_import.add_argument("--save-mapping", help="save --mapping under this name for next time")
    s_import.add_argument("--allow-unknown-areas", action="store_true",
                          help="import respondents with unknown area_id (counted in the city total only)")
    s_import.add_argument("--synthetic", action="store_true", help="label as 架空の調査データ")
    s_import.add_argument("--municipality")
    s_import.set_defaults(func=cmd_survey_import)
    s_table = survey_sub.add_parser("table", help="suppressed figures per area and indicator as CSV")
    s_table.add_argument("--profile", default="standard", help="profile name or TOML file")
    s_table.add_argument("--min-n", type=int, default=10)
    s_table.add_argument("--batch", type=int, help="survey id (default: the newest)")
    s_table.add_argument("--municipality")
    s_table.add_argument("--out", required=True)
    s_table.set_defaults(func=cmd_survey_table)
    s_score = survey_sub.add_parser("score", help="score a needs-survey file without storing it: the table of "
                                                  "`survey table` (same suppression) as CSV")
    s_score.add_argument("file")
    s_score.add_argument("--profile", default="standard", help="profile name or TOML file")
    s_score.add_argument("--min-n", type=int, default=10)
    s_score.add_argument("--mapping", help="JSON {header: semantic id}")
    s_score.add_argument("--saved-mapping", help="use a mapping saved earlier under this name")
    s_score.add_argument("--municipality")
    s_score.add_argument("--out", required=True)
    s_score.set_defaults(func=cmd_survey_score, kind="needs")
    s_generate = survey_sub.add_parser("generate", help="write a synthetic (架空) survey for the store's areas")
    s_generate.add_argument("--seed", type=int, required=True)
    s_generate.add_argument("--n", type=int, required=True)
    s_generate.add_argument("--kind", choices=("needs", "helpers"), default="needs")
    s_generate.add_argument("--municipality")
    s_generate.add_argument("--out", required=True)
    s_generate.set_defaults(func=cmd_survey_generate)
    s_helpers = survey_sub.add_parser("helpers", help="needs vs offers per area and help item (CSV)")
    s_helpers.add_argument("file")
    s_helpers.add_argument("--min-n", type=int, default=10)
    s_helpers.add_argument("--municipality")
    s_helpers.add_argument("--out", required=True)
    s_helpers.set_defaults(func=cmd_survey_helpers)
