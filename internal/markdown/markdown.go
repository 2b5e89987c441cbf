// Package markdown turns contributors' Markdown into HTML that is safe to
// show: CommonMark through goldmark, then every tag and attribute not on an
// allow-list removed by bluemonday.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a renderer for user-generated content.
func New() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return &Renderer{
		// Raw HTML in Markdown is dropped by goldmark by default
		// (html.WithUnsafe is not set); bluemonday is the second fence.
		md:     goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough, extension.Table)),
		policy: p,
	}
}

// HTML renders src. A Markdown error yields the escaped source instead.
func (r *Renderer) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	// bluemonday's output is sanitised HTML: it is what may be trusted here.
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes())) //nolint:gosec
}
