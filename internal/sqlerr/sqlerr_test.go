package sqlerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestSentinelAndInstance(t *testing.T) {
	errUnknownRole := New("auth", "23503", "unknown database role")
	inst := errUnknownRole.With("unknown database role: alice")
	wrapped := fmt.Errorf("sign up: %w", inst)

	if !errors.Is(wrapped, errUnknownRole) {
		t.Fatal("instance does not match its sentinel")
	}
	if errors.Is(wrapped, New("auth", "23503", "unknown database role")) {
		t.Fatal("instance matches a different sentinel with equal fields")
	}
	if got, want := inst.Error(), "auth: unknown database role: alice"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	var st interface{ SQLState() string }
	if !errors.As(wrapped, &st) || st.SQLState() != "23503" {
		t.Fatalf("SQLState not reachable through errors.As")
	}
	// An instance of an instance still unwraps to the sentinel itself.
	if inst.With("x").Unwrap() != errUnknownRole {
		t.Fatal("nested With lost the sentinel")
	}
	d := errUnknownRole.WithDetail("why")
	if d.Message != errUnknownRole.Message || d.Detail != "why" || !errors.Is(d, errUnknownRole) {
		t.Fatalf("WithDetail = %+v", d)
	}
	if New("", "XX000", "m").Error() != "m" {
		t.Fatal("empty Op must not add a prefix")
	}
}
