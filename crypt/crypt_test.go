package crypt

import (
	"errors"
	"fmt"
	"testing"
)

func TestForVersionClamps(t *testing.T) {
	for in, want := range map[int]int{0: 13, 9: 13, 13: 13, 15: 15, 17: 17, 18: 18, 19: 18, 99: 18} {
		if got := ForVersion(in).Major(); got != want {
			t.Errorf("ForVersion(%d).Major() = %d, want %d", in, got, want)
		}
	}
}

func TestVerify(t *testing.T) {
	for _, setting := range []string{"$2a$04$abcdefghijklmnopqrstuu", "$2x$04$abcdefghijklmnopqrstuu", "$1$saltsalt", "$6$rounds=1000$abc", "$5$abc", "ab", "_J9..salt"} {
		for _, v := range []Version{ForVersion(15), ForVersion(18)} {
			hash, err := v.Crypt("secret", setting)
			if err != nil {
				t.Fatalf("pg%d crypt(secret, %q): %v", v.Major(), setting, err)
			}
			if ok, err := v.Verify("secret", hash); !ok || err != nil {
				t.Errorf("pg%d Verify(secret, %q) = %v, %v", v.Major(), hash, ok, err)
			}
			if ok, err := v.Verify("Secret", hash); ok || err != nil {
				t.Errorf("pg%d Verify(Secret, %q) = %v, %v", v.Major(), hash, ok, err)
			}
			if ok, err := v.Verify("secret\x00", hash); ok || err != nil {
				t.Errorf("pg%d Verify with NUL in password = %v, %v; want false, nil", v.Major(), ok, err)
			}
		}
	}
	// Unusable hashes are errors; "$2b$"/"$2y$" are DES settings to
	// PostgreSQL, so they are merely false.
	for hash, want := range map[string]error{
		"":                              ErrInvalidSalt,
		"$2$":                           ErrReturnedNull,
		"$2a$03$abcdefghijklmnopqrstuu": ErrInvalidSalt,
		"_........":                     ErrReturnedNull,
		"x\x00y":                        ErrInvalidEncoding,
	} {
		if ok, err := Verify("secret", hash); ok || !errors.Is(err, want) {
			t.Errorf("Verify(secret, %q) = %v, %v; want false, %v", hash, ok, err, want)
		}
	}
	const openbsd = "$2b$04$abcdefghijklmnopqrstuuQ8SpXMKhJuGDDKXi4ET8gD9QYzrk72O" // not a real match anyway
	if ok, err := Verify("secret", openbsd); ok || err != nil {
		t.Errorf("Verify with $2b$ hash = %v, %v; want false, nil", ok, err)
	}
}

func TestCryptRejectsNUL(t *testing.T) {
	for _, args := range [][2]string{{"a\x00", "ab"}, {"a", "$1$\x00"}, {"\x00", "$2a$04$abcdefghijklmnopqrstuu"}} {
		if _, err := Crypt(args[0], args[1]); !errors.Is(err, ErrInvalidEncoding) {
			t.Errorf("Crypt(%q, %q): %v, want ErrInvalidEncoding", args[0], args[1], err)
		}
	}
}

func TestErrorsCarrySQLState(t *testing.T) {
	_, err := Crypt("x", "$2$")
	var e *Error
	if !errors.As(err, &e) || e.SQLState() != "39000" || err.Error() != "crypt: crypt(3) returned NULL" {
		t.Errorf("err = %v", err)
	}
}

func TestZeroVersionIsLatest(t *testing.T) {
	var v Version
	if v.Major() != MaxMajor {
		t.Errorf("zero Version major %d", v.Major())
	}
	if salt, err := v.GenSalt("sha256crypt"); err != nil || len(salt) != 31 {
		t.Errorf("zero Version GenSalt = %q, %v", salt, err)
	}
}

// TestConcurrentUse: one Version shared by goroutines (as a login handler's
// hashing pool would) gives the same results as sequential calls; under
// -race this also checks that no algorithm keeps mutable shared state.
func TestConcurrentUse(t *testing.T) {
	v := ForVersion(18)
	settings := []string{"$2a$04$abcdefghijklmnopqrstuu", "$2x$04$abcdefghijklmnopqrstuu", "$1$saltsalt", "ab", "_J9..salt", "$5$rounds=1000$abc", "$6$rounds=1000$abc"}
	want := make([]string, len(settings))
	for i, s := range settings {
		want[i], _ = v.Crypt("pässword", s)
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			for k := range 2 * len(settings) {
				i := (g + k) % len(settings)
				if got, err := v.Crypt("pässword", settings[i]); got != want[i] || err != nil {
					done <- fmt.Errorf("goroutine %d: crypt(%q) = %q, %v; want %q", g, settings[i], got, err, want[i])
					return
				}
				if _, err := v.GenSalt("bf"); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
