-- +goose Up
-- Specialist committees (专业委员会): standing groups of units around a theme.
CREATE TABLE committees (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    theme TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL CHECK (level IN ('decision','coordination','execution')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE committee_members (
    committee_id INTEGER NOT NULL REFERENCES committees(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (committee_id, unit_id)
);

-- Joint meetings (联席会议). A closed meeting changes only through a
-- correction, which keeps the meeting as it was in meeting_revisions.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('leaders','office','committee','environment','other')),
    title TEXT NOT NULL,
    held_on DATE NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    host_unit_id INTEGER NOT NULL REFERENCES units(id),
    committee_id INTEGER REFERENCES committees(id),
    status TEXT NOT NULL CHECK (status IN ('planned','held','closed')),
    minutes TEXT NOT NULL DEFAULT '',
    revision INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_held ON meetings(held_on);
CREATE TABLE meeting_attendees (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    person TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('host','speaker','attendee')),
    position INTEGER NOT NULL
);
CREATE INDEX meeting_attendees_meeting ON meeting_attendees(meeting_id);
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    presenter_unit_id INTEGER REFERENCES units(id),
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id);
CREATE TABLE meeting_revisions (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    number INTEGER NOT NULL,
    reason TEXT NOT NULL,
    previous TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (meeting_id, number)
);
CREATE TABLE meeting_documents (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX meeting_documents_meeting ON meeting_documents(meeting_id);

-- Decisions (议定事项) per agenda item, and the tasks they became.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items(id),
    text TEXT NOT NULL,
    area_id INTEGER NOT NULL REFERENCES areas(id),
    lead_unit_id INTEGER NOT NULL REFERENCES units(id),
    co_unit_ids TEXT NOT NULL DEFAULT '',
    due_on DATE NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX decisions_meeting ON decisions(meeting_id);
CREATE TABLE decision_tasks (
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    task_id INTEGER NOT NULL UNIQUE REFERENCES tasks(id),
    PRIMARY KEY (decision_id, task_id)
);

-- Agreements signed at meetings: parties, scope, the tasks that carry them.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER REFERENCES meetings(id),
    title TEXT NOT NULL,
    signed_on DATE NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE agreement_parties (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (agreement_id, unit_id)
);
CREATE TABLE agreement_tasks (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    PRIMARY KEY (agreement_id, task_id)
);

-- +goose Down
DROP TABLE agreement_tasks;
DROP TABLE agreement_parties;
DROP TABLE agreements;
DROP TABLE decision_tasks;
DROP TABLE decisions;
DROP TABLE meeting_documents;
DROP TABLE meeting_revisions;
DROP TABLE agenda_items;
DROP TABLE meeting_attendees;
DROP TABLE meetings;
DROP TABLE committee_members;
DROP TABLE committees;
