// Command gen writes the benchmark city (bench/citygen) as a CSV file that
// `sharingcity import` reads: columns id, name, summary, categories, kind,
// lat, lon. The output is the same for the same -n on every machine.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/bench/citygen"
)

func main() {
	n := flag.Int("n", 100_000, "number of initiatives")
	out := flag.String("o", "-", "output file (- for standard output)")
	flag.Parse()
	if err := write(*n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(n int, path string) error {
	f := os.Stdout
	if path != "-" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	if err := w.Write([]string{"id", "name", "summary", "categories", "kind", "lat", "lon"}); err != nil {
		return err
	}
	err := citygen.Rows(n, func(r citygen.Row) error {
		return w.Write([]string{r.ID, r.Name, r.Summary, strings.Join(r.Categories, "|"), r.Kind,
			strconv.FormatFloat(r.Lat, 'f', 6, 64), strconv.FormatFloat(r.Lon, 'f', 6, 64)})
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if path != "-" {
		return f.Close()
	}
	return nil
}
