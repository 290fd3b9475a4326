package pgjson_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// Column names: what a subquery alias does to a key.
func TestRowKeysMatchServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := context.Background()
		cfg, err := pgx.ParseConfig(c.UTF8.ConnString)
		if err != nil {
			t.Fatal(err)
		}
		var notices []*pgconn.Notice
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n) }
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)

		// Duplicates are kept, in order.
		o := pgjson.Object{{Key: "a", Value: 1}, {Key: "a", Value: 2}}
		var text string
		if err := conn.QueryRow(ctx, `select row_to_json(r)::text from (select 1 as a, 2 as a) r`).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if got, _ := pgjson.RowToJSON(o); string(got) != text {
			t.Errorf("duplicates: server %s, go %s", text, got)
		}

		// An empty alias is a syntax error.
		_, err = conn.Exec(ctx, `select row_to_json(r)::text from (select 1 as "") r`)
		code, msg, _ := pgtest.ErrorOf(err)
		_, gerr := pgjson.RowToJSON(pgjson.Object{{Key: "", Value: 1}})
		if gcode, gmsg, _ := pgtest.ErrorOf(gerr); gcode != code || gmsg != msg || !errors.Is(gerr, pgjson.ErrEmptyColumnName) {
			t.Errorf("empty key: server %s %s, go %v", code, msg, gerr)
		}

		// 63 bytes pass; longer aliases are truncated (at a character
		// boundary) with a NOTICE, which RowToJSON turns into an error.
		for _, key := range []string{strings.Repeat("k", 63), strings.Repeat("k", 64), strings.Repeat("k", 62) + "é", strings.Repeat("é", 40), strings.Repeat("k", 61) + "😀"} {
			notices = nil
			if err := conn.QueryRow(ctx, `select row_to_json(r)::text from (select 1 as `+quoteIdent(key)+`) r`).Scan(&text); err != nil {
				t.Fatal(err)
			}
			got, gerr := pgjson.RowToJSON(pgjson.Object{{Key: key, Value: 1}})
			if len(key) <= 63 {
				if gerr != nil || string(got) != text || len(notices) != 0 {
					t.Errorf("%d-byte key: server %s (%d notices), go %s %v", len(key), text, len(notices), got, gerr)
				}
				continue
			}
			if len(notices) != 1 || !errors.Is(gerr, pgjson.ErrColumnNameTooLong) {
				t.Fatalf("%d-byte key: %d notices, go error %v", len(key), len(notices), gerr)
			}
			gcode, gmsg, _ := pgtest.ErrorOf(gerr)
			if gcode != notices[0].Code || gmsg != notices[0].Message {
				t.Errorf("%d-byte key: server notice %s %s, go %s %s", len(key), notices[0].Code, notices[0].Message, gcode, gmsg)
			}
			if strings.Contains(text, `"`+key+`"`) {
				t.Errorf("%d-byte key was not truncated by the server: %s", len(key), text)
			}
		}
	})
}

// The timestamptz rendering assumes a session TimeZone of UTC: to_json
// prints the session's offset, and "at time zone 'UTC'" yields a timestamp
// without one. DateStyle plays no part.
func TestTimestamptzNeedsUTCSession(t *testing.T) {
	at := time.Date(2026, 7, 4, 12, 30, 0, 250000000, time.UTC)
	want, _ := pgjson.ToJSON(at)
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := context.Background()
		tx, err := c.UTF8.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		var zone, utc, ny, atZone string
		err = tx.QueryRow(ctx, `select current_setting('TimeZone'), to_json($1::timestamptz)::text`, at).Scan(&zone, &utc)
		if err != nil {
			t.Fatal(err)
		}
		var sqlStyle string // DateStyle does not reach json
		if _, err := tx.Exec(ctx, `set local datestyle = 'SQL, DMY'`); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(ctx, `select to_json($1::timestamptz)::text`, at).Scan(&sqlStyle); err != nil {
			t.Fatal(err)
		}
		if sqlStyle != string(want) {
			t.Errorf("DateStyle SQL, DMY: server %s, go %s", sqlStyle, want)
		}
		if _, err := tx.Exec(ctx, `set local timezone = 'America/New_York'`); err != nil {
			t.Fatal(err)
		}
		err = tx.QueryRow(ctx, `select to_json($1::timestamptz)::text, to_json($1::timestamptz at time zone 'UTC')::text`, at).Scan(&ny, &atZone)
		if err != nil {
			t.Fatal(err)
		}
		if zone != "UTC" || utc != string(want) {
			t.Errorf("UTC session (%s): server %s, go %s", zone, utc, want)
		}
		if ny != `"2026-07-04T08:30:00.25-04:00"` || atZone != `"2026-07-04T12:30:00.25"` {
			t.Errorf("New York session: %s, at time zone: %s", ny, atZone)
		}
	})
}

// EpochSeconds against extract(epoch from t)::integer, including instants
// exactly half a second (and half a microsecond) past a second, before and
// after 1970, and the int4 limits.
func TestEpochSecondsMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ver := pgjson.ForVersion(c.Major)
		r := rand.New(rand.NewPCG(uint64(c.Major), 13))
		var times []time.Time
		for len(times) < scalarCount() {
			sec := r.Int64N(1<<32) - 1<<31
			var ns int
			switch r.IntN(4) {
			case 0:
				ns = 500000000
			case 1:
				ns = 500000000 + []int{-1500, -500, -499, 499, 500, 501, 1000}[r.IntN(7)]
			case 2:
				ns = r.IntN(1e6) * 1000
			default:
				ns = r.IntN(1e9)
			}
			tm := time.Unix(sec, int64(ns))
			if s, err := pgjson.EpochSeconds(tm); err == nil && s > -1<<31+2 && s < 1<<31-2 {
				times = append(times, tm)
			}
		}
		texts := make([]string, len(times))
		for i, tm := range times {
			texts[i] = timestamptzText(tm)
		}
		got := serverColumns(t, c.UTF8, `select extract(epoch from x::timestamptz)::integer::text from unnest($1::text[]) with ordinality u(x, i) order by i`, texts, 1)
		fails := 0
		for i, tm := range times {
			s, _ := ver.EpochSeconds(tm)
			if want := got[i][0]; want != strconv.FormatInt(s, 10) {
				if fails++; fails <= 10 {
					t.Errorf("%s: server %s, go %d", texts[i], want, s)
				}
			}
		}
		t.Logf("%d instants, %d mismatches", len(times), fails)

		edges := []time.Time{
			time.Unix(1<<31-1, 499999000), time.Unix(1<<31-1, 499999500), time.Unix(1<<31-1, 500000000), time.Unix(1<<31-1, 499999499),
			time.Unix(-1<<31, -500000000), time.Unix(-1<<31, -499999000), time.Unix(-1<<31, -499999501), time.Unix(1<<40, 0),
			time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC),
			time.Date(1938, 6, 11, 17, 15, 27, 499999501, time.UTC), time.Date(1901, 12, 13, 20, 45, 51, 500000000, time.UTC),
			time.Unix(12, 500000000), time.Unix(13, 500000000), time.Unix(-12, -500000000), time.Unix(-13, -500000000),
		}
		for _, tm := range edges {
			var text string
			err := c.UTF8.Pool.QueryRow(context.Background(), `select extract(epoch from $1::text::timestamptz)::integer::text`, timestamptzText(tm)).Scan(&text)
			pgOut := outcome{text: text}
			if err != nil {
				pgOut, _ = errOutcome(err)
			}
			s, gerr := ver.EpochSeconds(tm)
			goOut := outcome{text: strconv.FormatInt(s, 10)}
			if gerr != nil {
				goOut, _ = errOutcome(gerr)
			}
			if !sameOutcome(goOut, pgOut) {
				t.Errorf("%s: server %s, go %s", timestamptzText(tm), pgOut, goOut)
			}
		}
	})
}

// The seed's login() payload, computed by the server from its own now(),
// and by Go from the same instant.
func TestLoginPayloadMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 14))
		g := &gen{r: r, bad: true}
		for i := 0; i < 200; i++ {
			role, email := "webuser", "foo@bar.com"
			if i > 0 {
				role, email = g.text(5), g.text(8)
				if len(role) > 63 { // name holds 63 bytes
					role = role[:0]
				}
			}
			var now time.Time
			var payload string
			err := c.UTF8.Pool.QueryRow(context.Background(), `
				select now(), row_to_json(r)::text from (
				  select $1::text::name as role, $2::text as email,
				         extract(epoch from now())::integer + 60*60 as exp
				) r`, role, email).Scan(&now, &payload)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := pgjson.ForVersion(c.Major).EpochSeconds(now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pgjson.RowToJSON(pgjson.Object{{Key: "role", Value: role}, {Key: "email", Value: email}, {Key: "exp", Value: exp + 60*60}})
			if err != nil || string(got) != payload {
				t.Fatalf("now %s: server %s, go %s %v", now.Format(time.RFC3339Nano), payload, got, err)
			}
		}
	})
}
