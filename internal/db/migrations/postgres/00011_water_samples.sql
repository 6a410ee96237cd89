-- +goose Up
-- Readings move from one row per value to one row per sample (station ×
-- time): the ingest writes a ninth of the rows and index entries, by COPY.
-- data is a JSON object (kept as text: nothing to parse on COPY) of the
-- sample's values by item code: a plain number is a normal value of the
-- row's batch; [value, flag, batch] is any other (flag 1 maintenance,
-- 2 stopped, 3 suspect; batch the one that brought or corrected it).
-- suspect is 1 when any value is flagged suspect, for the review list.
-- Values in the item's canonical unit; at is Unix seconds.
CREATE TABLE water_samples (
    station_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    suspect SMALLINT NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, at)
);
CREATE INDEX water_samples_suspect ON water_samples(at) WHERE suspect = 1;

-- to_json writes a double in its shortest exact form.
INSERT INTO water_samples (station_id, at, batch_id, suspect, data)
SELECT station_id, at, b, max(CASE WHEN flag = 3 THEN 1 ELSE 0 END),
       json_object_agg(item, CASE WHEN flag = 0 AND batch_id = b
           THEN to_json(value)
           ELSE json_build_array(value, flag, batch_id) END)::text
FROM (SELECT r.*, min(batch_id) OVER (PARTITION BY station_id, at) AS b FROM water_readings r) r
GROUP BY station_id, at, b;

DROP TABLE water_readings;

-- Month sums move from one row per item to one row per station × month,
-- the items' sums and counts packed as JSON ({"ph": [total, n], …}): a
-- year's assessment of 2,000 stations reads 24,000 rows, not 216,000.
ALTER TABLE water_month_sums RENAME TO water_month_sums_00009;
ALTER TABLE water_month_sums_00009 RENAME CONSTRAINT water_month_sums_pkey TO water_month_sums_00009_pkey;
CREATE TABLE water_month_sums (
    station_id BIGINT NOT NULL REFERENCES water_stations(id),
    month INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, month)
);
INSERT INTO water_month_sums (station_id, month, data)
SELECT station_id, month, json_object_agg(item, json_build_array(total, n))::text
FROM water_month_sums_00009 GROUP BY station_id, month;
DROP TABLE water_month_sums_00009;

-- +goose Down
CREATE TABLE water_readings (
    station_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    item TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    flag SMALLINT NOT NULL CHECK (flag BETWEEN 0 AND 3),
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (station_id, at, item)
);
CREATE INDEX water_readings_suspect ON water_readings(station_id, at) WHERE flag = 3;

INSERT INTO water_readings (station_id, at, item, value, flag, batch_id)
SELECT s.station_id, s.at, j.key,
       CASE json_typeof(j.value) WHEN 'array' THEN (j.value->>0)::float8 ELSE (j.value#>>'{}')::float8 END,
       CASE json_typeof(j.value) WHEN 'array' THEN (j.value->>1)::smallint ELSE 0 END,
       CASE json_typeof(j.value) WHEN 'array' THEN (j.value->>2)::bigint ELSE s.batch_id END
FROM water_samples s, json_each(s.data::json) j;

DROP TABLE water_samples;

ALTER TABLE water_month_sums RENAME TO water_month_sums_00011;
ALTER TABLE water_month_sums_00011 RENAME CONSTRAINT water_month_sums_pkey TO water_month_sums_00011_pkey;
CREATE TABLE water_month_sums (
    station_id BIGINT NOT NULL REFERENCES water_stations(id),
    month INTEGER NOT NULL,
    item TEXT NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, station_id, item)
);
INSERT INTO water_month_sums (station_id, month, item, total, n)
SELECT m.station_id, m.month, j.key, (j.value->>0)::float8, (j.value->>1)::bigint
FROM water_month_sums_00011 m, json_each(m.data::json) j;
DROP TABLE water_month_sums_00011;
