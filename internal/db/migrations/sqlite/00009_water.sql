-- +goose Up
-- Water-quality monitoring stations: river sections, lake and reservoir
-- sites, near-shore sea points. Samples find their station by province and
-- Chinese name, as the national release names them.
CREATE TABLE water_stations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL,
    basin TEXT NOT NULL DEFAULT '',
    water TEXT NOT NULL DEFAULT '', -- the river or sea area
    latitude REAL,
    longitude REAL,
    unit_id INTEGER REFERENCES units(id), -- the responsible unit
    water_body TEXT NOT NULL CHECK (water_body IN ('river','lake','reservoir','river_reservoir','sea')),
    target_class INTEGER NOT NULL DEFAULT 0 CHECK (target_class BETWEEN 0 AND 6), -- 0: none; 1–5 Ⅰ–Ⅴ; 6 劣Ⅴ
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','retired')),
    boundary TEXT NOT NULL DEFAULT '' CHECK (boundary IN ('','cross_city','province_entry','sea_entry','tributary_mouth')),
    upstream_unit_id INTEGER REFERENCES units(id),
    downstream_unit_id INTEGER REFERENCES units(id),
    stem TEXT NOT NULL DEFAULT '' CHECK (stem IN ('','main','tributary')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (province, name_zh)
);

-- A batch is one ingest: a file or an automatic station's push. Readings
-- name the batch that brought them (their source).
CREATE TABLE water_batches (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('file','push')),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    inserted INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0,
    replaced INTEGER NOT NULL DEFAULT 0,
    suspects INTEGER NOT NULL DEFAULT 0
);

-- One value per station × time × item, in the item's canonical unit
-- (mg/L, count/L, °C, none for pH); at is Unix seconds. flag: 0 normal,
-- 1 maintenance, 2 stopped, 3 suspect (physically impossible, kept out of
-- assessment and listed for review). No foreign keys: checking two per
-- value made PostgreSQL's ingest several times slower; the ingest finds
-- the station and makes the batch in the same transaction, and stations
-- and batches are never deleted.
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

-- Per station × month (yyyymm in the service's zone) × item: the sum and
-- count of the normal readings, kept in the same transaction as the
-- readings, so any period's means are sums of months.
CREATE TABLE water_month_sums (
    station_id INTEGER NOT NULL REFERENCES water_stations(id),
    month INTEGER NOT NULL,
    item TEXT NOT NULL,
    total REAL NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, station_id, item)
) WITHOUT ROWID;

-- An automatic station pushes readings with its own token; only the
-- token's SHA-256 is kept.
CREATE TABLE water_push_tokens (
    id INTEGER PRIMARY KEY,
    station_id INTEGER NOT NULL REFERENCES water_stations(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX water_push_tokens_station ON water_push_tokens(station_id);

-- +goose Down
DROP TABLE water_push_tokens;
DROP TABLE water_month_sums;
DROP TABLE water_readings;
DROP TABLE water_batches;
DROP TABLE water_stations;
