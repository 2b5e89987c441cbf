-- +goose Up
-- A password change or reset ends the member's other sessions: each session
-- remembers the epoch it started in, and the epoch moves on with the password.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN session_epoch;
