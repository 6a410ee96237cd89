-- +goose Up
-- Inspections (督查检查): a round checks a plan, a coordination area and/or
-- named units between the given dates. A finished round is immutable; a
-- correction raises its revision and keeps the round as it was before in
-- inspection_revisions.
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    plan_id INTEGER REFERENCES plans(id),
    area_id INTEGER REFERENCES areas(id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','in_progress','finished')),
    summary TEXT NOT NULL DEFAULT '',
    revision INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE inspection_units (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (inspection_id, unit_id)
);

CREATE TABLE inspection_inspectors (
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (inspection_id, user_id)
);

CREATE TABLE inspection_revisions (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    revision INTEGER NOT NULL,
    reason TEXT NOT NULL,
    before_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (inspection_id, revision)
);

-- A finding is what a round found at one unit.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    severity TEXT NOT NULL CHECK (severity IN ('minor','major','serious')),
    description TEXT NOT NULL,
    task_id INTEGER REFERENCES tasks(id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX findings_inspection ON findings(inspection_id);

-- A rectification item (整改) is owned by a unit and has a deadline. Its
-- source is named, not referenced: a finding today, later e.g. a water-quality
-- station and months.
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    source_kind TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    requirement TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','responded','returned','closed')),
    response TEXT NOT NULL DEFAULT '',
    responded_by TEXT NOT NULL DEFAULT '',
    responded_at TIMESTAMP,
    return_reason TEXT NOT NULL DEFAULT '',
    verified_by TEXT NOT NULL DEFAULT '',
    closed_on DATE,
    chase_level INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rectifications_source ON rectifications(source_kind, source_ref);
CREATE INDEX rectifications_unit ON rectifications(unit_id, status);

-- The problem list (问题清单): a unit raises a cross-unit problem, the office
-- triages it and names a handling unit and deadline, the handling unit
-- responds, the raiser confirms. escalated marks one put to a meeting.
CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    raised_by_unit_id INTEGER NOT NULL REFERENCES units(id),
    raised_by TEXT NOT NULL,
    report_id INTEGER REFERENCES reports(id),
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ask TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'raised' CHECK (status IN ('raised','rejected','assigned','responded','solved')),
    reject_reason TEXT NOT NULL DEFAULT '',
    handling_unit_id INTEGER REFERENCES units(id),
    due_on DATE,
    response TEXT NOT NULL DEFAULT '',
    escalated BOOLEAN NOT NULL DEFAULT FALSE,
    escalation_reason TEXT NOT NULL DEFAULT '',
    meeting_ref TEXT NOT NULL DEFAULT '',
    reopened INTEGER NOT NULL DEFAULT 0,
    solved_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX problems_status ON problems(status);

CREATE TABLE problem_units (
    problem_id INTEGER NOT NULL REFERENCES problems(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (problem_id, unit_id)
);

-- The timeline of rectifications and problems: every step, who, and why.
CREATE TABLE supervision_events (
    id INTEGER PRIMARY KEY,
    object_type TEXT NOT NULL CHECK (object_type IN ('rectification','problem')),
    object_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX supervision_events_object ON supervision_events(object_type, object_id);

-- Evidence files of findings, rectifications and problems, checked like a
-- report's attachments (internal/evidence).
CREATE TABLE evidence_files (
    id INTEGER PRIMARY KEY,
    owner_type TEXT NOT NULL CHECK (owner_type IN ('finding','rectification','problem')),
    owner_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX evidence_files_owner ON evidence_files(owner_type, owner_id);

-- +goose Down
DROP TABLE evidence_files;
DROP TABLE supervision_events;
DROP TABLE problem_units;
DROP TABLE problems;
DROP TABLE rectifications;
DROP TABLE findings;
DROP TABLE inspection_revisions;
DROP TABLE inspection_inspectors;
DROP TABLE inspection_units;
DROP TABLE inspections;
