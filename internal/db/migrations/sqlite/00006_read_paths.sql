-- +goose Up
-- Each assignment carries its task's light, kept by triggers, so that "one
-- unit's red tasks" is a range of one index instead of a test of every red
-- task against the unit's assignments (internal/plans TaskFilter).
ALTER TABLE assignments ADD COLUMN light TEXT NOT NULL DEFAULT '';
UPDATE assignments SET light = (SELECT light FROM tasks WHERE tasks.id = assignments.task_id);
CREATE INDEX assignments_unit_light ON assignments(unit_id, light, task_id) WHERE active;

-- +goose StatementBegin
CREATE TRIGGER assignments_light_ai AFTER INSERT ON assignments BEGIN
    UPDATE assignments SET light = (SELECT light FROM tasks WHERE id = NEW.task_id) WHERE id = NEW.id;
END;
-- +goose StatementEnd
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

-- +goose Down
DROP TRIGGER units_stamp_i;
DROP TRIGGER units_stamp_u;
DROP TRIGGER units_stamp_d;
DROP TRIGGER areas_stamp_i;
DROP TRIGGER areas_stamp_u;
DROP TRIGGER areas_stamp_d;
DROP TABLE change_stamps;
DROP TRIGGER assignments_light_au;
DROP TRIGGER assignments_light_ai;
DROP INDEX assignments_unit_light;
ALTER TABLE assignments DROP COLUMN light;
