package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// Secret returns the deployment's secret called name, creating n random
// bytes the first time. Every instance reads the same value, and the first
// writer wins if two create it at once.
func (db *DB) Secret(ctx context.Context, name string, n int) ([]byte, error) {
	fresh := make([]byte, n)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := db.Exec(ctx, `INSERT INTO platform_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, fresh, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	var value []byte
	if err := db.QueryRowW(ctx, `SELECT value FROM platform_secrets WHERE name = ?`, name).Scan(&value); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return value, nil
}
