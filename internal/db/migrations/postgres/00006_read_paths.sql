-- +goose Up
-- Each assignment carries its task's light, kept by triggers, so that "one
-- unit's red tasks" is a range of one index instead of a test of every red
-- task against the unit's assignments (internal/plans TaskFilter).
ALTER TABLE assignments ADD COLUMN light TEXT NOT NULL DEFAULT '';
UPDATE assignments a SET light = t.light FROM tasks t WHERE t.id = a.task_id;
CREATE INDEX assignments_unit_light ON assignments(unit_id, light, task_id) WHERE active;

-- +goose StatementBegin
CREATE FUNCTION assignments_light_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.light := (SELECT light FROM tasks WHERE id = NEW.task_id);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER assignments_light_bi BEFORE INSERT ON assignments FOR EACH ROW EXECUTE FUNCTION assignments_light_new();

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

-- +goose Down
DROP TRIGGER areas_stamp ON areas;
DROP TRIGGER units_stamp ON units;
DROP FUNCTION directory_stamp;
DROP TABLE change_stamps;
DROP TRIGGER assignments_light_au ON tasks;
DROP TRIGGER assignments_light_bi ON assignments;
DROP FUNCTION assignments_light_sync;
DROP FUNCTION assignments_light_new;
DROP INDEX assignments_unit_light;
ALTER TABLE assignments DROP COLUMN light;
