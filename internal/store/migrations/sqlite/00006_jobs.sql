-- +goose Up
-- Durable background jobs (internal/jobs). A row is pending until a worker
-- claims it (running, with a lease in locked_until); success deletes it, a
-- final failure keeps it as failed with the last error for operators.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT      NOT NULL,
    args         TEXT      NOT NULL DEFAULT '{}',
    state        TEXT      NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'failed')),
    unique_key   TEXT,
    run_at       TIMESTAMP NOT NULL,
    attempts     INTEGER   NOT NULL DEFAULT 0,
    max_attempts INTEGER   NOT NULL CHECK (max_attempts > 0),
    locked_until TIMESTAMP,
    last_error   TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
-- At most one pending job per key: repeated events coalesce into one job.
CREATE UNIQUE INDEX jobs_pending_key ON jobs (unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_lease ON jobs (locked_until, id) WHERE state = 'running';
CREATE INDEX jobs_failed ON jobs (finished_at) WHERE state = 'failed';

-- +goose Down
DROP TABLE jobs;
