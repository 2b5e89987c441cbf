package ledger

func pgMonthExpr(col string) string {
	return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
}
