"""The journal's schema: SQLite's one migration per version (`PRAGMA user_version` says which is applied), and
PostgreSQL's, which begins at version 11 with the same tables (its `meta` table says which is applied).

A new version adds a migration to both: `MIGRATIONS[12]` and `POSTGRES[12]`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sheetsync.journal.workflow import SCHEMA_SQL as WORKFLOW_SCHEMA

SCHEMA_VERSION = 12

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        state TEXT NOT NULL,            -- running | pending | done | rolled_back
        exit_code INTEGER,
        workbook_sha256 TEXT,           -- the workbook this run put in place
        counts TEXT                     -- JSON
    );
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        source TEXT NOT NULL,           -- channel | rule | person | tool
        detail TEXT
    );
    CREATE INDEX changes_by_order ON changes(order_id, id);
    CREATE TABLE base (
        order_id TEXT PRIMARY KEY,
        row_hash INTEGER NOT NULL,
        vals TEXT NOT NULL              -- JSON: field -> canonical text
    );
    CREATE TABLE base_undo (
        run_id INTEGER NOT NULL,
        order_id TEXT NOT NULL,
        row_hash INTEGER,
        vals TEXT                       -- NULL: the order had no base before the run
    );
    CREATE TABLE deleted (
        order_id TEXT PRIMARY KEY,
        run_id INTEGER NOT NULL,
        vals TEXT NOT NULL
    );
    CREATE TABLE files (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        channel TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        rows INTEGER
    );
    CREATE TABLE cursors (
        channel TEXT PRIMARY KEY,
        cursor TEXT NOT NULL,
        run_id INTEGER NOT NULL
    );
    CREATE TABLE sequences (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE sequence_undo (
        run_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        value INTEGER                   -- NULL: the sequence did not exist before the run
    );
    """,
    2: """
    CREATE TABLE natural_keys (
        channel TEXT NOT NULL,           -- the channel's name in sheetsync.yaml
        channel_order_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (channel, channel_order_id)
    );
    CREATE TABLE merge_base (            -- what a channel last said, where the sheet keeps a person's value
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (order_id, field)
    );
    CREATE TABLE flags (                 -- anomalies that last until resolved: CONFLICT, TRACKING_CHANGED
        id INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL,
        code TEXT NOT NULL,
        field TEXT,
        sheet_value TEXT,
        other_value TEXT,
        run_id INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'open',  -- open | resolved | acknowledged
        closed_run INTEGER
    );
    CREATE TABLE merge_base_undo (
        run_id INTEGER NOT NULL,
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        existed INTEGER NOT NULL
    );
    CREATE INDEX flags_open ON flags(state, order_id);
    """,
    3: """
    CREATE TABLE layouts (               -- the field order of base.vals written as a JSON list
        id INTEGER PRIMARY KEY,
        fields TEXT NOT NULL UNIQUE
    );
    ALTER TABLE base ADD COLUMN layout INTEGER;       -- NULL: vals is a JSON object (version 1)
    ALTER TABLE base_undo ADD COLUMN layout INTEGER;
    """,
    4: """
    -- base.row_hash is now DuckDB's hash of the row: Journal._rehash recomputes it from base.vals
    """,
    5: WORKFLOW_SCHEMA,
    6: """
    -- base and natural_keys keyed by their primary key alone (WITHOUT ROWID): a run that updates an
    -- order's base row rewrites it in place, where a rowid table deleted it, appended it at the end
    -- and updated a separate index (on a 100k-row pull: 20 MB less to write, then to checkpoint)
    CREATE TABLE base_v6 (
        order_id TEXT PRIMARY KEY,
        row_hash INTEGER NOT NULL,
        vals TEXT NOT NULL,              -- JSON list in the order of layouts.fields (an object when layout is NULL)
        layout INTEGER
    ) WITHOUT ROWID;
    INSERT INTO base_v6 SELECT order_id, row_hash, vals, layout FROM base;
    DROP TABLE base;
    ALTER TABLE base_v6 RENAME TO base;
    CREATE TABLE natural_keys_v6 (
        channel TEXT NOT NULL,           -- the channel's name in sheetsync.yaml
        channel_order_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (channel, channel_order_id)
    ) WITHOUT ROWID;
    INSERT INTO natural_keys_v6 SELECT channel, channel_order_id, order_id, run_id FROM natural_keys;
    DROP TABLE natural_keys;
    ALTER TABLE natural_keys_v6 RENAME TO natural_keys;
    """,
    7: """
    -- base.vals may be '' (journal.AS_CREATED): the order's base row is the values its creation (its
    -- `*` change in the same run) recorded.  Nothing to convert; the version keeps an older sheetsync,
    -- which would read '' as JSON, from opening such a journal.
    """,
    8: """
    -- the values of the orders a run created, in compressed Arrow blocks (journal/created.py); the
    -- `*` change of such an order has new = NULL.  Older `*` changes keep their JSON object.
    CREATE TABLE IF NOT EXISTS creations (
        run_id INTEGER NOT NULL,
        part INTEGER NOT NULL,
        low TEXT NOT NULL,               -- the lowest and highest order_id of the block
        high TEXT NOT NULL,
        data BLOB NOT NULL,              -- an Arrow IPC file: order_id, then the run's fields
        PRIMARY KEY (run_id, part)
    );
    """,
    9: """
    -- values a channel brought for a field the sheet had no column for, of orders the run did not create
    -- (a created order keeps them in its creation record): the column a team adds later is filled from them
    CREATE TABLE IF NOT EXISTS kept (
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        run_id INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS kept_by_order ON kept(order_id, field);
    CREATE TABLE IF NOT EXISTS run_meta (      -- what a run saw that a later one compares with
        run_id INTEGER NOT NULL,
        key TEXT NOT NULL,                      -- columns: the fields the sheet had columns for (JSON list);
        value TEXT NOT NULL,                    -- levels: each anomaly code's level (JSON object)
        PRIMARY KEY (run_id, key)
    );
    """,
    10: """
    -- the after-sales sheet's tickets: their own ids, changes and memory, apart from the orders' (a ticket's
    -- status moves are not an order's, and the order tables' readers never see a ticket)
    CREATE TABLE IF NOT EXISTS ticket_changes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        ticket_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        source TEXT NOT NULL,           -- channel | rule | person | tool
        detail TEXT
    );
    CREATE INDEX IF NOT EXISTS ticket_changes_by_ticket ON ticket_changes(ticket_id, id);
    CREATE TABLE IF NOT EXISTS tickets (       -- each ticket's row as the sheet held it after the last run
        ticket_id TEXT PRIMARY KEY,
        vals TEXT NOT NULL,                     -- JSON object: field -> canonical text
        said TEXT                               -- JSON object: what its shop last said, field by field
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ticket_keys (   -- (channel, the shop's after-sales number) -> ticket_id
        channel TEXT NOT NULL,
        channel_ticket_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        run_id INTEGER NOT NULL,
        PRIMARY KEY (channel, channel_ticket_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS tickets_undo (  -- a pending run's overwritten ticket rows (vals NULL: none before)
        run_id INTEGER NOT NULL,
        ticket_id TEXT NOT NULL,
        vals TEXT,
        said TEXT
    );
    """,
    11: """
    -- where each API channel has read up to (its window's end, the ids seen at that moment), committed with the run
    -- that wrote what it read: a run rolled back takes its cursor with it (the one before it is the cursor again),
    -- and the next run reads the window again.  Version 1's table of one cursor a channel was never written.
    DROP TABLE IF EXISTS cursors;
    CREATE TABLE cursors (
        channel TEXT NOT NULL,
        cursor TEXT NOT NULL,           -- JSON, the channel kind's own
        run_id INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS cursors_by_channel ON cursors(channel, run_id);
    """,
    12: """
    -- what each channel last said of each of its orders, as a hash of the record it brought (`steps/said.py`): a
    -- record brought again with the same hash is no news and is not merged again.  NULL: not known (an older run,
    -- or one rolled back: `said_run` names the run that wrote it).
    ALTER TABLE natural_keys ADD COLUMN said INTEGER;
    ALTER TABLE natural_keys ADD COLUMN said_run INTEGER;
    """,
}

POSTGRES: dict[int, str] = {
    11: """
    -- version 11 of the SQLite journal, whole.  A column SQLite calls `rowid` is an identity column of that name here;
    -- ids are BY DEFAULT so that `journal copy` keeps them.
    CREATE TABLE runs (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        command TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        state TEXT NOT NULL,
        exit_code INTEGER,
        workbook_sha256 TEXT,
        counts TEXT
    );
    CREATE TABLE changes (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        run_id BIGINT NOT NULL REFERENCES runs(id),
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        source TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX changes_by_order ON changes(order_id, id);
    CREATE INDEX changes_by_run ON changes(run_id);
    CREATE TABLE layouts (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        fields TEXT NOT NULL
    );
    CREATE UNIQUE INDEX layouts_fields ON layouts(md5(fields));
    CREATE TABLE base (
        order_id TEXT PRIMARY KEY,
        row_hash BIGINT NOT NULL,
        vals TEXT NOT NULL,
        layout BIGINT
    );
    CREATE TABLE base_undo (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,
        run_id BIGINT NOT NULL,
        order_id TEXT NOT NULL,
        row_hash BIGINT,
        vals TEXT,
        layout BIGINT
    );
    CREATE INDEX base_undo_by_run ON base_undo(run_id);
    CREATE TABLE deleted (
        order_id TEXT PRIMARY KEY,
        run_id BIGINT NOT NULL,
        vals TEXT NOT NULL
    );
    CREATE TABLE files (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        channel TEXT NOT NULL,
        run_id BIGINT NOT NULL,
        rows BIGINT
    );
    CREATE TABLE sequences (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    );
    CREATE TABLE sequence_undo (
        run_id BIGINT NOT NULL,
        name TEXT NOT NULL,
        value BIGINT
    );
    CREATE TABLE natural_keys (
        channel TEXT NOT NULL,
        channel_order_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        run_id BIGINT NOT NULL,
        PRIMARY KEY (channel, channel_order_id)
    );
    CREATE INDEX natural_keys_by_run ON natural_keys(run_id);
    CREATE TABLE merge_base (
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        run_id BIGINT NOT NULL,
        PRIMARY KEY (order_id, field)
    );
    CREATE TABLE flags (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        order_id TEXT NOT NULL,
        code TEXT NOT NULL,
        field TEXT,
        sheet_value TEXT,
        other_value TEXT,
        run_id BIGINT NOT NULL,
        state TEXT NOT NULL DEFAULT 'open',
        closed_run BIGINT
    );
    CREATE INDEX flags_open ON flags(state, order_id);
    CREATE TABLE merge_base_undo (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,
        run_id BIGINT NOT NULL,
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        existed INTEGER NOT NULL
    );
    CREATE TABLE unlocks (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        order_id TEXT NOT NULL,
        unlocked_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        run_id BIGINT,
        used_run BIGINT
    );
    CREATE INDEX unlocks_open ON unlocks(used_run, order_id);
    CREATE TABLE alerts_sent (
        order_id TEXT NOT NULL,
        level TEXT NOT NULL,
        state TEXT NOT NULL,
        target TEXT NOT NULL,
        run_id BIGINT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (order_id, level, state)
    );
    CREATE TABLE creations (
        run_id BIGINT NOT NULL,
        part INTEGER NOT NULL,
        low TEXT NOT NULL,
        high TEXT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (run_id, part)
    );
    CREATE TABLE kept (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,
        order_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT,
        run_id BIGINT NOT NULL
    );
    CREATE INDEX kept_by_order ON kept(order_id, field);
    CREATE TABLE run_meta (
        run_id BIGINT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE TABLE ticket_changes (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        run_id BIGINT NOT NULL REFERENCES runs(id),
        ticket_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old TEXT,
        new TEXT,
        source TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX ticket_changes_by_ticket ON ticket_changes(ticket_id, id);
    CREATE TABLE tickets (
        ticket_id TEXT PRIMARY KEY,
        vals TEXT NOT NULL,
        said TEXT
    );
    CREATE TABLE ticket_keys (
        channel TEXT NOT NULL,
        channel_ticket_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        run_id BIGINT NOT NULL,
        PRIMARY KEY (channel, channel_ticket_id)
    );
    CREATE TABLE tickets_undo (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,
        run_id BIGINT NOT NULL,
        ticket_id TEXT NOT NULL,
        vals TEXT,
        said TEXT
    );
    CREATE TABLE cursors (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY,
        channel TEXT NOT NULL,
        cursor TEXT NOT NULL,
        run_id BIGINT NOT NULL
    );
    CREATE INDEX cursors_by_channel ON cursors(channel, run_id);
    """,
    12: """
    ALTER TABLE natural_keys ADD COLUMN said BIGINT, ADD COLUMN said_run BIGINT;
    """,
}


def migrations(kind: str, version: int) -> Iterator[tuple[int, str]]:
    """(version, its script) of each migration a journal of `kind` at `version` lacks, in order (a new PostgreSQL
    journal takes its first version whole)."""
    steps = MIGRATIONS if kind == "sqlite" else POSTGRES
    for target in sorted(steps):
        if target > version:
            yield target, steps[target]
