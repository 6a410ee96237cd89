-- +goose Up
-- Samples move from one row per station × time to one row per station ×
-- day (a Unix day: at divided by 86,400, rounded down). An automatic
-- station's six samples a day are one row and one index entry. data is a
-- JSON array of the day's samples in time order, [at, batch, values]:
-- values is 00011's object by item code (a plain number a normal value of
-- the sample's batch; [value, flag, batch] any other). suspect is 1 when
-- any value of the day is flagged suspect, for the review list. A rowid
-- table with the key's index beside it, as 00011 explains.
CREATE TABLE water_days (
    station_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    suspect INTEGER NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, day)
);
CREATE INDEX water_days_suspect ON water_days(day) WHERE suspect = 1;

INSERT INTO water_days (station_id, day, suspect, data)
SELECT station_id, (at - (at % 86400 + 86400) % 86400) / 86400, max(suspect),
       '[' || group_concat('[' || at || ',' || batch_id || ',' || data || ']', ',' ORDER BY at) || ']'
FROM water_samples
GROUP BY station_id, (at - (at % 86400 + 86400) % 86400) / 86400;

DROP TABLE water_samples;

-- +goose Down
CREATE TABLE water_samples (
    station_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    suspect INTEGER NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, at)
);
CREATE INDEX water_samples_suspect ON water_samples(at) WHERE suspect = 1;

INSERT INTO water_samples (station_id, at, batch_id, suspect, data)
SELECT d.station_id, json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'),
       EXISTS (SELECT 1 FROM json_each(json_extract(e.value, '$[2]')) v
               WHERE v.type = 'array' AND json_extract(v.value, '$[1]') = 3),
       json_extract(e.value, '$[2]')
FROM water_days d, json_each(d.data) e;

DROP TABLE water_days;
