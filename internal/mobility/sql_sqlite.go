package mobility

// lockTripSQLite has nothing to lock: SQLite runs one write transaction
// at a time, and every transaction of the store is one. Its writer pool is
// a single connection whose transactions begin IMMEDIATE (store.Open sets
// _txlock=immediate), taking the database's write lock at BEGIN, and the
// calls sharing a commit (store.DB.Batched) run one after the other inside
// it. A transaction that reaches LockTrip already holds off every other
// writer, the horizon job's included, until it ends.
func (s *SQLStore) lockTripSQLite() error { return nil }
