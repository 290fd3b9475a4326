package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseInterspersed(t *testing.T) {
	for _, c := range []struct {
		args       []string
		positional []string
		pg         int
		rounds     string
		err        string
	}{
		{args: []string{"bf", "10"}, positional: []string{"bf", "10"}, pg: 18},
		{args: []string{"bf", "--pg", "15", "10"}, positional: []string{"bf", "10"}, pg: 15},
		{args: []string{"--pg=13", "bf"}, positional: []string{"bf"}, pg: 13},
		{args: []string{"-pg", "16", "bf", "-1"}, positional: []string{"bf", "-1"}, pg: 16},
		{args: []string{"bf", "--", "--pg", "-x"}, positional: []string{"bf", "--pg", "-x"}, pg: 18},
		{args: []string{"-", "--rounds", "-5"}, positional: []string{"-"}, pg: 18, rounds: "-5"},
		{args: []string{"bf", "--pg"}, err: "flag needs an argument: -pg"},
		{args: []string{"--nope", "bf"}, err: "flag provided but not defined: -nope"},
		{args: []string{"--pg", "12"}, err: "PostgreSQL 12 is not supported"},
	} {
		var major int
		cmd := &command{name: "test"}
		fs := newFlagSet(cmd, &globals{pg: 18}, &major)
		rounds := fs.String("rounds", "", "")
		var out strings.Builder
		got, err := parse(&env{stdout: &out}, cmd, fs, c.args)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parse(%q): error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.positional) || major != c.pg || *rounds != c.rounds {
			t.Errorf("parse(%q) = %q, --pg %d, --rounds %q, %v; want %q, %d, %q", c.args, got, major, *rounds, err, c.positional, c.pg, c.rounds)
		}
	}
}

func TestParseInstant(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64 // unix microseconds
		err  string
	}{
		{in: "1700000000", want: 1_700_000_000_000_000},
		{in: "1700000000.5", want: 1_700_000_000_500_000},
		{in: "1700000000.000001", want: 1_700_000_000_000_001},
		{in: "-1.25", want: -1_250_000},
		{in: "0", want: 0},
		{in: "2023-11-14T22:13:20Z", want: 1_700_000_000_000_000},
		{in: "2023-11-15T00:13:20.123456+02:00", want: 1_700_000_000_123_456},
		{in: "1700000000.0000001", err: "finer than PostgreSQL's microseconds"},
		{in: "2023-11-14T22:13:20.0000001Z", err: "finer than PostgreSQL's microseconds"},
		{in: "1e9", err: "neither RFC 3339 nor unix seconds"},
		{in: "0x10", err: "neither RFC 3339 nor unix seconds"},
		{in: "1/2", err: "neither RFC 3339 nor unix seconds"},
		{in: "+5", err: "neither RFC 3339 nor unix seconds"},
		{in: "", err: "neither RFC 3339 nor unix seconds"},
		{in: "2023-11-14 22:13:20", err: "neither RFC 3339 nor unix seconds"},
		{in: "99999999999999999999", err: "out of range"},
	} {
		got, err := parseInstant(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseInstant(%q) = %v, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got.UnixMicro() != c.want || got.Nanosecond()%1000 != 0 {
			t.Errorf("parseInstant(%q) = %v (%d µs), %v; want %d µs", c.in, got, got.UnixMicro(), err, c.want)
		}
	}
	// Without --now/--at the clock is read once and cut to microseconds.
	var f instantFlag
	at := time.Date(2026, 11, 25, 20, 0, 0, 123_456_789, time.UTC)
	if got := f.or(func() time.Time { return at }); got.Nanosecond() != 123_456_000 {
		t.Errorf("now() = %v, want it cut to microseconds", got)
	}
}

func TestDurationFlag(t *testing.T) {
	for in, want := range map[string]int64{"1h": 3600, "90m": 5400, "3600": 3600, "3600s": 3600, "-60": -60, "0": 0, "1h30m": 5400, "-1m": -60} {
		var d durationFlag
		if err := d.Set(in); err != nil || d.seconds != want {
			t.Errorf("--exp %s: %d s, %v; want %d s", in, d.seconds, err, want)
		}
	}
	for _, in := range []string{"1.5s", "soon", "", "1h1ms", "1e3"} {
		var d durationFlag
		if err := d.Set(in); err == nil {
			t.Errorf("--exp %q: accepted as %d s", in, d.seconds)
		}
	}
}
