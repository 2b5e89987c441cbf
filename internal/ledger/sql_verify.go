package ledger

import (
	"context"
	"fmt"
	"time"
)

// Verify streams three aggregates: per account (balance against the sum
// of its postings), per entry and currency (sum zero), then checks the
// totals per currency, issued currencies against their deposits, and the
// clearing accounts of partner territories against each other.
func (s *SQLStore) Verify(ctx context.Context, report func(Discrepancy)) (VerifyCounts, error) {
	var n VerifyCounts
	type curInfo struct {
		code   string
		kind   CurrencyKind
		ter    int64
		sum    int64
		issuer int64 // issuing account balance
	}
	curs := map[int64]*curInfo{}
	rows, err := s.q.Query(ctx, `SELECT id, territory_id, code, kind FROM ledger_currencies`)
	if err != nil {
		return n, fmt.Errorf("currencies: %w", err)
	}
	for rows.Next() {
		var id int64
		c := &curInfo{}
		if err := rows.Scan(&id, &c.ter, &c.code, &c.kind); err != nil {
			rows.Close()
			return n, err
		}
		curs[id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	n.Currencies = int64(len(curs))

	type clearKey struct{ ter, partner int64 }
	clearing := map[clearKey]int64{} // TIME clearing balances

	rows, err = s.q.Query(ctx, `SELECT a.id, a.currency_id, a.owner_kind, a.owner_id, a.balance, COALESCE(p.total, 0), COALESCE(p.n, 0)
		FROM ledger_accounts a
		LEFT JOIN (SELECT account_id, SUM(amount) AS total, COUNT(*) AS n FROM ledger_postings`+s.byAccount()+` GROUP BY account_id) p
			ON p.account_id = a.id`)
	if err != nil {
		return n, fmt.Errorf("accounts: %w", err)
	}
	for rows.Next() {
		var id, cur, owner, balance, total, count int64
		var kind OwnerKind
		if err := rows.Scan(&id, &cur, &kind, &owner, &balance, &total, &count); err != nil {
			rows.Close()
			return n, err
		}
		n.Accounts++
		n.Postings += count
		c := curs[cur]
		if balance != total {
			report(Discrepancy{What: "account", ID: id, Currency: c.code, Expected: total, Actual: balance})
		}
		c.sum += balance
		switch kind {
		case OwnerIssuing:
			c.issuer = balance
		case OwnerClearing:
			if c.kind == KindTime {
				clearing[clearKey{c.ter, owner}] = balance
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}

	rows, err = s.q.Query(ctx, `SELECT entry_id, currency_id, SUM(amount), COUNT(*) FROM ledger_postings
		GROUP BY entry_id, currency_id HAVING SUM(amount) <> 0 OR COUNT(*) < 2`)
	if err != nil {
		return n, fmt.Errorf("entries: %w", err)
	}
	for rows.Next() {
		var entry, cur, sum, count int64
		if err := rows.Scan(&entry, &cur, &sum, &count); err != nil {
			rows.Close()
			return n, err
		}
		code := ""
		if c := curs[cur]; c != nil {
			code = c.code
		}
		report(Discrepancy{What: "entry", ID: entry, Currency: code, Expected: 0, Actual: sum})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_entries`).Scan(&n.Entries); err != nil {
		return n, err
	}

	for id, c := range curs {
		if c.sum != 0 {
			report(Discrepancy{What: "currency", ID: id, Currency: c.code, Expected: 0, Actual: c.sum})
		}
		if c.kind == KindIssued {
			t, err := s.DepositTotals(ctx, c.ter, id)
			if err != nil {
				return n, err
			}
			if want := -(t.IssuedUnits - t.RedeemedUnits); c.issuer != want {
				report(Discrepancy{What: "issued", ID: id, Currency: c.code, Expected: want, Actual: c.issuer})
			}
		}
	}
	for k, bal := range clearing {
		if other := clearing[clearKey{k.partner, k.ter}]; bal != -other {
			report(Discrepancy{What: "clearing", ID: k.ter, Currency: TimeCode, Expected: -other, Actual: bal})
		}
	}
	return n, nil
}

// Overview computes a territory's figures per currency since a date.
func (s *SQLStore) Overview(ctx context.Context, territoryID int64, since time.Time) (*Overview, error) {
	curs, err := s.Currencies(ctx, territoryID)
	if err != nil {
		return nil, err
	}
	ov := &Overview{Currencies: []CurrencyFigures{}}
	for _, c := range curs {
		f := CurrencyFigures{Currency: c, Months: []MonthVolume{}, Categories: []CategorySum{}}
		if err := s.q.QueryRow(ctx, `SELECT COUNT(*),
				COALESCE(SUM(CASE WHEN owner_kind IN ('member', 'organisation') AND balance > 0 THEN balance ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN owner_kind = 'issuing' THEN -balance ELSE 0 END), 0)
			FROM ledger_accounts WHERE territory_id = ? AND currency_id = ? AND owner_kind IN ('member', 'organisation', 'issuing')`,
			territoryID, c.ID).Scan(&f.Accounts, &f.Circulation, new(int64)); err != nil {
			return nil, err
		}
		if c.Kind == KindIssued {
			if err := s.q.QueryRow(ctx, `SELECT COALESCE(SUM(-balance), 0) FROM ledger_accounts
				WHERE territory_id = ? AND currency_id = ? AND owner_kind = 'issuing'`, territoryID, c.ID).Scan(&f.Circulation); err != nil {
				return nil, err
			}
		}
		if err := s.q.QueryRow(ctx, `SELECT COUNT(DISTINCT p.account_id) FROM ledger_postings p
			JOIN ledger_entries e ON e.id = p.entry_id
			JOIN ledger_accounts a ON a.id = p.account_id
			WHERE p.territory_id = ? AND p.currency_id = ? AND e.created_at >= ? AND a.owner_kind IN ('member', 'organisation')`,
			territoryID, c.ID, since).Scan(&f.ActiveAccounts); err != nil {
			return nil, err
		}
		rows, err := s.q.Query(ctx, `SELECT `+s.monthExpr("e.created_at")+` AS m, SUM(p.amount), COUNT(DISTINCT e.id)
			FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
			WHERE p.territory_id = ? AND p.currency_id = ? AND p.amount > 0 AND e.created_at >= ?
			GROUP BY m ORDER BY m`, territoryID, c.ID, since)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m MonthVolume
			if err := rows.Scan(&m.Month, &m.Volume, &m.Entries); err != nil {
				rows.Close()
				return nil, err
			}
			f.Months = append(f.Months, m)
		}
		rows.Close()
		rows, err = s.q.Query(ctx, `SELECT e.category, SUM(p.amount), COUNT(DISTINCT e.id)
			FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
			WHERE p.territory_id = ? AND p.currency_id = ? AND p.amount > 0 AND e.created_at >= ? AND e.category <> ''
			GROUP BY e.category ORDER BY 2 DESC`, territoryID, c.ID, since)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var cs CategorySum
			if err := rows.Scan(&cs.Category, &cs.Volume, &cs.Entries); err != nil {
				rows.Close()
				return nil, err
			}
			f.Categories = append(f.Categories, cs)
		}
		rows.Close()
		ov.Currencies = append(ov.Currencies, f)
	}
	return ov, nil
}
