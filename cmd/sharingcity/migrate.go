package main

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/store"
)

func runMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--db FILE_OR_URL] [status]")
	dsn := dbFlag(env, fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	switch fs.Arg(0) {
	case "":
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d migration(s) applied (%s)\n", len(applied), db.Dialect())
		return nil
	case "status":
		lines, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(env.stdout, l)
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown migrate action %q (want nothing or status)", fs.Arg(0))}
}
