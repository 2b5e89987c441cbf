package store

import "context"

// Collect runs a query and hands each row to fn, for the many small
// listings that need no more than a loop over rows.
func Collect(ctx context.Context, q Querier, query string, args []any, fn func(Scanner) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
