-- +goose Up
-- Samples move from one row per station × time to one row per station ×
-- day (a Unix day: at divided by 86,400, rounded down). An automatic
-- station's six samples a day are one row and one index entry: on
-- PostgreSQL each index entry is a WAL record of its own, and the key's
-- index cost COPY more than the rows themselves. data is a JSON array of
-- the day's samples in time order, [at, batch, values]: values is 00011's
-- object by item code (a plain number a normal value of the sample's
-- batch; [value, flag, batch] any other). suspect is 1 when any value of
-- the day is flagged suspect, for the review list.
CREATE TABLE water_days (
    station_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    suspect SMALLINT NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, day)
);
CREATE INDEX water_days_suspect ON water_days(day) WHERE suspect = 1;

INSERT INTO water_days (station_id, day, suspect, data)
SELECT station_id, (at - (at % 86400 + 86400) % 86400) / 86400, max(suspect),
       '[' || string_agg('[' || at || ',' || batch_id || ',' || data || ']', ',' ORDER BY at) || ']'
FROM water_samples
GROUP BY station_id, (at - (at % 86400 + 86400) % 86400) / 86400;

DROP TABLE water_samples;

-- +goose Down
CREATE TABLE water_samples (
    station_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    suspect SMALLINT NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, at)
);
CREATE INDEX water_samples_suspect ON water_samples(at) WHERE suspect = 1;

-- json (not jsonb) keeps each number's text as written.
INSERT INTO water_samples (station_id, at, batch_id, suspect, data)
SELECT d.station_id, (e.value->>0)::bigint, (e.value->>1)::bigint,
       CASE WHEN EXISTS (SELECT 1 FROM json_each(e.value->2) v
                         WHERE json_typeof(v.value) = 'array' AND (v.value->>1)::int = 3) THEN 1 ELSE 0 END,
       (e.value->2)::text
FROM water_days d, json_array_elements(d.data::json) e;

DROP TABLE water_days;
