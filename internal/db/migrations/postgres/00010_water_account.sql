-- +goose Up
-- The water accountability loop (internal/wateraccount). A station off its
-- target class opens one rectification item (source_kind 'water') for the
-- responsible unit; the item names the station and the months concerned.
-- water_loop: 'open' while the station stays off target, 'regained' once a
-- month complies again (water_regained names it), 'ended' when the item was
-- closed while the station was still off target. No foreign key to the
-- station: stations are never deleted (internal/waterstore).
ALTER TABLE rectifications ADD COLUMN water_station_id BIGINT;
ALTER TABLE rectifications ADD COLUMN water_months TEXT NOT NULL DEFAULT '';
ALTER TABLE rectifications ADD COLUMN water_loop TEXT NOT NULL DEFAULT '' CHECK (water_loop IN ('','open','regained','ended'));
ALTER TABLE rectifications ADD COLUMN water_regained TEXT NOT NULL DEFAULT '';
-- One open loop per station, whoever runs the loop.
CREATE UNIQUE INDEX rectifications_water_open ON rectifications(water_station_id) WHERE water_loop = 'open';

-- Each month is evaluated once: the run claims its row in the transaction
-- that opens, extends and closes the loops, so two runners (two instances,
-- or the job and the CLI) cannot both evaluate it.
CREATE TABLE water_loop_months (
    month INTEGER PRIMARY KEY, -- yyyymm
    opened INTEGER NOT NULL,
    extended INTEGER NOT NULL,
    regained INTEGER NOT NULL,
    run_by TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL
);

-- The compensation scheme in force (water.Scheme); one row, edited by the
-- office. The shipped values are water.Liaoning2017.
CREATE TABLE water_scheme (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    per_class_main DOUBLE PRECISION NOT NULL,
    per_class_tributary DOUBLE PRECISION NOT NULL,
    per_multiple DOUBLE PRECISION NOT NULL,
    province TEXT NOT NULL,
    late_rate DOUBLE PRECISION NOT NULL,
    due_month INTEGER NOT NULL CHECK (due_month BETWEEN 1 AND 12),
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL
);
INSERT INTO water_scheme (id, name, per_class_main, per_class_tributary, per_multiple, province, late_rate, due_month, version, updated_at)
VALUES (1, '辽宁省河流断面水质污染补偿办法（辽政办发〔2017〕45号）', 1000000, 500000, 100000, '辽宁省', 0.1, 3, 1, CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE water_scheme;
DROP TABLE water_loop_months;
DROP INDEX rectifications_water_open;
ALTER TABLE rectifications DROP COLUMN water_regained;
ALTER TABLE rectifications DROP COLUMN water_loop;
ALTER TABLE rectifications DROP COLUMN water_months;
ALTER TABLE rectifications DROP COLUMN water_station_id;
