package markdown

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	r := New()
	cases := []struct {
		name, in      string
		want, wantNot []string
	}{
		{"emphasis and lists", "**Atelier** du *samedi*\n\n- vélos\n- outils", []string{"<strong>Atelier</strong>", "<em>samedi</em>", "<li>vélos</li>"}, nil},
		{"script dropped", "<script>alert(1)</script>\n\nbonjour <b onclick=\"x()\">gras</b>", []string{"bonjour"}, []string{"<script", "alert(1)", "onclick"}},
		{"event handler dropped", `<img src="x" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript link dropped", "[clic](javascript:alert(1))", nil, []string{"javascript:"}},
		{"links get nofollow", "[site](https://example.org)", []string{`href="https://example.org"`, "nofollow"}, nil},
		{"autolink", "voir https://example.org/atelier", []string{`href="https://example.org/atelier"`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(r.HTML(tc.in))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q: want %q in %q", tc.in, w, got)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("%q: %q must not appear in %q", tc.in, w, got)
				}
			}
		})
	}
}
