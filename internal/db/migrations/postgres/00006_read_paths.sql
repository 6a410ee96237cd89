-- +goose Up
-- Each assignment carries its task's light (written with it, then kept by a
-- trigger on tasks), so that "one unit's red tasks" is a range of one index
-- instead of a test of every red task against the unit's assignments
-- (internal/plans TaskFilter).
ALTER TABLE assignments ADD COLUMN light TEXT NOT NULL DEFAULT '';
UPDATE assignments a SET light = t.light FROM tasks t WHERE t.id = a.task_id;
CREATE INDEX assignments_unit_light ON assignments(unit_id, light, task_id) WHERE active;


-- +goose StatementBegin
CREATE FUNCTION assignments_light_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE assignments SET light = NEW.light WHERE task_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER assignments_light_au AFTER UPDATE OF light ON tasks FOR EACH ROW WHEN (NEW.light <> OLD.light) EXECUTE FUNCTION assignments_light_sync();


-- Every change to units and areas counts up change_stamps 'directory', so
-- an instance can tell with one small read whether its copy of them is
-- current (internal/alliance Directory).
CREATE TABLE change_stamps (
    name TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO change_stamps (name, n) VALUES ('directory', 1);
-- +goose StatementBegin
CREATE FUNCTION directory_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER units_stamp AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH STATEMENT EXECUTE FUNCTION directory_stamp();
CREATE TRIGGER areas_stamp AFTER INSERT OR UPDATE OR DELETE ON areas FOR EACH STATEMENT EXECUTE FUNCTION directory_stamp();

-- Report timeliness is kept per plan as well, so a dashboard of one plan
-- shows that plan's reporting record.
ALTER TABLE report_counts ADD COLUMN plan_id BIGINT NOT NULL DEFAULT 0;
DELETE FROM report_counts;
INSERT INTO report_counts (plan_id, unit_id, month, on_time, late, returned)
SELECT t.plan_id, r.unit_id, to_char(r.period_end, 'YYYY-MM'),
    SUM(CASE WHEN r.on_time THEN 1 ELSE 0 END), SUM(CASE WHEN NOT r.on_time THEN 1 ELSE 0 END), SUM(r.returns)
FROM reports r JOIN tasks t ON t.id = r.task_id
WHERE r.on_time IS NOT NULL OR r.returns > 0
GROUP BY t.plan_id, r.unit_id, to_char(r.period_end, 'YYYY-MM');
ALTER TABLE report_counts DROP CONSTRAINT report_counts_pkey;
ALTER TABLE report_counts ADD PRIMARY KEY (plan_id, unit_id, month);
ALTER TABLE report_counts ALTER COLUMN plan_id DROP DEFAULT;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION report_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts (plan_id, unit_id, month, on_time, late, returned)
    VALUES ((SELECT plan_id FROM tasks WHERE id = NEW.task_id), NEW.unit_id, to_char(NEW.period_end, 'YYYY-MM'),
        CASE WHEN OLD.on_time IS NULL AND NEW.on_time THEN 1 ELSE 0 END,
        CASE WHEN OLD.on_time IS NULL AND NOT NEW.on_time THEN 1 ELSE 0 END,
        NEW.returns - OLD.returns)
    ON CONFLICT (plan_id, unit_id, month) DO UPDATE SET on_time = report_counts.on_time + excluded.on_time,
        late = report_counts.late + excluded.late, returned = report_counts.returned + excluded.returned;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A report is live while its task is running (active or completion filed)
-- and its unit still takes part: only live reports wait in the office's
-- review queue and the units' lists. Reports are only ever opened for live
-- assignments; triggers follow the task's status and the assignment's
-- active flag after that.
ALTER TABLE reports ADD COLUMN live BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE reports r SET live = (t.status IN ('active','completion_filed') AND a.active)
FROM tasks t, assignments a WHERE t.id = r.task_id AND a.id = r.assignment_id;
-- Lists of reports read live ones: by state (the review queue, what is
-- missing: the state's live rows in due order), by unit, or all, in due
-- order. Queries say "live = TRUE", the partial indexes' own term.
DROP INDEX reports_state_due;
CREATE INDEX reports_state_live ON reports(state, live, due_on, unit_id);
CREATE INDEX reports_live_due ON reports(due_on, id) WHERE live = TRUE;
CREATE INDEX reports_unit_live ON reports(unit_id, due_on, id) WHERE live = TRUE;
CREATE INDEX tasks_status ON tasks(status, due_on);
-- +goose StatementBegin
CREATE FUNCTION reports_live_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports r SET live = (NEW.status IN ('active','completion_filed') AND a.active)
    FROM assignments a WHERE a.id = r.assignment_id AND r.task_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER reports_live_task AFTER UPDATE OF status ON tasks FOR EACH ROW
WHEN ((OLD.status IN ('active','completion_filed')) <> (NEW.status IN ('active','completion_filed'))) EXECUTE FUNCTION reports_live_task();
-- +goose StatementBegin
CREATE FUNCTION reports_live_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports SET live = (NEW.active AND (SELECT status IN ('active','completion_filed') FROM tasks WHERE id = NEW.task_id))
    WHERE assignment_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER reports_live_assignment AFTER UPDATE OF active ON assignments FOR EACH ROW
WHEN (OLD.active <> NEW.active) EXECUTE FUNCTION reports_live_assignment();

-- +goose Down
DROP TRIGGER reports_live_assignment ON assignments;
DROP TRIGGER reports_live_task ON tasks;
DROP FUNCTION reports_live_assignment;
DROP FUNCTION reports_live_task;
DROP INDEX tasks_status;
DROP INDEX reports_unit_live;
DROP INDEX reports_live_due;
DROP INDEX reports_state_live;
CREATE INDEX reports_state_due ON reports(state, due_on, unit_id);
ALTER TABLE reports DROP COLUMN live;
-- Back to counts by unit and month only.
CREATE TABLE report_counts_by_unit AS SELECT unit_id, month, SUM(on_time)::int AS on_time, SUM(late)::int AS late, SUM(returned)::int AS returned FROM report_counts GROUP BY unit_id, month;
DELETE FROM report_counts;
ALTER TABLE report_counts DROP CONSTRAINT report_counts_pkey;
ALTER TABLE report_counts DROP COLUMN plan_id;
ALTER TABLE report_counts ADD PRIMARY KEY (unit_id, month);
INSERT INTO report_counts (unit_id, month, on_time, late, returned) SELECT unit_id, month, on_time, late, returned FROM report_counts_by_unit;
DROP TABLE report_counts_by_unit;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION report_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts (unit_id, month, on_time, late, returned)
    VALUES (NEW.unit_id, to_char(NEW.period_end, 'YYYY-MM'),
        CASE WHEN OLD.on_time IS NULL AND NEW.on_time THEN 1 ELSE 0 END,
        CASE WHEN OLD.on_time IS NULL AND NOT NEW.on_time THEN 1 ELSE 0 END,
        NEW.returns - OLD.returns)
    ON CONFLICT (unit_id, month) DO UPDATE SET on_time = report_counts.on_time + excluded.on_time,
        late = report_counts.late + excluded.late, returned = report_counts.returned + excluded.returned;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TRIGGER areas_stamp ON areas;
DROP TRIGGER units_stamp ON units;
DROP FUNCTION directory_stamp;
DROP TABLE change_stamps;
DROP TRIGGER assignments_light_au ON tasks;
DROP FUNCTION assignments_light_sync;
DROP INDEX assignments_unit_light;
ALTER TABLE assignments DROP COLUMN light;
