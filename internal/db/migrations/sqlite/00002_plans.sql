-- +goose Up
-- Rules of supervision the office may tune; one row.
CREATE TABLE supervision_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    lead_weight REAL NOT NULL,
    behind_points REAL NOT NULL,
    due_soon_days INTEGER NOT NULL,
    due_soon_percent REAL NOT NULL,
    remind_days INTEGER NOT NULL,
    report_grace_days INTEGER NOT NULL,
    chase_leader_days INTEGER NOT NULL,
    chase_office_days INTEGER NOT NULL,
    leader_approval BOOLEAN NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL
);
-- The shipped rules (plans.DefaultSettings), so the office edits a row that exists.
INSERT INTO supervision_settings (id, lead_weight, behind_points, due_soon_days, due_soon_percent, remind_days, report_grace_days,
    chase_leader_days, chase_office_days, leader_approval, version, updated_at)
VALUES (1, 0.6, 20, 7, 80, 3, 5, 3, 7, FALSE, 1, CURRENT_TIMESTAMP);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('action','annual')),
    parent_id INTEGER REFERENCES plans(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','in_force','closed')),
    revision INTEGER NOT NULL DEFAULT 0,
    sample BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A plan in force changes only through numbered revisions, each with its diff.
CREATE TABLE plan_revisions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    number INTEGER NOT NULL,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    changes_json TEXT NOT NULL,
    snapshot_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    area_id INTEGER NOT NULL REFERENCES areas(id),
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    goal_id INTEGER NOT NULL REFERENCES goals(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    area_id INTEGER NOT NULL REFERENCES areas(id),
    lead_unit_id INTEGER NOT NULL REFERENCES units(id),
    starts_on DATE NOT NULL,
    due_on DATE NOT NULL,
    deliverables TEXT NOT NULL DEFAULT '',
    target TEXT NOT NULL DEFAULT '',
    indicator TEXT NOT NULL DEFAULT '',
    indicator_unit TEXT NOT NULL DEFAULT '',
    target_value REAL,
    weight REAL NOT NULL DEFAULT 1,
    cycle TEXT NOT NULL CHECK (cycle IN ('monthly','quarterly','custom')),
    report_dates TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active','completion_filed','closed','cancelled','merged')),
    status_reason TEXT NOT NULL DEFAULT '',
    merged_into_id INTEGER REFERENCES tasks(id),
    completed_on DATE,
    closed_at TIMESTAMP,
    closed_month TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    light TEXT NOT NULL DEFAULT 'not_started',
    light_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (plan_id, code)
);
CREATE INDEX tasks_lead ON tasks(lead_unit_id, light);
CREATE INDEX tasks_area ON tasks(area_id, light);
CREATE INDEX tasks_light ON tasks(light, due_on);
CREATE INDEX tasks_due ON tasks(due_on);
CREATE INDEX tasks_goal ON tasks(goal_id);
CREATE INDEX tasks_merged ON tasks(merged_into_id);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    title TEXT NOT NULL,
    due_on DATE NOT NULL,
    done_on DATE,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX milestones_task ON milestones(task_id);
CREATE INDEX milestones_due ON milestones(due_on);

-- One row per participating unit: the lead and each co-operating unit.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role TEXT NOT NULL CHECK (role IN ('lead','co')),
    responsible_user_id INTEGER REFERENCES users(id),
    responsible_name TEXT NOT NULL DEFAULT '',
    due_on DATE NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (task_id, unit_id)
);
CREATE INDEX assignments_unit ON assignments(unit_id, active);

-- Expected and filed progress reports: one per assignment and period.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    due_on DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','draft','submitted','approved','accepted','returned')),
    percent REAL,
    self_status TEXT NOT NULL DEFAULT '',
    narrative TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    help_needed TEXT NOT NULL DEFAULT '',
    next_steps TEXT NOT NULL DEFAULT '',
    first_submitted_at TIMESTAMP,
    on_time BOOLEAN,
    submitted_at TIMESTAMP,
    submitted_by TEXT NOT NULL DEFAULT '',
    approved_at TIMESTAMP,
    approved_by TEXT NOT NULL DEFAULT '',
    reviewed_at TIMESTAMP,
    reviewed_by TEXT NOT NULL DEFAULT '',
    return_reason TEXT NOT NULL DEFAULT '',
    returns INTEGER NOT NULL DEFAULT 0,
    chase_level INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (assignment_id, period_end)
);
CREATE INDEX reports_task ON reports(task_id, period_end);
CREATE INDEX reports_unit_state ON reports(unit_id, state, due_on);
CREATE INDEX reports_state_due ON reports(state, due_on, unit_id);

-- The lead unit's completion report (办结报告) and the office's verdict.
CREATE TABLE completions (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    summary TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    filed_by TEXT NOT NULL,
    verdict TEXT NOT NULL DEFAULT '' CHECK (verdict IN ('','closed','reopened')),
    verdict_reason TEXT NOT NULL DEFAULT '',
    verdict_at TIMESTAMP,
    verdict_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX completions_task ON completions(task_id);

-- Evidence files, kept in the database so every instance sees them.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner_type TEXT NOT NULL CHECK (owner_type IN ('report','completion')),
    owner_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_type, owner_id);

-- Chases (催办), automatic and by hand, for the record and the workspace.
CREATE TABLE chases (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    report_id INTEGER REFERENCES reports(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    level INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    sent_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX chases_unit ON chases(unit_id, created_at);
CREATE INDEX chases_task ON chases(task_id);
CREATE INDEX chases_assignment ON chases(assignment_id, report_id);

-- The task page's timeline: reports, reviews, chases and changes.
CREATE TABLE task_events (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    unit_id INTEGER,
    ref_id INTEGER,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_events_task ON task_events(task_id, at);

CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    page TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, page, name)
);

-- Pre-aggregated counts for the dashboard, kept by triggers in the same
-- transaction as every task and report change, so the dashboard reads a few
-- hundred rows however many tasks and reports there are.
CREATE TABLE task_counts (
    plan_id INTEGER NOT NULL,
    area_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    light TEXT NOT NULL,
    n INTEGER NOT NULL,
    progress_sum REAL NOT NULL,
    PRIMARY KEY (plan_id, area_id, unit_id, light)
);
CREATE TABLE closed_months (
    plan_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    area_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (plan_id, month, area_id)
);
CREATE TABLE report_counts (
    unit_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    returned INTEGER NOT NULL,
    PRIMARY KEY (unit_id, month)
);

-- Text to search: task titles and descriptions, report narratives and problems.
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('task','report')),
    ref_id INTEGER NOT NULL,
    task_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_docs', content_rowid='id', tokenize='trigram');
-- +goose StatementBegin
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts(rowid, body) VALUES (NEW.id, NEW.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', OLD.id, OLD.body);
    INSERT INTO search_fts(rowid, body) VALUES (NEW.id, NEW.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER task_counts_ai AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (plan_id, area_id, unit_id, light, n, progress_sum) VALUES (NEW.plan_id, NEW.area_id, NEW.lead_unit_id, NEW.light, 1, NEW.progress)
    ON CONFLICT (plan_id, area_id, unit_id, light) DO UPDATE SET n = n + 1, progress_sum = progress_sum + excluded.progress_sum;
    INSERT INTO closed_months (plan_id, month, area_id, n) SELECT NEW.plan_id, NEW.closed_month, NEW.area_id, 1 WHERE NEW.closed_month <> ''
    ON CONFLICT (plan_id, month, area_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER task_counts_ad AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1, progress_sum = progress_sum - OLD.progress
    WHERE plan_id = OLD.plan_id AND area_id = OLD.area_id AND unit_id = OLD.lead_unit_id AND light = OLD.light;
    UPDATE closed_months SET n = n - 1 WHERE plan_id = OLD.plan_id AND month = OLD.closed_month AND area_id = OLD.area_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER task_counts_au AFTER UPDATE OF plan_id, area_id, lead_unit_id, light, progress, closed_month ON tasks BEGIN
    UPDATE task_counts SET n = n - 1, progress_sum = progress_sum - OLD.progress
    WHERE plan_id = OLD.plan_id AND area_id = OLD.area_id AND unit_id = OLD.lead_unit_id AND light = OLD.light;
    INSERT INTO task_counts (plan_id, area_id, unit_id, light, n, progress_sum) VALUES (NEW.plan_id, NEW.area_id, NEW.lead_unit_id, NEW.light, 1, NEW.progress)
    ON CONFLICT (plan_id, area_id, unit_id, light) DO UPDATE SET n = n + 1, progress_sum = progress_sum + excluded.progress_sum;
    UPDATE closed_months SET n = n - 1 WHERE plan_id = OLD.plan_id AND month = OLD.closed_month AND area_id = OLD.area_id;
    INSERT INTO closed_months (plan_id, month, area_id, n) SELECT NEW.plan_id, NEW.closed_month, NEW.area_id, 1 WHERE NEW.closed_month <> ''
    ON CONFLICT (plan_id, month, area_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER report_counts_au AFTER UPDATE OF on_time, returns ON reports BEGIN
    INSERT INTO report_counts (unit_id, month, on_time, late, returned)
    VALUES (NEW.unit_id, substr(NEW.period_end, 1, 7),
        CASE WHEN OLD.on_time IS NULL AND NEW.on_time THEN 1 ELSE 0 END,
        CASE WHEN OLD.on_time IS NULL AND NOT NEW.on_time THEN 1 ELSE 0 END,
        NEW.returns - OLD.returns)
    ON CONFLICT (unit_id, month) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late, returned = returned + excluded.returned;
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE search_fts;
DROP TABLE search_docs;
DROP TABLE report_counts;
DROP TABLE closed_months;
DROP TABLE task_counts;
DROP TABLE saved_views;
DROP TABLE task_events;
DROP TABLE chases;
DROP TABLE attachments;
DROP TABLE completions;
DROP TABLE reports;
DROP TABLE assignments;
DROP TABLE milestones;
DROP TABLE tasks;
DROP TABLE goals;
DROP TABLE plan_revisions;
DROP TABLE plans;
DROP TABLE supervision_settings;
