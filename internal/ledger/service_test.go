package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: "time", Amount: 90, Reason: "jardin", Category: "gardening"})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Amount != 90 || tr.Currency != TimeCode || tr.Replayed {
			t.Fatalf("transfer %+v", tr)
		}
		if got := e.balance(t, e.a, TimeCode); got != -90 {
			t.Fatalf("a balance %d", got)
		}
		if got := e.balance(t, e.b, TimeCode); got != 90 {
			t.Fatalf("b balance %d", got)
		}
		// By account id too.
		if _, err := e.svc.Transfer(ctx, e.b, e.ter, TransferInput{To: itoa(tr.From), Currency: "TIME", Amount: 30}); err != nil {
			t.Fatal(err)
		}
		_, lines, err := e.svc.Statement(ctx, e.a, e.ter, tr.From, StatementFilter{})
		if err != nil || len(lines) != 2 || lines[0].Amount != 30 || lines[1].Amount != -90 || lines[1].Category != "gardening" {
			t.Fatalf("statement %+v %v", lines, err)
		}
		if lines[1].Counterparty == nil || lines[1].Counterparty.OwnerID != e.b.UserID {
			t.Fatalf("counterparty %+v", lines[1].Counterparty)
		}
		_, lines, err = e.svc.Statement(ctx, e.a, e.ter, tr.From, StatementFilter{Category: "gardening"})
		if err != nil || len(lines) != 1 {
			t.Fatalf("filtered statement %+v %v", lines, err)
		}
		// Nobody else reads a's statement; the admin does.
		if _, _, err := e.svc.Statement(ctx, e.c, e.ter, tr.From, StatementFilter{}); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("c reads a's statement: %v", err)
		}
		if _, _, err := e.svc.Statement(ctx, e.admin, e.ter, tr.From, StatementFilter{}); err != nil {
			t.Fatal(err)
		}
		e.verify(t)
	})
}

func itoa(n int64) string { return fmtInt(n) }

func TestTransferRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		pay := func(a access.Actor, in TransferInput) error {
			_, err := e.svc.Transfer(ctx, a, e.ter, in)
			return err
		}
		paris, err := e.svc.MyAccount(ctx, e.p, e.other, TimeCode)
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			in   TransferInput
			key  string
		}{
			{"zero", TransferInput{To: ref(e.b), Currency: "TIME", Amount: 0}, "err.ledger.amount_positive"},
			{"negative", TransferInput{To: ref(e.b), Currency: "TIME", Amount: -5}, "err.ledger.amount_positive"},
			{"unknown currency", TransferInput{To: ref(e.b), Currency: "XYZ", Amount: 5}, "err.ledger.currency_unknown"},
			{"other territory's account", TransferInput{To: itoa(paris.ID), Currency: "TIME", Amount: 5}, "err.ledger.account_not_here"},
			{"not a member here", TransferInput{To: ref(e.p), Currency: "TIME", Amount: 5}, "err.ledger.not_member"},
			{"self", TransferInput{To: ref(e.a), Currency: "TIME", Amount: 5}, "err.ledger.self_transfer"},
			{"beyond limit", TransferInput{To: ref(e.b), Currency: "TIME", Amount: 601}, "err.ledger.beyond_lower_limit"},
			{"bad reference", TransferInput{To: "someone", Currency: "TIME", Amount: 5}, "err.ledger.account_ref"},
			{"bad category", TransferInput{To: ref(e.b), Currency: "TIME", Amount: 5, Category: "magic"}, "err.ledger.category_unknown"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := pay(e.a, tc.in)
				wantKey(t, err, tc.key)
				if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
					t.Fatalf("kind %v", k)
				}
			})
		}
		if err := pay(e.anon, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 5}); errs.KindOf(err) != errs.Unauthenticated {
			t.Fatalf("anonymous: %v", err)
		}
		if err := pay(e.p, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 5}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("stranger: %v", err)
		}
		// Exactly to the limit is fine; one minute more is not.
		if err := pay(e.a, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 600}); err != nil {
			t.Fatal(err)
		}
		wantKey(t, pay(e.a, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 1}), "err.ledger.beyond_lower_limit")
		// A closed account neither pays nor receives.
		bAcc, _ := e.svc.MyAccount(ctx, e.b, e.ter, TimeCode)
		if err := e.svc.SetClosed(ctx, e.b, e.ter, bAcc.ID, true); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member closes: %v", err)
		}
		if err := e.svc.SetClosed(ctx, e.admin, e.ter, bAcc.ID, true); err != nil {
			t.Fatal(err)
		}
		wantKey(t, pay(e.b, TransferInput{To: ref(e.c), Currency: "TIME", Amount: 1}), "err.ledger.account_closed")
		wantKey(t, pay(e.c, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 1}), "err.ledger.recipient_closed")
		if got := e.balance(t, e.a, TimeCode); got != -600 {
			t.Fatalf("a balance %d", got)
		}
		e.verify(t)
	})
}

func TestIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := TransferInput{To: ref(e.b), Currency: "TIME", Amount: 45, IdemKey: "k1"}
		first, err := e.svc.Transfer(ctx, e.a, e.ter, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.Transfer(ctx, e.a, e.ter, in)
		if err != nil || again.ID != first.ID || !again.Replayed {
			t.Fatalf("replay %+v %v", again, err)
		}
		if got := e.balance(t, e.b, TimeCode); got != 45 {
			t.Fatalf("moved twice: %d", got)
		}
		// Same key, another amount: refused, not silently answered.
		in.Amount = 50
		_, err = e.svc.Transfer(ctx, e.a, e.ter, in)
		wantKey(t, err, "err.ledger.idempotency_reused")
		// Another member's key of the same text is theirs.
		other, err := e.svc.Transfer(ctx, e.c, e.ter, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 45, IdemKey: "k1"})
		if err != nil || other.ID == first.ID {
			t.Fatalf("c's key: %+v %v", other, err)
		}
		e.verify(t)
	})
}

func TestLocalCurrencyAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := &Currency{Code: "gones", Name: "Gonette", Decimals: 2, Kind: KindMutual, DefaultLower: -5000}
		if err := e.svc.CreateCurrency(ctx, e.a, e.ter, c); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member creates currency: %v", err)
		}
		if err := e.svc.CreateCurrency(ctx, e.admin, e.ter, c); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CreateCurrency(ctx, e.admin, e.ter, &Currency{Code: "GONES", Name: "x", Decimals: 2, Kind: KindMutual}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("duplicate: %v", err)
		}
		if err := e.svc.CreateCurrency(ctx, e.admin, e.ter, &Currency{Code: "TIME", Name: "x", Kind: KindMutual}); err == nil {
			t.Fatal("TIME taken")
		}
		curs, err := e.svc.Currencies(ctx, e.ter)
		if err != nil || len(curs) != 2 || curs[0].Code != TimeCode || curs[1].Code != "GONES" {
			t.Fatalf("currencies %+v %v", curs, err)
		}
		amt, err := ParseAmount("12,5", 2)
		if err != nil || amt != 1250 {
			t.Fatalf("parse %d %v", amt, err)
		}
		if _, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: "GONES", Amount: amt}); err != nil {
			t.Fatal(err)
		}
		bAcc, _ := e.svc.MyAccount(ctx, e.b, e.ter, "GONES")
		up := int64(1300)
		lower := int64(0)
		if _, err := e.svc.SetLimits(ctx, e.admin, e.ter, bAcc.ID, &lower, &up); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: "GONES", Amount: 51})
		wantKey(t, err, "err.ledger.beyond_upper_limit")
		// A lower limit above the balance is refused.
		aAcc, _ := e.svc.MyAccount(ctx, e.a, e.ter, "GONES")
		_, err = e.svc.SetLimits(ctx, e.admin, e.ter, aAcc.ID, &lower, nil)
		wantKey(t, err, "err.ledger.limit_excludes_balance")
		// A TIME account cannot receive GONES.
		tAcc, _ := e.svc.MyAccount(ctx, e.b, e.ter, TimeCode)
		_, err = e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: itoa(tAcc.ID), Currency: "GONES", Amount: 1})
		wantKey(t, err, "err.ledger.currency_mismatch")
		e.verify(t)
	})
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		dec  int
		want int64
		key  string
	}{
		{"12", 2, 1200, ""}, {"12.5", 2, 1250, ""}, {"0,01", 2, 1, ""}, {"1.234", 2, 0, "err.ledger.too_many_decimals"},
		{"0", 2, 0, "err.ledger.amount_positive"}, {"-3", 2, 0, "err.ledger.amount_positive"}, {"abc", 2, 0, "err.ledger.amount_format"},
		{"5", 0, 5, ""}, {"5.1", 0, 0, "err.ledger.too_many_decimals"}, {"", 2, 0, "err.ledger.amount_required"},
	} {
		got, err := ParseAmount(tc.in, tc.dec)
		if tc.key != "" {
			wantKey(t, err, tc.key)
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q) = %d, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
		key  string
	}{
		{"2", 120, ""}, {"1.5", 90, ""}, {"1,25", 75, ""}, {"1:30", 90, ""}, {"1h30", 90, ""}, {"2 h", 120, ""}, {"45min", 45, ""},
		{"0.33", 0, "err.ledger.too_many_decimals"}, {"1:75", 0, "err.ledger.duration_format"}, {"-1", 0, "err.ledger.amount_positive"},
		{"x", 0, "err.ledger.duration_format"},
	} {
		got, err := ParseMinutes(tc.in)
		if tc.key != "" {
			wantKey(t, err, tc.key)
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMinutes(%q) = %d, %v", tc.in, got, err)
		}
	}
	for _, tc := range []struct {
		n    int64
		code string
		dec  int
		lang string
		want string
	}{
		{120, TimeCode, 0, "fr", "2 h"}, {-90, TimeCode, 0, "fr", "-1 h 30"}, {45, TimeCode, 0, "en", "45 min"},
		{1250, "GONES", 2, "fr", "12,50"}, {-5, "GONES", 2, "en", "-0.05"},
	} {
		if got := FormatAmount(tc.n, tc.code, tc.dec, tc.lang); got != tc.want {
			t.Errorf("FormatAmount(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestImmutableJournal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: "TIME", Amount: 60})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE ledger_postings SET amount = 1 WHERE entry_id = ?`, tr.ID); err == nil {
			t.Fatal("posting updated")
		}
		if _, err := db.Exec(ctx, `DELETE FROM ledger_postings WHERE entry_id = ?`, tr.ID); err == nil {
			t.Fatal("posting deleted")
		}
		if _, err := db.Exec(ctx, `UPDATE ledger_entries SET reason = 'x' WHERE id = ?`, tr.ID); err == nil {
			t.Fatal("entry updated")
		}
		// A correction is a reversing entry, once.
		if _, err := e.svc.Reverse(ctx, e.a, e.ter, tr.ID, "oops"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member reverses: %v", err)
		}
		rev, err := e.svc.Reverse(ctx, e.admin, e.ter, tr.ID, "oops")
		if err != nil || rev.ReversesID != tr.ID {
			t.Fatalf("reverse %+v %v", rev, err)
		}
		if _, err := e.svc.Reverse(ctx, e.admin, e.ter, tr.ID, "again"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second reversal: %v", err)
		}
		if e.balance(t, e.a, TimeCode) != 0 || e.balance(t, e.b, TimeCode) != 0 {
			t.Fatal("reversal did not restore balances")
		}
		e.verify(t)
		// Tampering with a balance is found and named.
		if _, err := db.Exec(ctx, `UPDATE ledger_accounts SET balance = balance + 7 WHERE owner_id = ? AND owner_kind = 'member'`, e.b.UserID); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Verify(ctx)
		if err != nil || res.OK() {
			t.Fatalf("tampering not found: %+v %v", res, err)
		}
		var sawAccount, sawCurrency bool
		for _, d := range res.Discrepancies {
			sawAccount = sawAccount || (d.What == "account" && d.Actual-d.Expected == 7)
			sawCurrency = sawCurrency || (d.What == "currency" && d.Actual == 7)
		}
		if !sawAccount || !sawCurrency {
			t.Fatalf("discrepancies %+v", res.Discrepancies)
		}
	})
}

func TestTimeBankFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// B (receiver) records 2 h of gardening done by A: the hours move.
		r, err := e.svc.RecordService(ctx, e.b, e.ter, RecordInput{Other: e.a.UserID, Minutes: 120, Category: "gardening", Description: "haie"})
		if err != nil || r.Status != RecordPosted || r.EntryID == 0 {
			t.Fatalf("record %+v %v", r, err)
		}
		if e.balance(t, e.a, TimeCode) != 120 || e.balance(t, e.b, TimeCode) != -120 {
			t.Fatal("hours did not move")
		}
		if _, err := e.svc.ActOnRecord(ctx, e.b, e.ter, r.ID, ActionConfirm, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("receiver confirms own record: %v", err)
		}
		if _, err := e.svc.ActOnRecord(ctx, e.c, e.ter, r.ID, ActionConfirm, ""); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("stranger: %v", err)
		}
		r, err = e.svc.ActOnRecord(ctx, e.a, e.ter, r.ID, ActionConfirm, "")
		if err != nil || r.Status != RecordConfirmed {
			t.Fatalf("confirm %+v %v", r, err)
		}
		// A provider's record waits for the receiver.
		p, err := e.svc.RecordService(ctx, e.a, e.ter, RecordInput{ActorProvided: true, Other: e.c.UserID, Minutes: 60, Category: "repairs"})
		if err != nil || p.Status != RecordPending || e.balance(t, e.c, TimeCode) != 0 {
			t.Fatalf("pending %+v %v", p, err)
		}
		p, err = e.svc.ActOnRecord(ctx, e.c, e.ter, p.ID, ActionConfirm, "")
		if err != nil || p.Status != RecordConfirmed || e.balance(t, e.c, TimeCode) != -60 {
			t.Fatalf("confirm pending %+v %v", p, err)
		}
		// C disputes; the admin reverses.
		if _, err := e.svc.ActOnRecord(ctx, e.c, e.ter, p.ID, ActionDispute, ""); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("dispute without reason: %v", err)
		}
		if p, err = e.svc.ActOnRecord(ctx, e.c, e.ter, p.ID, ActionDispute, "only 30 min"); err != nil || p.Status != RecordDisputed {
			t.Fatalf("dispute %+v %v", p, err)
		}
		if _, err := e.svc.ActOnRecord(ctx, e.a, e.ter, p.ID, ActionReverse, "x"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("side resolves: %v", err)
		}
		ds, err := e.svc.Disputes(ctx, e.admin, e.ter)
		if err != nil || len(ds) != 1 {
			t.Fatalf("disputes %v %v", ds, err)
		}
		if p, err = e.svc.ActOnRecord(ctx, e.admin, e.ter, p.ID, ActionReverse, "agreed"); err != nil || p.Status != RecordReversed {
			t.Fatalf("reverse %+v %v", p, err)
		}
		if e.balance(t, e.c, TimeCode) != 0 || e.balance(t, e.a, TimeCode) != 120 {
			t.Fatal("reversal")
		}
		// Too late to dispute after the delay.
		e.clock.add(DisputeDelay + time.Hour)
		if _, err := e.svc.ActOnRecord(ctx, e.b, e.ter, r.ID, ActionDispute, "late"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("late dispute: %v", err)
		}
		// A record beyond the receiver's limit moves nothing.
		_, err = e.svc.RecordService(ctx, e.b, e.ter, RecordInput{Other: e.a.UserID, Minutes: 9 * 60, Category: "care"})
		wantKey(t, err, "err.ledger.beyond_lower_limit")
		mine, err := e.svc.MyRecords(ctx, e.b, e.ter)
		if err != nil || len(mine) != 1 {
			t.Fatalf("records %v %v", mine, err)
		}
		e.verify(t)
	})
}

func TestIssuedCurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := e.svc.CreateCurrency(ctx, e.admin, e.ter, &Currency{Code: "GONETTE", Name: "Gonette", Decimals: 2, Kind: KindIssued, DefaultLower: -100}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Deposit(ctx, e.a, e.ter, DepositInput{Currency: "GONETTE", Account: ref(e.a), EuroCents: 5000}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("member deposits: %v", err)
		}
		if _, err := e.svc.Deposit(ctx, e.admin, e.ter, DepositInput{Currency: "GONETTE", Account: ref(e.a), EuroCents: 5000, Note: "cash"}); err != nil {
			t.Fatal(err)
		}
		// No credit in an issued currency.
		_, err := e.svc.Transfer(ctx, e.b, e.ter, TransferInput{To: ref(e.a), Currency: "GONETTE", Amount: 1})
		wantKey(t, err, "err.ledger.beyond_lower_limit")
		if _, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.c), Currency: "GONETTE", Amount: 3000}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Redeem(ctx, e.admin, e.ter, DepositInput{Currency: "GONETTE", Account: ref(e.c), EuroCents: 3001}); err == nil {
			t.Fatal("redeemed more than held")
		}
		if _, err := e.svc.Redeem(ctx, e.admin, e.ter, DepositInput{Currency: "GONETTE", Account: ref(e.c), EuroCents: 1000}); err != nil {
			t.Fatal(err)
		}
		bs, err := e.svc.BalanceSheet(ctx, e.admin, e.ter, "GONETTE")
		if err != nil {
			t.Fatal(err)
		}
		if bs.Circulation != 4000 || bs.ReserveCents != 4000 || bs.DepositedCents != 5000 || bs.RedeemedCents != 1000 || len(bs.Deposits) != 2 {
			t.Fatalf("balance sheet %+v", bs)
		}
		e.verify(t)
	})
}

func TestPartnerTerritories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := TransferInput{To: ref(e.p), ToTerritory: "paris", Currency: "TIME", Amount: 60}
		_, err := e.svc.Transfer(ctx, e.a, e.ter, in)
		wantKey(t, err, "err.ledger.not_partners")
		if err := e.svc.SetPartners(ctx, e.admin, e.ter, e.other, true); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("territory admin sets partners: %v", err)
		}
		if err := e.svc.SetPartners(ctx, e.platform, e.ter, e.other, true); err != nil {
			t.Fatal(err)
		}
		tr, err := e.svc.Transfer(ctx, e.a, e.ter, in)
		if err != nil {
			t.Fatal(err)
		}
		pAcc, err := e.svc.MyAccount(ctx, e.p, e.other, TimeCode)
		if err != nil || pAcc.Balance != 60 || pAcc.ID != tr.To {
			t.Fatalf("paris member %+v %v", pAcc, err)
		}
		_, lines, err := e.svc.Statement(ctx, e.p, e.other, pAcc.ID, StatementFilter{})
		if err != nil || len(lines) != 1 || lines[0].Counterparty.OwnerKind != OwnerClearing {
			t.Fatalf("paris statement %+v %v", lines, err)
		}
		// Each territory balances on its own: verify checks every currency.
		e.verify(t)
		_, err = e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.p), ToTerritory: "paris", Currency: "GONES", Amount: 1})
		if err == nil {
			t.Fatal("non-TIME partner transfer")
		}
	})
}

func TestPreview(t *testing.T) {
	a := &Account{Currency: TimeCode, Balance: -400}
	lower := int64(-600)
	a.Lower = &lower
	if c := preview(a, 60); c.Near || c.Refused {
		t.Fatalf("60: %+v", c)
	}
	if c := preview(a, 100); !c.Near || c.Refused {
		t.Fatalf("100: %+v", c)
	}
	if c := preview(a, 201); c.Near || !c.Refused {
		t.Fatalf("201: %+v", c)
	}
}
