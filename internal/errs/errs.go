// Package errs holds the few kinds of failure that every module returns, so
// that the web layer can map them to an HTTP status in one place and show the
// user a message in their language.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers: the web layer maps each kind to one
// HTTP status, the CLI to an exit message.
type Kind int

const (
	Internal Kind = iota
	Invalid
	NotFound
	Forbidden
	Conflict
	Unauthenticated
	TooManyRequests
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Forbidden:
		return "forbidden"
	case Conflict:
		return "conflict"
	case Unauthenticated:
		return "unauthenticated"
	case TooManyRequests:
		return "too_many_requests"
	}
	return "internal"
}

// FieldError names one bad field of an input, with the message key that
// explains it (for example "name" / "err.required").
type FieldError struct {
	Field string         `json:"field"`
	Key   string         `json:"-"`
	Args  map[string]any `json:"-"`
	Row   int            `json:"row,omitempty"` // for imports: 1-based data row
}

// Error is a failure with a kind and a message key for the user. Key is an
// i18n message id; Args fill its template. Err, when set, is the cause and is
// only logged, never shown.
type Error struct {
	Kind   Kind
	Key    string
	Args   map[string]any
	Fields []FieldError
	Err    error
}

func (e *Error) Error() string {
	msg := e.Kind.String() + ": " + e.Key
	if len(e.Fields) > 0 {
		msg += fmt.Sprintf(" (%d fields", len(e.Fields))
		for i, f := range e.Fields {
			if i == 3 {
				msg += ", ..."
				break
			}
			msg += ", " + f.Field + "=" + f.Key
		}
		msg += ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of a kind with a message key and optional template
// arguments given as alternating name, value pairs.
func E(kind Kind, key string, args ...any) *Error {
	e := &Error{Kind: kind, Key: key}
	if len(args) > 0 {
		e.Args = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			e.Args[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return e
}

// Wrap keeps cause for the logs while giving the user key.
func Wrap(kind Kind, key string, cause error) *Error {
	return &Error{Kind: kind, Key: key, Err: cause}
}

// Fields returns an Invalid error listing each bad field, or nil when fields is empty.
func Fields(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "err.invalid_input", Fields: fields}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err; an error that is not an *Error is Internal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// Common errors shared by modules.
var (
	ErrNotFound        = E(NotFound, "err.not_found")
	ErrForbidden       = E(Forbidden, "err.forbidden")
	ErrUnauthenticated = E(Unauthenticated, "err.login_required")
)

// Validator collects field errors while a Validate method checks its input.
type Validator struct{ fields []FieldError }

// Check records key for field when ok is false.
func (v *Validator) Check(ok bool, field, key string, args ...any) {
	if ok {
		return
	}
	fe := FieldError{Field: field, Key: key}
	if len(args) > 0 {
		fe.Args = E(Invalid, key, args...).Args
	}
	v.fields = append(v.fields, fe)
}

// Add records an error for field whatever its condition.
func (v *Validator) Add(field, key string, args ...any) { v.Check(false, field, key, args...) }

// Err is nil when every check passed.
func (v *Validator) Err() error { return Fields(v.fields) }

// FieldErrors returns what was recorded.
func (v *Validator) FieldErrors() []FieldError { return v.fields }
