package pgjson_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// Mass checks of the scalar renderings: many values in one query each, via
// unnest of an array parameter.

func scalarCount() int {
	if v, err := strconv.Atoi(os.Getenv("PGJSON_CROSSCHECK_N")); err == nil && v > 0 {
		return 10 * v // for a longer one-off run
	}
	if testing.Short() {
		return 2000
	}
	return 20000
}

// serverColumns runs a query over unnest($1) (ordered) and returns its text
// columns per row.
func serverColumns(t *testing.T, db *pgtest.DB, sql string, arg any, ncol int) [][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := db.Pool.Query(ctx, sql, arg)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		cols := make([]string, ncol)
		ptrs := make([]any, ncol)
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, cols)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func must(b []byte, err error) string {
	if err != nil {
		return "ERROR " + err.Error()
	}
	return string(b)
}

// compareScalars renders each value with ToJSON and ToJSONB and compares
// with the server's to_json and to_jsonb columns.
func compareScalars[T any](t *testing.T, db *pgtest.DB, sql string, values []T, goValue func(i int) any) {
	t.Helper()
	got := serverColumns(t, db, sql, values, 2)
	if len(got) != len(values) {
		t.Fatalf("%d rows for %d values", len(got), len(values))
	}
	fails := 0
	for i, v := range values {
		ver := pgjson.ForVersion(db.Cluster.Major)
		j := must(ver.ToJSON(goValue(i)))
		jb := must(ver.ToJSONB(goValue(i)))
		if j != got[i][0] || jb != got[i][1] {
			if fails++; fails <= 10 {
				t.Errorf("%#v: server %q %q, go %q %q", v, got[i][0], got[i][1], j, jb)
			}
		}
	}
	t.Logf("%d values, %d mismatches", len(values), fails)
}

func randomFloat64s(r *rand.Rand, n int) []float64 {
	g := &gen{r: r}
	out := make([]float64, 0, n)
	for len(out) < n {
		switch r.IntN(4) {
		case 0: // large round decimals: many lie on a midpoint between two floats
			f := float64(1+r.IntN(99999)) * math.Pow(10, float64(15+r.IntN(12)))
			out = append(out, f)
		case 1:
			out = append(out, float64(r.Int64N(1<<62))*[]float64{1, 2, 4, 1024}[r.IntN(4)])
		default:
			out = append(out, g.float64())
		}
	}
	return out
}

func randomFloat32s(r *rand.Rand, n int) []float32 {
	g := &gen{r: r}
	out := make([]float32, 0, n)
	for len(out) < n {
		switch r.IntN(3) {
		case 0: // integers with float4 spacing 2..64: midpoint decimals
			out = append(out, float32(r.Int64N(1<<30)))
		default:
			out = append(out, g.float32())
		}
	}
	return out
}

func TestFloatsMatchServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 8))
		n := scalarCount()
		if !c.Full() {
			n /= 4 // a sample on the majors other than 15 and 18
		}
		t.Run("float8", func(t *testing.T) {
			fs := randomFloat64s(r, n)
			compareScalars(t, c.UTF8, `select to_json(x)::text, to_jsonb(x)::text from unnest($1::float8[]) with ordinality u(x, i) order by i`,
				fs, func(i int) any { return fs[i] })
		})
		t.Run("float4", func(t *testing.T) {
			fs := randomFloat32s(r, n)
			compareScalars(t, c.UTF8, `select to_json(x)::text, to_jsonb(x)::text from unnest($1::float4[]) with ordinality u(x, i) order by i`,
				fs, func(i int) any { return fs[i] })
		})
	})
}

func TestNumericsMatchServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 9))
		var texts []string
		for len(texts) < scalarCount() {
			g := &gen{r: r, bad: true, major: c.Major} // bad: only valid texts
			texts = append(texts, string(g.numeric()))
		}
		texts = append(texts, "1e131071", "0.0001e131075", "1e-16383", "0e-16383", "0e131073", "0e1073741822", "99999999999999999999e-16383")
		compareScalars(t, c.UTF8, `select to_json(x::numeric)::text, to_jsonb(x::numeric)::text from unnest($1::text[]) with ordinality u(x, i) order by i`,
			texts, func(i int) any { return pgjson.Numeric(texts[i]) })
	})
}

func TestNumericErrorsMatchServer(t *testing.T) {
	bad := []string{"", " ", "1e", ".", "e5", "1 2", "abc", "+nan", "-nan", "1e+-5", "--1", "1.2.3", "infinit", "infinityx", "- inf",
		"1e99999999999", "1e-99999999999", "0e99999999999999999999", "0e-16384", "1e131072", "1e-16384", "1e1073741823", "1e-1073741823",
		strings.Repeat("9", 131073), "0." + strings.Repeat("1", 16384), "1,5", "١", "1e٣", "0x", "1__0"}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, s := range bad {
			var text string
			err := c.UTF8.Pool.QueryRow(context.Background(), `select to_json($1::text::numeric)::text`, s).Scan(&text)
			pgOut := outcome{text: text}
			if err != nil {
				pgOut, _ = errOutcome(err)
			}
			out, gerr := pgjson.ForVersion(c.Major).ToJSON(pgjson.Numeric(s))
			if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, pgOut) {
				t.Errorf("%.40q: server %.80s, go %.80s", s, pgOut, goOut)
			}
		}
	})
}

// PostgreSQL 16 and later accept underscores between digits and the
// 0x/0o/0b integer prefixes in numeric input, 13-15 refuse them (22P02);
// 13 also refuses the infinities. ForVersion follows each major.
func TestNumericSyntaxPerMajor(t *testing.T) {
	texts := []string{"1_000", "0x1F", "0o17", "0b101", "1_000.5", "-0x1F", "+0X_1f", "0B1_01", " 0o1_7 ", "1.000_5", "1e1_0", "1_0e2",
		"0x", "0x_", "0x1F_", "0x1__F", "0xG", "0x1.5", "0x1e5", "0o8", "0b2", "_1", "1_", "1__0", "1_.5", "1._5", "._5", "1e_5", "1e5_",
		"0_1", "00x1", "0x" + strings.Repeat("F", 40), "-0x0", "0b" + strings.Repeat("1_0", 30),
		"Infinity", "-INF", "+Infinity", " inf ", "-infinity", "+inf", "NaN", " nan"}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ver := pgjson.ForVersion(c.Major)
		for _, s := range texts {
			var text string
			err := c.UTF8.Pool.QueryRow(context.Background(), `select to_json($1::text::numeric)::text`, s).Scan(&text)
			pgOut := outcome{text: text}
			if err != nil {
				pgOut, _ = errOutcome(err)
			}
			out, gerr := ver.ToJSON(pgjson.Numeric(s))
			if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, pgOut) {
				t.Errorf("PostgreSQL %d, %q: server %.80s, go %.80s", c.Major, s, pgOut, goOut)
			}
		}
	})
}

func TestStringsMatchServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 10))
		var texts []string
		for c := rune(1); c < 0x80; c++ { // every ASCII character alone
			texts = append(texts, string(c))
		}
		g := &gen{r: r, bad: true}
		for len(texts) < scalarCount() {
			if r.IntN(4) == 0 {
				var b strings.Builder
				for i := r.IntN(6); i >= 0; i-- {
					c := rune(1 + r.IntN(0x10ffff))
					if c >= 0xd800 && c < 0xe000 {
						c = 0xfffd
					}
					b.WriteRune(c)
				}
				texts = append(texts, b.String())
				continue
			}
			texts = append(texts, g.text(10))
		}
		compareScalars(t, c.UTF8, `select to_json(x)::text, to_jsonb(x)::text from unnest($1::text[]) with ordinality u(x, i) order by i`,
			texts, func(i int) any { return texts[i] })
	})
}

func TestInvalidTextMatchesServer(t *testing.T) {
	bad := []string{"\x00", "a\x00b", "\xff", "\xc3(", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xe2\x82(", "\xf0\x9f\x98", "\x80", "\xc0\xaf", "\xf8\x88\x80\x80\x80", "ok\xfe"}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, s := range bad {
			var text string
			err := c.UTF8.Pool.QueryRow(context.Background(), `select to_json($1::text)::text`, s).Scan(&text)
			pgOut, ok := errOutcome(err)
			if !ok {
				t.Fatalf("%q: server accepted it (%q, %v)", s, text, err)
			}
			for _, render := range []func(any) ([]byte, error){pgjson.ToJSON, pgjson.ToJSONB} {
				out, gerr := render(s)
				if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, pgOut) {
					t.Errorf("%q: server %s, go %s", s, pgOut, goOut)
				}
			}
		}
	})
}

func randomTimes(r *rand.Rand, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for len(out) < n {
		g := &gen{r: r}
		if t := g.time(); !g.bad {
			out = append(out, t)
		}
	}
	return out
}

func TestTimestamptzMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 11))
		times := randomTimes(r, scalarCount())
		times = append(times,
			time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(294276, 12, 31, 23, 59, 59, 999999000, time.UTC),
			time.Date(294276, 12, 31, 23, 59, 59, 999999499, time.UTC), time.Date(0, 12, 31, 23, 59, 59, 999999500, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999501, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 500, time.UTC),
			time.Date(2026, 1, 2, 3, 4, 5, 1500, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 2500, time.UTC))
		texts := make([]string, len(times))
		for i, tm := range times {
			texts[i] = timestamptzText(tm)
		}
		compareScalars(t, c.UTF8, `select to_json(x::timestamptz)::text, to_jsonb(x::timestamptz)::text from unnest($1::text[]) with ordinality u(x, i) order by i`,
			texts, func(i int) any { return times[i] })
	})
}

func TestTimestamptzRangeMatchesServer(t *testing.T) {
	edges := []time.Time{
		time.Date(-4713, 11, 23, 23, 59, 59, 999999000, time.UTC),
		time.Date(-4713, 11, 23, 23, 59, 59, 999999500, time.UTC), // rounds up into range
		time.Date(-4713, 11, 23, 23, 59, 59, 999999499, time.UTC),
		time.Date(294277, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(294276, 12, 31, 23, 59, 59, 999999500, time.UTC), // rounds out of range
		time.Date(-100000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, tm := range edges {
			var text string
			err := c.UTF8.Pool.QueryRow(context.Background(), `select to_json($1::text::timestamptz)::text`, timestamptzText(tm)).Scan(&text)
			pgOut := outcome{text: text}
			if err != nil {
				pgOut, _ = errOutcome(err)
			}
			out, gerr := pgjson.ToJSON(tm)
			if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, pgOut) {
				t.Errorf("%s: server %s, go %s", timestamptzText(tm), pgOut, goOut)
			}
		}
	})
}

func TestRawJSONMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		r := rand.New(rand.NewPCG(uint64(c.Major), 12))
		var texts []string
		for len(texts) < scalarCount()/2 {
			g := &gen{r: r, bad: true}
			texts = append(texts, string(g.raw()))
		}
		compareScalars(t, c.UTF8, `select to_json(x::json)::text, x::jsonb::text from unnest($1::text[]) with ordinality u(x, i) order by i`,
			texts, func(i int) any { return json.RawMessage(texts[i]) })
	})
}

func TestRawJSONErrorsMatchServer(t *testing.T) {
	bad := []string{"", " ", "{", "[1,]", "{'a':1}", "01", "-01", "NaN", "Infinity", `"\x"`, "\"a\tb\"", `{"a" 1}`, "tru", "truex", "nul", "1.", "-", ".5", "1e", "1e+", `"\u12"`,
		`"\u12G4"`, `"\ud800"`, `"\udc00"`, `"\u0000"`, `["\ud800\ud800\udc00"]`, `"\ud800\u0041"`, `"\ud800x"`, `"\ud800\n"`, "[1] [2]", `{"a":1e99999999999}`, `{"a":1e-16384}`,
		`{"a":1,}`, `[1 2]`, `{"a":}`, `{:1}`, `{1:1}`, "\u00a0 1", "\f1", "\v1", "1\x00", `"a` + "\x7f" + `"`, `"\u00"`, `"\`, `["a",`, `{"a"`, `"\uD834\uDD1E"`, `"\/\b"`, "1 ", " \r\n\t1"}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, s := range bad {
			for _, q := range []struct {
				sql    string
				render func(any) ([]byte, error)
			}{{`select to_json($1::text::json)::text`, pgjson.ToJSON}, {`select $1::text::jsonb::text`, pgjson.ToJSONB}} {
				var text string
				err := c.UTF8.Pool.QueryRow(context.Background(), q.sql, s).Scan(&text)
				pgOut := outcome{text: text}
				if err != nil {
					pgOut, _ = errOutcome(err)
				}
				out, gerr := q.render(json.RawMessage(s))
				if goOut := goOutcome(t, out, gerr); !sameOutcome(goOut, pgOut) {
					t.Errorf("%s %q: server %s, go %s", q.sql, s, pgOut, goOut)
				}
			}
		}
	})
}
