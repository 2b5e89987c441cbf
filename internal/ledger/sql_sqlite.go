package ledger

// monthExpr is the "2006-01" of a UTC timestamp column. SQLite keeps
// timestamps as text that begins with the date.
func (s *SQLStore) monthExpr(col string) string {
	if s.postgres() {
		return pgMonthExpr(col)
	}
	return "substr(" + col + ", 1, 7)"
}

// byAccount makes SQLite sum postings in the order of the covering
// index (account_id, entry_id, amount) instead of sorting the whole table
// in a temporary B-tree, which it prefers otherwise.
func (s *SQLStore) byAccount() string {
	if s.postgres() {
		return ""
	}
	return " INDEXED BY ledger_postings_account"
}
