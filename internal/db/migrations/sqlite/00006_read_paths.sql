-- +goose Up
-- Each assignment carries its task's light (written with it, then kept by a
-- trigger on tasks), so that "one unit's red tasks" is a range of one index
-- instead of a test of every red task against the unit's assignments
-- (internal/plans TaskFilter).
ALTER TABLE assignments ADD COLUMN light TEXT NOT NULL DEFAULT '';
UPDATE assignments SET light = (SELECT light FROM tasks WHERE tasks.id = assignments.task_id);
CREATE INDEX assignments_unit_light ON assignments(unit_id, light, task_id) WHERE active;

-- +goose StatementBegin
CREATE TRIGGER assignments_light_au AFTER UPDATE OF light ON tasks WHEN NEW.light <> OLD.light BEGIN
    UPDATE assignments SET light = NEW.light WHERE task_id = NEW.id;
END;
-- +goose StatementEnd


-- Every change to units and areas counts up change_stamps 'directory', so
-- an instance can tell with one small read whether its copy of them is
-- current (internal/alliance Directory).
CREATE TABLE change_stamps (
    name TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
INSERT INTO change_stamps (name, n) VALUES ('directory', 1);
-- +goose StatementBegin
CREATE TRIGGER units_stamp_i AFTER INSERT ON units BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_stamp_u AFTER UPDATE ON units BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_stamp_d AFTER DELETE ON units BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER areas_stamp_i AFTER INSERT ON areas BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER areas_stamp_u AFTER UPDATE ON areas BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER areas_stamp_d AFTER DELETE ON areas BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd

-- Report timeliness is kept per plan as well, so a dashboard of one plan
-- shows that plan's reporting record.
CREATE TABLE report_counts_by_plan (
    plan_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    returned INTEGER NOT NULL,
    PRIMARY KEY (plan_id, unit_id, month)
);
INSERT INTO report_counts_by_plan (plan_id, unit_id, month, on_time, late, returned)
SELECT t.plan_id, r.unit_id, substr(r.period_end, 1, 7),
    SUM(CASE WHEN r.on_time THEN 1 ELSE 0 END), SUM(CASE WHEN NOT r.on_time THEN 1 ELSE 0 END), SUM(r.returns)
FROM reports r JOIN tasks t ON t.id = r.task_id
WHERE r.on_time IS NOT NULL OR r.returns > 0
GROUP BY t.plan_id, r.unit_id, substr(r.period_end, 1, 7);
DROP TRIGGER report_counts_au;
DROP TABLE report_counts;
ALTER TABLE report_counts_by_plan RENAME TO report_counts;
-- +goose StatementBegin
CREATE TRIGGER report_counts_au AFTER UPDATE OF on_time, returns ON reports BEGIN
    INSERT INTO report_counts (plan_id, unit_id, month, on_time, late, returned)
    VALUES ((SELECT plan_id FROM tasks WHERE id = NEW.task_id), NEW.unit_id, substr(NEW.period_end, 1, 7),
        CASE WHEN OLD.on_time IS NULL AND NEW.on_time THEN 1 ELSE 0 END,
        CASE WHEN OLD.on_time IS NULL AND NOT NEW.on_time THEN 1 ELSE 0 END,
        NEW.returns - OLD.returns)
    ON CONFLICT (plan_id, unit_id, month) DO UPDATE SET on_time = on_time + excluded.on_time, late = late + excluded.late, returned = returned + excluded.returned;
END;
-- +goose StatementEnd

-- A report is live while its task is running (active or completion filed)
-- and its unit still takes part: only live reports wait in the office's
-- review queue and the units' lists. Reports are only ever opened for live
-- assignments; triggers follow the task's status and the assignment's
-- active flag after that.
ALTER TABLE reports ADD COLUMN live BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE reports SET live = (SELECT t.status IN ('active','completion_filed') AND a.active
    FROM tasks t, assignments a WHERE t.id = reports.task_id AND a.id = reports.assignment_id);
-- Lists of reports read live ones: by state (the review queue, what is
-- missing: the state's live rows in due order), by unit, or all, in due
-- order. Queries say "live = TRUE", the partial indexes' own term.
DROP INDEX reports_state_due;
CREATE INDEX reports_state_live ON reports(state, live, due_on, unit_id);
CREATE INDEX reports_live_due ON reports(due_on, id) WHERE live = TRUE;
CREATE INDEX reports_unit_live ON reports(unit_id, due_on, id) WHERE live = TRUE;
CREATE INDEX tasks_status ON tasks(status, due_on);
-- +goose StatementBegin
CREATE TRIGGER reports_live_task AFTER UPDATE OF status ON tasks
WHEN (OLD.status IN ('active','completion_filed')) <> (NEW.status IN ('active','completion_filed')) BEGIN
    UPDATE reports SET live = (NEW.status IN ('active','completion_filed') AND (SELECT active FROM assignments WHERE id = reports.assignment_id))
    WHERE task_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reports_live_assignment AFTER UPDATE OF active ON assignments WHEN OLD.active <> NEW.active BEGIN
    UPDATE reports SET live = (NEW.active AND (SELECT status IN ('active','completion_filed') FROM tasks WHERE id = NEW.task_id))
    WHERE assignment_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER reports_live_assignment;
DROP TRIGGER reports_live_task;
DROP INDEX tasks_status;
DROP INDEX reports_unit_live;
DROP INDEX reports_live_due;
DROP INDEX reports_state_live;
CREATE INDEX reports_state_due ON reports(state, due_on, unit_id);
ALTER TABLE reports DROP COLUMN live;
-- Back to counts by unit and month only.
CREATE TABLE report_counts_by_unit (
    unit_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    returned INTEGER NOT NULL,
    PRIMARY KEY (unit_id, month)
);
INSERT INTO report_counts_by_unit SELECT unit_id, month, SUM(on_time), SUM(late), SUM(returned) FROM report_counts GROUP BY unit_id, month;
DROP TRIGGER report_counts_au;
DROP TABLE report_counts;
ALTER TABLE report_counts_by_unit RENAME TO report_counts;
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
DROP TRIGGER units_stamp_i;
DROP TRIGGER units_stamp_u;
DROP TRIGGER units_stamp_d;
DROP TRIGGER areas_stamp_i;
DROP TRIGGER areas_stamp_u;
DROP TRIGGER areas_stamp_d;
DROP TABLE change_stamps;
DROP TRIGGER assignments_light_au;
DROP INDEX assignments_unit_light;
ALTER TABLE assignments DROP COLUMN light;
