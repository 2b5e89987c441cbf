package booking

import (
	"context"
	"sync"
	"time"
)

// Group commit on PostgreSQL. A booking is one statement (booking_reserve),
// but each still pays a commit, a WAL flush and a round trip of its own;
// under load those dominate. Bookings that arrive while others are being
// written therefore wait a moment and go together: one statement,
// booking_reserve_many, books them in turn in one transaction and one
// commit. The check and the insert of each are unchanged (the function
// calls booking_reserve), so the invariant is the same; what is shared is
// the commit. If the batch fails as a whole (a deadlock, a broken
// connection, a bad row), each of its bookings is tried again alone, so
// one booking's failure never becomes another's.

const (
	// maxReserveBatch bounds the bookings sharing one statement.
	maxReserveBatch = 64
	// maxReserveWriters bounds the batches in flight at once (each holds
	// one connection of the pool until its commit).
	maxReserveWriters = 4
)

type reserveReq struct {
	ctx  context.Context
	r    *Reservation
	done chan error
}

// reserveBatcher queues the bookings of one database. Its writers are
// goroutines that exist only while the queue is not empty.
type reserveBatcher struct {
	mu      sync.Mutex
	queue   []*reserveReq
	writers int
}

// reserveBatched books r with the bookings queued beside it.
func (s *SQLStore) reserveBatched(ctx context.Context, r *Reservation) error {
	b := s.batch
	req := &reserveReq{ctx: ctx, r: r, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, req)
	if b.writers < maxReserveWriters {
		b.writers++
		go s.writeBatches()
	}
	b.mu.Unlock()
	// Once queued, the booking is written or skipped: wait for the verdict
	// rather than guess whether it committed.
	return <-req.done
}

// writeBatches writes queued bookings until the queue is empty.
func (s *SQLStore) writeBatches() {
	b := s.batch
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxReserveBatch)
		if n == 0 {
			b.writers--
			b.mu.Unlock()
			return
		}
		reqs := b.queue[:n:n]
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil
		}
		b.mu.Unlock()
		s.writeBatch(reqs)
	}
}

// writeBatch books reqs in one statement, or one by one if it fails.
func (s *SQLStore) writeBatch(reqs []*reserveReq) {
	live := reqs[:0:0]
	for _, q := range reqs {
		if err := q.ctx.Err(); err != nil {
			q.done <- err // gave up before its turn: not booked
			continue
		}
		live = append(live, q)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		ids, err := s.reserveMany(live)
		if err == nil {
			for i, q := range live {
				q.done <- reserveAnswer(q.r, ids[i])
			}
			return
		}
		// The batch wrote nothing: each booking is tried alone.
	}
	for _, q := range live {
		q.done <- s.reserveOne(context.WithoutCancel(q.ctx), q.r)
	}
}

// reserveMany runs booking_reserve_many and returns its answer for each
// request, in order.
func (s *SQLStore) reserveMany(reqs []*reserveReq) ([]int64, error) {
	n := len(reqs)
	ter, res, org, user, series := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	qty := make([]int32, n)
	start, end, created := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	status, note := make([]string, n), make([]string, n)
	for i, q := range reqs {
		r := q.r
		ter[i], res[i], org[i], user[i], series[i] = r.TerritoryID, r.ResourceID, r.OrganisationID, r.UserID, r.SeriesID
		qty[i], start[i], end[i], created[i] = int32(r.Quantity), utc(r.Start), utc(r.End), utc(r.CreatedAt)
		status[i], note[i] = string(r.Status), r.Note
	}
	// The statement must not stop halfway for one caller's cancellation:
	// it is everybody's.
	ctx := context.WithoutCancel(reqs[0].ctx)
	rows, err := s.db.Query(ctx, `SELECT k, id FROM booking_reserve_many(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ter, res, org, user, qty, start, end, status, note, series, created)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, n)
	for rows.Next() {
		var k int
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		if k >= 1 && k <= n {
			ids[k-1] = id
		}
	}
	return ids, rows.Err()
}
