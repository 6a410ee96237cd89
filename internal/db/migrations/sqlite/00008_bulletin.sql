-- +goose Up
-- Supervision bulletins (督查通报). A draft is generated from live data each
-- time it is read; publishing stores what it said in content (JSON) and the
-- bulletin never changes again except by a correction, which keeps the
-- published record as it was in bulletin_revisions.
CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    number TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL,
    lang TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft','published')),
    issued_on DATE,
    content TEXT NOT NULL DEFAULT '',
    published_by TEXT NOT NULL DEFAULT '',
    revision INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX bulletins_period ON bulletins(period_to);
CREATE TABLE bulletin_revisions (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    number INTEGER NOT NULL,
    reason TEXT NOT NULL,
    previous TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (bulletin_id, number)
);
-- The late-report section counts every report due in a period by unit from
-- this index alone, without reading the reports' rows.
CREATE INDEX reports_due_unit ON reports(due_on, unit_id, on_time, first_submitted_at, live);

-- +goose Down
DROP INDEX reports_due_unit;
DROP TABLE bulletin_revisions;
DROP TABLE bulletins;
