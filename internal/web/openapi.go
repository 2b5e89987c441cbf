package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The API description is written by hand (openapi.yaml) and checked against
// the router by TestOpenAPIMatchesRoutes, so neither drifts.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPI loads and validates the embedded document.
func OpenAPI() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: validate: %w", err)
	}
	return doc, nil
}

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
})

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	body, err := openAPIJSON()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(body)
}

type apiDocOp struct {
	Method, Path, Summary, Description string
	Auth                               bool
}

type apiDocGroup struct {
	Tag string
	Ops []apiDocOp
}

// apiDocs renders the API description as a page, grouped by tag.
func (s *Server) apiDocs(w http.ResponseWriter, r *http.Request) {
	doc, err := OpenAPI()
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	groups := map[string][]apiDocOp{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			groups[tag] = append(groups[tag], apiDocOp{
				Method: method, Path: path, Summary: op.Summary, Description: op.Description,
				Auth: op.Security != nil && len(*op.Security) > 0,
			})
		}
	}
	var out []apiDocGroup
	for _, t := range doc.Tags {
		ops := groups[t.Name]
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return methodOrder(ops[i].Method) < methodOrder(ops[j].Method)
		})
		out = append(out, apiDocGroup{Tag: t.Name, Ops: ops})
	}
	p := s.newPage(r, s.localizer(r).T("api.title"))
	// OpenAPI's descriptions are CommonMark: the intro's code spans are
	// shown as code, not as backquotes.
	p.Data = struct {
		Intro  template.HTML
		Groups []apiDocGroup
	}{s.md().HTML(doc.Info.Description), out}
	s.render(w, r, http.StatusOK, "api_docs", p)
}

func methodOrder(m string) int {
	return strings.Index("GET POST PATCH PUT DELETE", m)
}
