-- +goose Up
-- Every change to tasks and assignments counts up change_stamps 'tasks',
-- as units and areas count up 'directory' (00006): an instance keeps the
-- task list pages it served while the stamp stands, which one small read
-- tells whoever wrote (plans.ListTasks). The alliance's own row (its name,
-- on every page) counts up 'directory' too, and is kept with the units.
INSERT INTO change_stamps (name, n) VALUES ('tasks', 1);
-- +goose StatementBegin
CREATE FUNCTION tasks_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_stamps SET n = n + 1 WHERE name = 'tasks';
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tasks_stamp AFTER INSERT OR UPDATE OR DELETE ON tasks FOR EACH STATEMENT EXECUTE FUNCTION tasks_stamp();
CREATE TRIGGER assignments_stamp AFTER INSERT OR UPDATE OR DELETE ON assignments FOR EACH STATEMENT EXECUTE FUNCTION tasks_stamp();
CREATE TRIGGER alliance_stamp AFTER INSERT OR UPDATE OR DELETE ON alliance FOR EACH STATEMENT EXECUTE FUNCTION directory_stamp();

-- +goose Down
DROP TRIGGER alliance_stamp ON alliance;
DROP TRIGGER assignments_stamp ON assignments;
DROP TRIGGER tasks_stamp ON tasks;
DROP FUNCTION tasks_stamp();
DELETE FROM change_stamps WHERE name = 'tasks';
