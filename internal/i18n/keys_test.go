package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Message keys as they appear in code ("err.slug_taken") and templates
// ({{.L.T "nav.map"}}).
var (
	codeKeyRE     = regexp.MustCompile(`"((?:err|field)\.[a-z0-9_]+)"`)
	templateKeyRE = regexp.MustCompile(`\.T "([a-z0-9_]+\.[a-z0-9_.]+)"`)
)

// TestEveryUsedKeyIsTranslated scans the source for message keys and fails
// on any that a language lacks, so no user ever sees a raw key.
func TestEveryUsedKeyIsTranslated(t *testing.T) {
	root := filepath.Join("..", "..")
	used := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		isGo := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		isTmpl := strings.HasSuffix(path, ".html")
		if !isGo && !isTmpl {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		re := codeKeyRE
		if isTmpl {
			re = templateKeyRE
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := MustLoad()
	var missing []string
	for key, where := range used {
		// Field labels fall back to the field name, by design.
		if strings.HasPrefix(key, "field.") {
			continue
		}
		for _, lang := range Languages {
			if !b.Localizer(lang).Has(key) {
				missing = append(missing, lang+" "+key+" (used in "+where+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error("untranslated: " + m)
	}
}
