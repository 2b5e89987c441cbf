package ledger

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// BenchmarkTransfer measures whole transfers (membership check, one
// transaction with the entry, two postings and two guarded UPDATEs) from
// parallel clients between 200 members.
//
//	go test -run - -bench Transfer -benchtime 20000x ./internal/ledger/
func BenchmarkTransfer(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		e := newEnv(b, db)
		ctx := context.Background()
		members := make([]access.Actor, 200)
		for i := range members {
			var id int64
			if err := db.QueryRowW(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', ?) RETURNING id`,
				fmt.Sprintf("bench%d@example.org", i), e.clock.now()).Scan(&id); err != nil {
				b.Fatal(err)
			}
			members[i] = access.Actor{UserID: id, Roles: map[int64]access.Role{e.ter.ID: access.Member}}
			if err := e.accounts.Join(ctx, members[i], e.ter.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := e.svc.MyAccount(ctx, members[i], e.ter, TimeCode); err != nil {
				b.Fatal(err)
			}
		}
		var n atomic.Int64
		b.SetParallelism(8) // 8 clients per CPU, like a busy web server
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu0, srv0 := time.Now(), cpuTime(b), serverCPU(db)
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
			for pb.Next() {
				i := r.IntN(len(members))
				j := (i + 1 + r.IntN(len(members)-1)) % len(members)
				if _, err := e.svc.Transfer(ctx, members[i], e.ter, TransferInput{To: ref(members[j]), Currency: TimeCode,
					Amount: 1 + int64(r.IntN(5)), Category: "gardening"}); err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			}
		})
		b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "transfers/s")
		// CPU per transfer, steadier than the rate on a shared machine:
		// this process's, and the local PostgreSQL server's (all its
		// processes, other clients of the server included).
		b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		if srv0 >= 0 {
			b.ReportMetric(float64((serverCPU(db)-srv0).Microseconds())/float64(b.N), "server-cpu-µs/op")
		}
		b.StopTimer()
		e.verify(b)
	})
}

// BenchmarkVerify loads SHARINGCITY_LEDGER_VERIFY_POSTINGS postings (10
// million for the target) straight into the tables, then times Verify.
//
//	SHARINGCITY_LEDGER_VERIFY_POSTINGS=10000000 go test -run - -bench Verify -benchtime 1x -timeout 60m ./internal/ledger/
func BenchmarkVerify(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SHARINGCITY_LEDGER_VERIFY_POSTINGS"))
	if n <= 0 {
		b.Skip("set SHARINGCITY_LEDGER_VERIFY_POSTINGS (e.g. 10000000) to load that many postings")
	}
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		e := newEnv(b, db)
		ctx := context.Background()
		start := time.Now()
		if err := bulkLoad(ctx, db, e, n/2, 1000); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: loaded %d postings in %s", db.Dialect(), n, time.Since(start).Round(time.Second))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res := e.verify(b)
			if res.Counts.Postings != int64(n/2*2) {
				b.Fatalf("verify read %d postings", res.Counts.Postings)
			}
			b.ReportMetric(res.Elapsed.Seconds(), "s/verify")
			b.Logf("%s: verify of %d postings, %d entries, %d accounts: %s", db.Dialect(), res.Counts.Postings,
				res.Counts.Entries, res.Counts.Accounts, res.Elapsed.Round(time.Millisecond))
		}
	})
}

// bulkLoad writes entries transfers between accounts accounts in SQL,
// building the posting indexes after the rows, as a restore would.
func bulkLoad(ctx context.Context, db *store.DB, e *env, entries, accounts int) error {
	cur, err := e.svc.Currency(ctx, e.ter, TimeCode)
	if err != nil {
		return err
	}
	now := e.clock.now()
	series := `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ? - 1) `
	from := ` FROM s`
	if db.Dialect() == store.Postgres {
		series = `WITH s(i) AS (SELECT generate_series(0, ?::bigint - 1)) `
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`DROP INDEX ledger_postings_entry`, nil},
		{`DROP INDEX ledger_postings_account`, nil},
		{series + `INSERT INTO ledger_accounts (territory_id, currency_id, owner_kind, owner_id, balance, created_at)
			SELECT ?, ?, 'organisation', 1000000 + i, 0, ?` + from, []any{accounts, e.ter.ID, cur.ID, now}},
		{series + `INSERT INTO ledger_entries (territory_id, kind, category, created_by, created_at)
			SELECT ?, 'transfer', 'gardening', 0, ?` + from, []any{entries, e.ter.ID, now}},
	}
	for _, st := range steps {
		if _, err := db.Exec(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("%.60s: %w", st.q, err)
		}
	}
	var firstAcc, firstEntry int64
	if err := db.QueryRow(ctx, `SELECT MIN(id) FROM ledger_accounts WHERE owner_id >= 1000000`).Scan(&firstAcc); err != nil {
		return err
	}
	if err := db.QueryRow(ctx, `SELECT MIN(id) FROM ledger_entries`).Scan(&firstEntry); err != nil {
		return err
	}
	// Entry k moves 1 + k%50 from account k%A to account (k+1)%A, in both
	// dialects' integer arithmetic.
	post := `INSERT INTO ledger_postings (entry_id, territory_id, account_id, currency_id, amount)
		SELECT e.id, e.territory_id, ? + ((e.id - ?) + ?) % ?, ?, ? * (1 + (e.id - ?) % 50) FROM ledger_entries e WHERE e.territory_id = ? ORDER BY e.id`
	for _, side := range []struct{ shift, sign int64 }{{0, -1}, {1, 1}} {
		if _, err := db.Exec(ctx, post, firstAcc, firstEntry, side.shift, accounts, cur.ID, side.sign, firstEntry, e.ter.ID); err != nil {
			return fmt.Errorf("postings: %w", err)
		}
	}
	for _, q := range []string{
		`CREATE INDEX ledger_postings_entry ON ledger_postings(entry_id, currency_id, amount)`,
		`CREATE INDEX ledger_postings_account ON ledger_postings(account_id, entry_id, amount)`,
		`UPDATE ledger_accounts SET balance = (SELECT COALESCE(SUM(p.amount), 0) FROM ledger_postings p WHERE p.account_id = ledger_accounts.id)
			WHERE owner_id >= 1000000`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	if db.Dialect() == store.Postgres {
		_, err = db.Exec(ctx, `VACUUM ANALYZE ledger_postings`)
	} else {
		_, err = db.Exec(ctx, `ANALYZE`)
	}
	return err
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the CPU time so far of the processes called postgres on
// this machine, with the children they reaped (the backends of closed
// connections), from /proc; -1 on SQLite or where /proc does not show it.
// Clock ticks are taken as 1/100 s, Linux's USER_HZ.
func serverCPU(db *store.DB) time.Duration {
	if db.Dialect() != store.Postgres {
		return -1
	}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return -1
	}
	var ticks int64
	seen := false
	for _, d := range dirs {
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil || !bytes.Contains(stat, []byte("(postgres)")) {
			continue
		}
		_, rest, _ := bytes.Cut(stat, []byte(") "))
		f := strings.Fields(string(rest))
		if len(f) < 15 {
			continue
		}
		for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
			n, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += n
		}
		seen = true
	}
	if !seen {
		return -1
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
