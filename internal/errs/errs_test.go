package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestKinds(t *testing.T) {
	base := E(Conflict, "err.slug_taken", "Slug", "lyon")
	wrapped := fmt.Errorf("territory lyon: create: %w", base)
	if KindOf(wrapped) != Conflict || !Is(wrapped, Conflict) || Is(wrapped, Invalid) {
		t.Fatalf("kind lost through wrapping: %v", KindOf(wrapped))
	}
	if e, ok := As(wrapped); !ok || e.Args["Slug"] != "lyon" {
		t.Fatalf("args lost: %+v", e)
	}
	if KindOf(errors.New("disk full")) != Internal || Is(nil, Internal) {
		t.Fatal("plain errors are internal; nil is nothing")
	}
	cause := errors.New("driver said no")
	if w := Wrap(Invalid, "err.reference", cause); !errors.Is(w, cause) {
		t.Fatal("Wrap hides its cause from errors.Is")
	}
}

func TestValidator(t *testing.T) {
	var v Validator
	if v.Err() != nil {
		t.Fatal("an empty validator reports an error")
	}
	v.Check(true, "name", "err.required")
	v.Check(false, "email", "err.email_format")
	v.Add("phone", "err.too_long", "Max", 40)
	err := v.Err()
	e, ok := As(err)
	if !ok || e.Kind != Invalid || len(e.Fields) != 2 {
		t.Fatalf("validator error: %+v", err)
	}
	if e.Fields[1].Field != "phone" || e.Fields[1].Args["Max"] != 40 {
		t.Fatalf("field args: %+v", e.Fields[1])
	}
	if got := err.Error(); got != "invalid: err.invalid_input (2 fields, email=err.email_format, phone=err.too_long)" {
		t.Fatalf("message: %q", got)
	}
}
