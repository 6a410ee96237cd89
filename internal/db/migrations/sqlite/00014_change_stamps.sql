-- +goose Up
-- Every change to tasks and assignments counts up change_stamps 'tasks',
-- as units and areas count up 'directory' (00006): an instance keeps the
-- task list pages it served while the stamp stands, which one small read
-- tells whoever wrote (plans.ListTasks). The alliance's own row (its name,
-- on every page) counts up 'directory' too, and is kept with the units.
INSERT INTO change_stamps (name, n) VALUES ('tasks', 1);
-- +goose StatementBegin
CREATE TRIGGER tasks_stamp_i AFTER INSERT ON tasks BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_stamp_u AFTER UPDATE ON tasks BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_stamp_d AFTER DELETE ON tasks BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER assignments_stamp_i AFTER INSERT ON assignments BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER assignments_stamp_u AFTER UPDATE ON assignments BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER assignments_stamp_d AFTER DELETE ON assignments BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alliance_stamp_i AFTER INSERT ON alliance BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alliance_stamp_u AFTER UPDATE ON alliance BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alliance_stamp_d AFTER DELETE ON alliance BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'directory';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER alliance_stamp_d;
DROP TRIGGER alliance_stamp_u;
DROP TRIGGER alliance_stamp_i;
DROP TRIGGER assignments_stamp_d;
DROP TRIGGER assignments_stamp_u;
DROP TRIGGER assignments_stamp_i;
DROP TRIGGER tasks_stamp_d;
DROP TRIGGER tasks_stamp_u;
DROP TRIGGER tasks_stamp_i;
DELETE FROM change_stamps WHERE name = 'tasks';
