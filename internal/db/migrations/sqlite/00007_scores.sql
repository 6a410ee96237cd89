-- +goose Up
-- Scorecards (考核评价). A scoring model is a set of items, each of a kind
-- computed from live records (or entered by hand), with a weight and a cap:
-- the most points the item can lose. The weights sum to the model's total.
CREATE TABLE score_models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    total REAL NOT NULL,
    appeal_days INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE score_model_items (
    model_id INTEGER NOT NULL REFERENCES score_models(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    weight REAL NOT NULL,
    cap REAL NOT NULL,
    PRIMARY KEY (model_id, position)
);

-- A scorecard scores every active unit over a period with a copy of its
-- model's items, so editing the model later changes no scorecard. A draft
-- is computed from live data; publishing freezes revision 1 in score_rows,
-- and each correction or upheld appeal adds the next revision.
CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES score_models(id),
    title TEXT NOT NULL,
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month','quarter','year','custom')),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    total REAL NOT NULL,
    appeal_days INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published')),
    revision INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMP,
    appeal_until DATE,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE scorecard_items (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    weight REAL NOT NULL,
    cap REAL NOT NULL,
    PRIMARY KEY (scorecard_id, position)
);

-- Points the office gives by hand (manual items such as the leader's assessment).
CREATE TABLE score_manual (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    position INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    points REAL NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scorecard_id, position, unit_id)
);

-- The frozen scores of each published revision: one row per unit and item.
CREATE TABLE score_rows (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    revision INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    position INTEGER NOT NULL,
    numerator INTEGER NOT NULL,
    denominator INTEGER NOT NULL,
    points REAL NOT NULL,
    applicable BOOLEAN NOT NULL,
    appeal_id INTEGER,
    PRIMARY KEY (scorecard_id, revision, unit_id, position)
);

CREATE TABLE scorecard_revisions (
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    revision INTEGER NOT NULL,
    reason TEXT NOT NULL, -- a correction's reason; '' for the first publication and appeals
    appeal_id INTEGER, -- the upheld appeal that made the revision
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scorecard_id, revision)
);

-- A unit's appeal (申诉) of one item of a published scorecard, and the
-- office's ruling.
CREATE TABLE score_appeals (
    id INTEGER PRIMARY KEY,
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    revision INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    position INTEGER NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','upheld','rejected')),
    points REAL,
    ruling TEXT NOT NULL DEFAULT '',
    ruled_by TEXT NOT NULL DEFAULT '',
    ruled_at TIMESTAMP,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX score_appeals_scorecard ON score_appeals(scorecard_id, status);

-- The scorecard's counts group records by unit over a date range.
CREATE INDEX rectifications_unit_due ON rectifications(unit_id, due_on);
CREATE INDEX problems_handling_due ON problems(handling_unit_id, due_on);

-- +goose Down
DROP INDEX problems_handling_due;
DROP INDEX rectifications_unit_due;
DROP TABLE score_appeals;
DROP TABLE scorecard_revisions;
DROP TABLE score_rows;
DROP TABLE score_manual;
DROP TABLE scorecard_items;
DROP TABLE scorecards;
DROP TABLE score_model_items;
DROP TABLE score_models;
