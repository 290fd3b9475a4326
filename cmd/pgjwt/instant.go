package main

import (
	"fmt"
	"math/big"
	"regexp"
	"time"
)

// instantFlag is a point in time given as RFC 3339 ("2026-11-25T20:00:00Z",
// fractions allowed) or as unix seconds ("1700000000", "1700000000.25").
// PostgreSQL's clock has microsecond resolution, so finer input is an error
// rather than being rounded behind the user's back.
type instantFlag struct {
	t   time.Time
	set bool
}

func (f *instantFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return f.t.Format(time.RFC3339Nano)
}

func (f *instantFlag) Set(s string) error {
	t, err := parseInstant(s)
	if err != nil {
		return err
	}
	f.t, f.set = t, true
	return nil
}

// or returns the flag's instant, or now() when the flag was not given.
func (f *instantFlag) or(now func() time.Time) time.Time {
	if f.set {
		return f.t
	}
	// PostgreSQL's now() has microsecond resolution.
	return now().Truncate(time.Microsecond)
}

var unixSeconds = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		if t.Nanosecond()%1000 != 0 {
			return time.Time{}, fmt.Errorf("%q is finer than PostgreSQL's microseconds", s)
		}
		return t, nil
	}
	// Unix seconds with an optional fraction: parsed exactly, as a decimal.
	r, ok := new(big.Rat).SetString(s)
	if !unixSeconds.MatchString(s) || !ok {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor unix seconds", s)
	}
	micros := new(big.Rat).Mul(r, big.NewRat(1e6, 1))
	if !micros.IsInt() {
		return time.Time{}, fmt.Errorf("%q is finer than PostgreSQL's microseconds", s)
	}
	n := micros.Num()
	if !n.IsInt64() {
		return time.Time{}, fmt.Errorf("%q is out of range", s)
	}
	us := n.Int64()
	const maxSeconds = 1 << 40 // far beyond PostgreSQL's timestamp range either way
	if us/1e6 > maxSeconds || us/1e6 < -maxSeconds {
		return time.Time{}, fmt.Errorf("%q is out of range", s)
	}
	return time.UnixMicro(us).UTC(), nil
}
