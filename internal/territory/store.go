package territory

import "context"

// Store is what the service needs from the database.
type Store interface {
	Create(ctx context.Context, t *Territory) error
	Update(ctx context.Context, t *Territory) error
	BySlug(ctx context.Context, slug string) (*Territory, error)
	ByID(ctx context.Context, id int64) (*Territory, error)
	List(ctx context.Context) ([]*Territory, error)
	BumpVersion(ctx context.Context, id int64) (int64, error)
	Version(ctx context.Context, id int64) (int64, error)
}
