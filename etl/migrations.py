"""Append-only schema migrations for data/disclosure.db.

Each migration is a (name, SQL) pair applied once, in order, and recorded in
``_migrations``. Never edit or reorder a migration that has shipped: add a new
one. Column descriptions live in ``etl/schema.yaml`` (the data dictionary that
also feeds Datasette metadata and the site's /data/ page); a test checks that
every table and column created here is described there.
"""

from __future__ import annotations

import sqlite3

# Columns every record table carries: provenance and history.
#   id            stable id from source + natural key (never changes between runs)
#   source_id     the spec file that produced the row
#   document_id   documents.id of the exact document the values came from
#   record_hash   sha256 of the normalized content fields (change detection)
#   first_seen_run / last_seen_run / updated_run   etl_runs.id
#   removed_run / removed_at   set when the record disappeared from its source
_PROVENANCE = """
    source_id TEXT NOT NULL,
    document_id INTEGER REFERENCES documents(id),
    source_url TEXT,
    record_hash TEXT NOT NULL,
    first_seen_run INTEGER,
    last_seen_run INTEGER,
    updated_run INTEGER,
    removed_run INTEGER,
    removed_at TEXT
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        f"""
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    licence TEXT NOT NULL,
    format TEXT NOT NULL,
    url TEXT NOT NULL,
    region_code TEXT,
    is_sample INTEGER NOT NULL DEFAULT 0,
    max_age_days INTEGER,
    spec_sha256 TEXT,
    last_run_id INTEGER,
    last_status TEXT,
    last_error TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_changed_at TEXT,
    record_count INTEGER
);

CREATE TABLE etl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    args TEXT,
    sources_ok INTEGER,
    sources_failed INTEGER
);

CREATE TABLE source_runs (
    run_id INTEGER NOT NULL REFERENCES etl_runs(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    status TEXT NOT NULL,
    error TEXT,
    started_at TEXT,
    finished_at TEXT,
    documents_fetched INTEGER DEFAULT 0,
    documents_unchanged INTEGER DEFAULT 0,
    records INTEGER DEFAULT 0,
    added INTEGER DEFAULT 0,
    updated INTEGER DEFAULT 0,
    removed INTEGER DEFAULT 0,
    rejected INTEGER DEFAULT 0,
    unmapped_fields TEXT,
    PRIMARY KEY (run_id, source_id)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    http_status INTEGER,
    content_type TEXT,
    encoding TEXT,
    size INTEGER,
    etag TEXT,
    last_modified TEXT,
    archive_path TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    gone_since TEXT,
    UNIQUE (url, sha256)
);
CREATE INDEX documents_url ON documents(url);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES etl_runs(id),
    source_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    record_id TEXT NOT NULL,
    action TEXT NOT NULL,
    fields TEXT,
    at TEXT NOT NULL
);
CREATE INDEX changes_run ON changes(run_id);
CREATE INDEX changes_record ON changes(table_name, record_id);

CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES etl_runs(id),
    source_id TEXT NOT NULL,
    document_id INTEGER REFERENCES documents(id),
    row_ref TEXT,
    reason TEXT NOT NULL,
    raw TEXT,
    at TEXT NOT NULL
);
CREATE INDEX rejects_run ON rejects(run_id);

CREATE TABLE enterprises (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    uscc TEXT,
    uscc_valid INTEGER,
    uscc_problem TEXT,
    org_code TEXT,
    region_code TEXT,
    city_code TEXT,
    region_name TEXT,
    industry TEXT,
    legal_rep TEXT,
    link_flag TEXT,
    sources TEXT,
    first_seen_run INTEGER,
    last_seen_run INTEGER
);
CREATE INDEX enterprises_name_norm ON enterprises(name_norm);
CREATE INDEX enterprises_uscc ON enterprises(uscc);

CREATE TABLE accidents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    occurred_on TEXT,
    occurred_time TEXT,
    region_code TEXT,
    city_code TEXT,
    region_name TEXT,
    enterprise_id TEXT REFERENCES enterprises(id),
    enterprise_name TEXT,
    enterprise_uscc TEXT,
    industry TEXT,
    accident_type TEXT,
    deaths INTEGER,
    missing INTEGER,
    serious_injuries INTEGER,
    injuries INTEGER,
    direct_loss_yuan REAL,
    direct_loss_note TEXT,
    grade_stated TEXT,
    grade_computed TEXT,
    grade_mismatch INTEGER,
    concealed INTEGER,
    concealment TEXT,
    summary TEXT,
    body_text TEXT,
    index_no TEXT,
    publisher TEXT,
    doc_no TEXT,
    written_on TEXT,
    published_on TEXT,
    approved_on TEXT,
    attachments TEXT,
    {_PROVENANCE}
);
CREATE INDEX accidents_occurred_on ON accidents(occurred_on);
CREATE INDEX accidents_city ON accidents(city_code);
CREATE INDEX accidents_enterprise ON accidents(enterprise_id);

CREATE TABLE accountability (
    id TEXT PRIMARY KEY,
    accident_id TEXT NOT NULL REFERENCES accidents(id),
    subject_type TEXT NOT NULL,
    subject TEXT,
    position TEXT,
    measure_type TEXT NOT NULL,
    measure TEXT,
    fine_yuan REAL,
    {_PROVENANCE}
);
CREATE INDEX accountability_accident ON accountability(accident_id);

CREATE TABLE rectification_assessments (
    id TEXT PRIMARY KEY,
    accident_id TEXT REFERENCES accidents(id),
    accident_ref TEXT,
    title TEXT NOT NULL,
    result TEXT,
    assessed_on TEXT,
    published_on TEXT,
    assessor TEXT,
    summary TEXT,
    index_no TEXT,
    publisher TEXT,
    doc_no TEXT,
    attachments TEXT,
    {_PROVENANCE}
);
CREATE INDEX rectification_accident ON rectification_assessments(accident_id);

CREATE TABLE credit_ratings (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT REFERENCES enterprises(id),
    enterprise_name TEXT NOT NULL,
    uscc TEXT,
    rating TEXT NOT NULL,
    rating_year INTEGER,
    rated_on TEXT,
    valid_until TEXT,
    rater TEXT,
    industry TEXT,
    region_code TEXT,
    {_PROVENANCE}
);
CREATE INDEX credit_ratings_enterprise ON credit_ratings(enterprise_id);

CREATE TABLE credit_records (
    id TEXT PRIMARY KEY,
    enterprise_id TEXT REFERENCES enterprises(id),
    enterprise_name TEXT NOT NULL,
    uscc TEXT,
    record_type TEXT NOT NULL,
    decision_no TEXT,
    authority TEXT,
    facts TEXT,
    basis TEXT,
    penalty TEXT,
    fine_yuan REAL,
    decided_on TEXT,
    publicity_start TEXT,
    publicity_end TEXT,
    region_code TEXT,
    {_PROVENANCE}
);
CREATE INDEX credit_records_enterprise ON credit_records(enterprise_id);

CREATE TABLE blacklist (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises(id),
    uscc TEXT,
    id_number TEXT,
    responsible_person TEXT,
    decision_no TEXT,
    authority TEXT,
    reason TEXT,
    basis TEXT,
    listed_on TEXT,
    term_end TEXT,
    removed_on TEXT,
    removal_reason TEXT,
    removal_doc TEXT,
    batch TEXT,
    region_code TEXT,
    {_PROVENANCE}
);
CREATE INDEX blacklist_enterprise ON blacklist(enterprise_id);
CREATE INDEX blacklist_decision ON blacklist(decision_no);

CREATE TABLE blacklist_removals (
    id TEXT PRIMARY KEY,
    subject_name TEXT NOT NULL,
    uscc TEXT,
    decision_no TEXT,
    listed_on TEXT,
    removed_on TEXT NOT NULL,
    removal_reason TEXT NOT NULL,
    authority TEXT,
    batch TEXT,
    {_PROVENANCE}
);

CREATE TABLE bans (
    id TEXT PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises(id),
    uscc TEXT,
    id_number TEXT,
    ban_type TEXT NOT NULL,
    scope TEXT,
    reason TEXT,
    authority TEXT,
    decision_no TEXT,
    start_on TEXT,
    end_on TEXT,
    lifetime INTEGER,
    region_code TEXT,
    {_PROVENANCE}
);

CREATE TABLE annual_statistics (
    id TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    region_name TEXT,
    accidents INTEGER,
    deaths INTEGER,
    gdp_yi REAL,
    deaths_per_yi_gdp REAL,
    {_PROVENANCE}
);
""",
    ),
    (
        # Nothing reads the internal database's changes by record: the public build scans them
        # (etl/public.py _changes) and public.db gets its own (table_name, record_id) index from
        # etl/schema.yaml. Keeping this one cost every load a random-order index insert per
        # change row: bench/load_bench.py's records, 85,021 -> 89,267 records/s without it.
        "002_drop_changes_record_index",
        "DROP INDEX IF EXISTS changes_record",
    ),
    (
        # An entry's history from the removal announcements, derived by etl/derive.py: removed
        # early, early removal revoked (恢复列入), expired, listing revoked, in date order.
        "003_blacklist_events",
        "ALTER TABLE blacklist ADD COLUMN events TEXT",
    ),
    (
        # A person on the blacklist or bans list is identified as the announcement does: masked
        # name (张某昌) and unit, never by any part of an ID number (行政处罚结果信息网上公开暂行办法
        # 第七条). `unit`: the person's unit, from the source's column or the reason text.
        "004_person_unit",
        "ALTER TABLE blacklist ADD COLUMN unit TEXT;\nALTER TABLE bans ADD COLUMN unit TEXT",
    ),
    (
        # Where each fact of a report was read (etl/extract/evidence.py), a child of accidents
        # written by etl/datasets/accidents.py; and the staff decisions of
        # data/corrections/accidents.yaml as the last run applied them (etl/corrections.py).
        "005_evidence",
        f"""
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    accident_id TEXT NOT NULL REFERENCES accidents(id),
    accountability_id TEXT REFERENCES accountability(id),
    field TEXT NOT NULL,
    value,
    method TEXT NOT NULL,
    confidence TEXT NOT NULL,
    reason TEXT,
    quote TEXT,
    quote_start INTEGER,
    quote_end INTEGER,
    candidates TEXT,
    {_PROVENANCE}
);
CREATE INDEX evidence_accident ON evidence(accident_id);

CREATE TABLE corrections (
    accident_id TEXT NOT NULL,
    field TEXT NOT NULL,
    action TEXT NOT NULL,
    value TEXT,
    previous TEXT,
    decided_on TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    quote TEXT,
    document_sha256 TEXT,
    applied INTEGER NOT NULL,
    stale INTEGER NOT NULL,
    note TEXT,
    run_id INTEGER,
    PRIMARY KEY (accident_id, field)
)""",
    ),
    (
        # The narrower type a report names beside its GB 6441-86 class (道路运输, 煤与瓦斯突出 …;
        # etl/rules/vocabulary.py SUBTYPES).
        "006_accident_subtype",
        "ALTER TABLE accidents ADD COLUMN accident_subtype TEXT",
    ),
    (
        # How an accident's enterprise was linked (etl/enterprise_links.py: uscc, exact_name,
        # name_without_prefix, parent, none, review) and, for review, the registered enterprises
        # it might be (JSON). Derived by etl/derive.py; a link no rule proves is never made.
        "007_enterprise_link_evidence",
        "ALTER TABLE accidents ADD COLUMN enterprise_link_method TEXT;\n"
        "ALTER TABLE accidents ADD COLUMN enterprise_link_candidates TEXT",
    ),
    (
        # The rest of what the province publishes (docs/sources.md, docs/public-filter.md):
        # 重大事故隐患挂牌督办 and the announcements that follow a listing (摘牌/销号, 约谈, 曝光),
        # 行政处罚决定 and 双随机抽查结果 (执法信息公开), the register of 安全评价/检测检验机构 with the
        # actions against them and the reports they publish, and 重大建设项目立项前公示.
        # enterprise_id, hazard_id, accident_id, agency_id, removal_doc and events are derived.
        "008_disclosures",
        f"""
CREATE TABLE hazards (
    id TEXT PRIMARY KEY,
    notice_no TEXT,
    enterprise_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises(id),
    uscc TEXT,
    region_code TEXT,
    location TEXT,
    industry TEXT,
    hazard TEXT NOT NULL,
    supervising_authority TEXT,
    responsible_authority TEXT,
    listed_on TEXT NOT NULL,
    deadline TEXT,
    removed_on TEXT,
    removal_doc TEXT,
    events TEXT,
    {_PROVENANCE}
);
CREATE INDEX hazards_enterprise ON hazards(enterprise_id);
CREATE INDEX hazards_notice ON hazards(notice_no);

CREATE TABLE hazard_events (
    id TEXT PRIMARY KEY,
    hazard_id TEXT REFERENCES hazards(id),
    notice_no TEXT,
    enterprise_name TEXT NOT NULL,
    uscc TEXT,
    hazard TEXT,
    event TEXT NOT NULL,
    event_on TEXT NOT NULL,
    title TEXT,
    detail TEXT,
    authority TEXT,
    region_code TEXT,
    {_PROVENANCE}
);
CREATE INDEX hazard_events_hazard ON hazard_events(hazard_id);

CREATE TABLE penalties (
    id TEXT PRIMARY KEY,
    decision_no TEXT NOT NULL,
    party_type TEXT NOT NULL,
    party_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises(id),
    uscc TEXT,
    unit TEXT,
    facts TEXT,
    basis TEXT,
    penalty TEXT,
    fine_yuan REAL,
    decided_on TEXT NOT NULL,
    authority TEXT,
    region_code TEXT,
    accident_ref TEXT,
    accident_id TEXT REFERENCES accidents(id),
    {_PROVENANCE}
);
CREATE INDEX penalties_enterprise ON penalties(enterprise_id);

CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    task TEXT,
    object_name TEXT NOT NULL,
    enterprise_id TEXT REFERENCES enterprises(id),
    uscc TEXT,
    region_code TEXT,
    inspected_on TEXT NOT NULL,
    authority TEXT,
    result TEXT NOT NULL,
    result_text TEXT,
    problems TEXT,
    problem_count INTEGER,
    rectification TEXT,
    {_PROVENANCE}
);
CREATE INDEX inspections_enterprise ON inspections(enterprise_id);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    uscc TEXT,
    enterprise_id TEXT REFERENCES enterprises(id),
    agency_type TEXT NOT NULL,
    certificate_no TEXT,
    scope TEXT,
    issued_on TEXT,
    valid_until TEXT,
    status_stated TEXT,
    authority TEXT,
    region_code TEXT,
    {_PROVENANCE}
);

CREATE TABLE agency_actions (
    id TEXT PRIMARY KEY,
    agency_name TEXT NOT NULL,
    uscc TEXT,
    agency_id TEXT REFERENCES agencies(id),
    certificate_no TEXT,
    action TEXT NOT NULL,
    violation TEXT,
    facts TEXT,
    decided_on TEXT NOT NULL,
    start_on TEXT,
    end_on TEXT,
    authority TEXT,
    decision_no TEXT,
    measure TEXT,
    fine_yuan REAL,
    {_PROVENANCE}
);
CREATE INDEX agency_actions_agency ON agency_actions(agency_id);

CREATE TABLE agency_reports (
    id TEXT PRIMARY KEY,
    report_no TEXT,
    agency_name TEXT NOT NULL,
    agency_uscc TEXT,
    agency_id TEXT REFERENCES agencies(id),
    report_type TEXT,
    project TEXT NOT NULL,
    client_name TEXT,
    client_uscc TEXT,
    enterprise_id TEXT REFERENCES enterprises(id),
    issued_on TEXT,
    conclusion TEXT,
    {_PROVENANCE}
);
CREATE INDEX agency_reports_agency ON agency_reports(agency_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    announcement_no TEXT,
    project_name TEXT NOT NULL,
    builder TEXT NOT NULL,
    uscc TEXT,
    enterprise_id TEXT REFERENCES enterprises(id),
    location TEXT,
    region_code TEXT,
    industry TEXT,
    main_hazards TEXT,
    safety_measures TEXT,
    announced_on TEXT,
    comment_start TEXT,
    comment_end TEXT,
    comment_period TEXT,
    comment_channel TEXT,
    outcome TEXT,
    outcome_on TEXT,
    {_PROVENANCE}
)""",
    ),
]


def apply(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order; return the names applied."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        # executescript commits anything pending, then runs the migration as one transaction.
        try:
            conn.executescript(
                f"BEGIN;\n{sql};\nINSERT INTO _migrations (name, applied_at) "
                f"VALUES ('{name}', datetime('now'));\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
