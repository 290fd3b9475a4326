package main

import (
	"errors"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// TestEpochSecondsPerMajor pins the one place where login()'s exp differs
// between majors: `extract(epoch from now())::integer` at exactly half a
// second rounds half to even on PostgreSQL 13 (float8) and half away from
// zero on 14+ (numeric). Only 15 and 18 run live, so 13 is pinned here.
func TestEpochSecondsPerMajor(t *testing.T) {
	for _, c := range []struct {
		unixMicro  int64
		pg13, pg14 int64
		rangeErr14 bool
	}{
		{500_000, 0, 1, false},
		{1_500_000, 2, 2, false},
		{2_500_000, 2, 3, false},
		{499_999, 0, 0, false},
		{500_001, 1, 1, false},
		{-500_000, 0, -1, false},
		{-1_500_000, -2, -2, false},
		{-2_500_000, -2, -3, false},
		{1_700_000_000_500_000, 1_700_000_000, 1_700_000_001, false},
		{-2_147_483_648_500_000, -2_147_483_648, 0, true},
	} {
		at := time.UnixMicro(c.unixMicro)
		got13, err13 := pgjson.ForVersion(13).EpochSeconds(at)
		if err13 != nil || got13 != c.pg13 {
			t.Errorf("PostgreSQL 13, %d µs: got %d, %v; want %d", c.unixMicro, got13, err13, c.pg13)
		}
		got14, err14 := pgjson.ForVersion(14).EpochSeconds(at)
		if c.rangeErr14 {
			if !errors.Is(err14, pgjson.ErrIntegerRange) {
				t.Errorf("PostgreSQL 14, %d µs: got %d, %v; want integer out of range", c.unixMicro, got14, err14)
			}
		} else if err14 != nil || got14 != c.pg14 {
			t.Errorf("PostgreSQL 14, %d µs: got %d, %v; want %d", c.unixMicro, got14, err14, c.pg14)
		}
	}
	if _, err := pgjson.ForVersion(13).EpochSeconds(time.Unix(1<<31, 0)); !errors.Is(err, pgjson.ErrIntegerRange) {
		t.Errorf("PostgreSQL 13 in 2038: %v, want integer out of range", err)
	}
}
