-- +goose Up
-- Readings move from one row per value to one row per sample (station ×
-- time): the ingest writes a ninth of the rows and index entries. data is
-- a JSON object of the sample's values by item code: a plain number is a
-- normal value of the row's batch; [value, flag, batch] is any other
-- (flag 1 maintenance, 2 stopped, 3 suspect; batch the one that brought or
-- corrected it). suspect is 1 when any value is flagged suspect, for the
-- review list. Values in the item's canonical unit; at is Unix seconds.
-- A rowid table (the key an index beside it), not WITHOUT ROWID: rows are
-- appended in order and SQLite appends to a rowid table's last page
-- cheaply, where a WITHOUT ROWID table rebalances three pages each time one
-- fills; the key's index splits rarely, its entries being small.
CREATE TABLE water_samples (
    station_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    batch_id INTEGER NOT NULL,
    suspect INTEGER NOT NULL DEFAULT 0 CHECK (suspect IN (0, 1)),
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, at)
);
CREATE INDEX water_samples_suspect ON water_samples(at) WHERE suspect = 1;

-- Values are written with 17 significant digits, so that each reads back
-- as the same double.
INSERT INTO water_samples (station_id, at, batch_id, suspect, data)
SELECT station_id, at, b, max(flag = 3),
       json_group_object(item, CASE WHEN flag = 0 AND batch_id = b
           THEN json(printf('%!.17g', value))
           ELSE json_array(json(printf('%!.17g', value)), flag, batch_id) END)
FROM (SELECT r.*, min(batch_id) OVER (PARTITION BY station_id, at) AS b FROM water_readings r)
GROUP BY station_id, at, b;

DROP TABLE water_readings;

-- Month sums move from one row per item to one row per station × month,
-- the items' sums and counts packed as JSON ({"ph": [total, n], …}): a
-- year's assessment of 2,000 stations reads 24,000 rows, not 216,000.
ALTER TABLE water_month_sums RENAME TO water_month_sums_00009;
CREATE TABLE water_month_sums (
    station_id INTEGER NOT NULL REFERENCES water_stations(id),
    month INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (station_id, month)
) WITHOUT ROWID;
INSERT INTO water_month_sums (station_id, month, data)
SELECT station_id, month, json_group_object(item, json_array(json(printf('%!.17g', total)), n))
FROM water_month_sums_00009 GROUP BY station_id, month;
DROP TABLE water_month_sums_00009;

-- +goose Down
CREATE TABLE water_readings (
    station_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    item TEXT NOT NULL,
    value REAL NOT NULL,
    flag INTEGER NOT NULL CHECK (flag BETWEEN 0 AND 3),
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (station_id, at, item)
) WITHOUT ROWID;
CREATE INDEX water_readings_suspect ON water_readings(station_id, at) WHERE flag = 3;

INSERT INTO water_readings (station_id, at, item, value, flag, batch_id)
SELECT s.station_id, s.at, j.key,
       CASE j.type WHEN 'array' THEN json_extract(j.value, '$[0]') ELSE j.value END,
       CASE j.type WHEN 'array' THEN json_extract(j.value, '$[1]') ELSE 0 END,
       CASE j.type WHEN 'array' THEN json_extract(j.value, '$[2]') ELSE s.batch_id END
FROM water_samples s, json_each(s.data) j;

DROP TABLE water_samples;

ALTER TABLE water_month_sums RENAME TO water_month_sums_00011;
CREATE TABLE water_month_sums (
    station_id INTEGER NOT NULL REFERENCES water_stations(id),
    month INTEGER NOT NULL,
    item TEXT NOT NULL,
    total REAL NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, station_id, item)
) WITHOUT ROWID;
INSERT INTO water_month_sums (station_id, month, item, total, n)
SELECT m.station_id, m.month, j.key, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
FROM water_month_sums_00011 m, json_each(m.data) j;
DROP TABLE water_month_sums_00011;
