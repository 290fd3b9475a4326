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
	// The same condition from another package: same SQLSTATE and sentinel
	// message.
	if !errors.Is(wrapped, New("pgjson", "23503", "unknown database role")) {
		t.Fatal("instance does not match the same condition's sentinel of another package")
	}
	if errors.Is(wrapped, New("auth", "23503", "another condition")) {
		t.Fatal("instance matches a sentinel of another condition with the same SQLSTATE")
	}
	if errors.Is(wrapped, errUnknownRole.With("unknown database role: alice")) {
		t.Fatal("an instance is no target: only sentinels are")
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
