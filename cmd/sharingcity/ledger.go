package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/ledger"
)

// runLedger checks the ledger ("verify": exit 0 only when every balance
// matches the journal) or sets partner territories.
func runLedger(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "ledger", "ledger [--db FILE_OR_URL] [--json] verify | partners add|remove SLUG SLUG")
	dsn := dbFlag(env, fs)
	asJSON := fs.Bool("json", false, "verify: print the result as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"want an action: verify or partners"}
	}
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, log, appOptions{dsn: *dsn})
	if err != nil {
		return err
	}
	defer a.Close()
	switch pos[0] {
	case "verify":
		res, err := a.ledger.Verify(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(res); err != nil {
				return err
			}
		} else {
			for _, d := range res.Discrepancies {
				fmt.Fprintln(env.stdout, describe(d))
			}
			fmt.Fprintf(env.stdout, "%d accounts, %d entries, %d postings, %d currencies checked in %s\n",
				res.Counts.Accounts, res.Counts.Entries, res.Counts.Postings, res.Counts.Currencies, res.Elapsed.Round(1e6))
		}
		if !res.OK() {
			return fmt.Errorf("the ledger does not match its journal: %d discrepancies (listed above)", len(res.Discrepancies))
		}
		if !*asJSON {
			fmt.Fprintln(env.stdout, "ok: every balance matches the journal and every currency sums to what it should")
		}
		return nil
	case "partners":
		if len(pos) != 4 || (pos[1] != "add" && pos[1] != "remove") {
			return usageError{"want: ledger partners add|remove SLUG SLUG"}
		}
		x, err := a.territories.Get(ctx, pos[2])
		if err != nil {
			return err
		}
		y, err := a.territories.Get(ctx, pos[3])
		if err != nil {
			return err
		}
		if err := a.ledger.SetPartners(ctx, access.SystemActor(), x, y, pos[1] == "add"); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s and %s: partners %s\n", x.Slug, y.Slug, map[bool]string{true: "now", false: "no more"}[pos[1] == "add"])
		return nil
	}
	return usageError{fmt.Sprintf("unknown ledger action %q (want verify or partners)", pos[0])}
}

// describe names one discrepancy for the terminal.
func describe(d ledger.Discrepancy) string {
	diff := d.Actual - d.Expected
	switch d.What {
	case "account":
		return fmt.Sprintf("account %d (%s): balance %d, journal says %d (difference %+d)", d.ID, d.Currency, d.Actual, d.Expected, diff)
	case "entry":
		return fmt.Sprintf("entry %d (%s): postings sum to %d, not 0 (or fewer than two postings)", d.ID, d.Currency, d.Actual)
	case "currency":
		return fmt.Sprintf("currency %s (id %d): balances sum to %d, not 0", d.Currency, d.ID, d.Actual)
	case "issued":
		return fmt.Sprintf("currency %s (id %d): issuing account at %d, deposits say %d (difference %+d)", d.Currency, d.ID, d.Actual, d.Expected, diff)
	case "clearing":
		return fmt.Sprintf("territory %d: clearing account at %d, its partner's mirror says %d (difference %+d)", d.ID, d.Actual, d.Expected, diff)
	}
	return fmt.Sprintf("%s %d: %d, want %d", d.What, d.ID, d.Actual, d.Expected)
}
