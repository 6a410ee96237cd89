-- +goose Up
-- One row per scheduled job and slot: the primary key is the claim, so a slot
-- runs on one instance only (internal/jobs).
CREATE TABLE job_runs (
    name TEXT NOT NULL,
    slot TIMESTAMP NOT NULL,
    instance TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 1,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (name, slot)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    args_json TEXT NOT NULL DEFAULT '[]',
    link TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    dedupe TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (user_id, dedupe)
);
CREATE INDEX notifications_unread ON notifications(user_id, read_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email','webhook')),
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox(sent_at);

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE webhooks;
DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE job_runs;
