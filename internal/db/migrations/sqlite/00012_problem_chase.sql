-- +goose Up
-- The highest level an overdue problem has been chased to past its handling
-- deadline (plans.ChaseResponsible … ChaseOffice); a new deadline starts
-- the chase again.
ALTER TABLE problems ADD COLUMN chase_level INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE problems DROP COLUMN chase_level;
