package ledger

// monthExpr is the "2006-01" of a UTC timestamp column. SQLite keeps
// timestamps as text that begins with the date.
func (s *SQLStore) monthExpr(col string) string {
	if s.postgres() {
		return pgMonthExpr(col)
	}
	return "substr(" + col + ", 1, 7)"
}
