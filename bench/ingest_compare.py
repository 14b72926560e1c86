#!/usr/bin/env python3
"""Checks that loam-ingest-ceiling wrote the rows loam wrote for the same bodies: row counts per
table, and a few records' rows compared column by column (ids and timestamps aside).

    python3 bench/ingest_compare.py LOAM_DB CEILING_DB

LOAM_DB: the SQLite file of a loam server after one `ingest.py` run (a fresh data dir, so one
dataset); CEILING_DB: the ceiling's file for the same bodies. Prints a table of counts; exit status
1 when a table a record write fills differs, or a compared row does.
"""

from __future__ import annotations

import sqlite3
import sys

# Tables whose rows a record write makes (loam-store's records.rs, suggestions.rs, responses,
# text_index.rs' FTS5 table, counted through its docsize shadow table: one row per indexed text).
RECORD_TABLES = [
    "records",
    "record_metadata",
    "record_fts_docsize",
    "suggestions",
    "responses",
    "vectors",
    "record_history",
]


def connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("select name from sqlite_master where type = 'table' and sql not like 'CREATE VIRTUAL%'")
    return sorted(name for (name,) in rows if not name.startswith("sqlite_") and name != "_sqlx_migrations")


def count(db: sqlite3.Connection, table: str) -> int:
    return db.execute(f'select count(*) from "{table}"').fetchone()[0]


def record_rows(db: sqlite3.Connection, external_id: str) -> dict:
    """The rows of one record, without ids and timestamps."""
    row = db.execute("select seq, fields, metadata, status from records where external_id = ?", (external_id,)).fetchone()
    if row is None:
        return {"missing": external_id}
    seq, fields, metadata, status = row
    meta = db.execute(
        "select name, pos, num, term from record_metadata where record_seq = ? order by name, pos", (seq,)
    ).fetchall()
    sugg = db.execute(
        "select q.name, s.value, s.score, s.agent, s.kind from suggestions s join questions q on q.id = s.question_id "
        "join records r on r.id = s.record_id where r.seq = ? order by q.name",
        (seq,),
    ).fetchall()
    docsize = db.execute(
        "select id - ? * 1024, sz from record_fts_docsize where id >= ? * 1024 and id < (? + 1) * 1024 order by id",
        (seq, seq, seq),
    ).fetchall()
    return {"fields": fields, "metadata": metadata, "status": status, "record_metadata": meta, "suggestions": sugg,
            "fts_docsize": docsize}


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    loam, ceiling = connect(sys.argv[1]), connect(sys.argv[2])
    ok = True
    print(f"{'table':<28} {'loam':>10} {'ceiling':>10}")
    for table in sorted(set(tables(loam)) | set(tables(ceiling))):
        a = count(loam, table) if table in tables(loam) else None
        b = count(ceiling, table) if table in tables(ceiling) else None
        if a == b == 0:
            continue
        mark = ""
        if table in RECORD_TABLES and a != b:
            mark, ok = "  DIFFERS", False
        elif a != b:
            mark = "  (setup or index layout, not compared)"
        print(f"{table:<28} {a!s:>10} {b!s:>10}{mark}")
    counts = [db.execute("select sum(records_count) from datasets").fetchone()[0] for db in (loam, ceiling)]
    print(f"{'datasets.records_count':<28} {counts[0]!s:>10} {counts[1]!s:>10}{'' if counts[0] == counts[1] else '  DIFFERS'}")
    ok = ok and counts[0] == counts[1]
    n = count(loam, "records")
    for external_id in sorted({"rec-0", f"rec-{n // 2}", f"rec-{max(n - 1, 0)}"}):
        a, b = record_rows(loam, external_id), record_rows(ceiling, external_id)
        same = a == b
        ok = ok and same
        print(f"rows of {external_id}: {'same' if same else 'DIFFER'}")
        if not same:
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    print(f"  {key}: loam {a.get(key)!r:.300}\n  {' ' * len(key)}  ceiling {b.get(key)!r:.300}")
    print("rows: the same" if ok else "rows: DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
