package pgjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// The producers under test, each with the SQL that PostgreSQL renders the
// same object with.
type producerCase struct {
	name   string
	goFn   func(pgjson.Version, pgjson.Object) ([]byte, error)
	sqlFor func(o pgjson.Object, variant int) (string, []any)
	rowKey bool
}

var producers = []producerCase{
	{"row_to_json", pgjson.Version.RowToJSON, func(o pgjson.Object, _ int) (string, []any) {
		b := &sqlBuilder{mode: sqlRow}
		return "select row_to_json(" + rowAlias + ")::text from (select " + b.columns(o) + ") " + rowAlias, b.args
	}, true},
	{"json_build_object", pgjson.Version.BuildObject, func(o pgjson.Object, _ int) (string, []any) {
		b := &sqlBuilder{mode: sqlBuild}
		return "select " + b.expr(o) + "::text", b.args
	}, false},
	{"jsonb", pgjson.Version.JSONB, func(o pgjson.Object, variant int) (string, []any) {
		if variant%2 == 0 { // the json text, cast to jsonb
			b := &sqlBuilder{mode: sqlBuild}
			return "select " + b.expr(o) + "::jsonb::text", b.args
		}
		b := &sqlBuilder{mode: sqlJSONB} // jsonb_build_object / to_jsonb all the way
		return "select " + b.expr(o) + "::text", b.args
	}, false},
}

type sqlMode int

const (
	sqlRow   sqlMode = iota // row_to_json of subqueries
	sqlBuild                // json_build_object, arrays as json[]
	sqlJSONB                // jsonb_build_object, arrays as jsonb[]
)

// sqlBuilder writes the SQL expression of a Go value with typed parameters.
type sqlBuilder struct {
	mode sqlMode
	args []any
}

func (b *sqlBuilder) param(v any, cast string) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args)) + "::" + cast
}

// rowAlias names subqueries whose whole row is selected. A column of the
// same name would be selected instead of the row, so it is one that the
// generated and vector keys never spell.
const rowAlias = `"pgjson row"`

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// columns is the select list of a row: expr as "key", ...
func (b *sqlBuilder) columns(o pgjson.Object) string {
	cols := make([]string, len(o))
	for i, m := range o {
		cols[i] = b.expr(m.Value) + " as " + quoteIdent(m.Key)
	}
	return strings.Join(cols, ", ")
}

func (b *sqlBuilder) expr(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL::text"
	case string:
		return b.param(v, "text")
	case myString:
		return b.param(string(v), "text")
	case bool:
		return b.param(v, "bool")
	case int8:
		return b.param(int16(v), "int2")
	case int16:
		return b.param(v, "int2")
	case myInt:
		return b.param(int16(v), "int2")
	case int32:
		return b.param(v, "int4")
	case uint32:
		return b.param(int64(v), "int8")
	case int:
		return b.param(int64(v), "int8")
	case int64:
		return b.param(v, "int8")
	case uint64: // beyond int8: numeric
		return b.param(strconv.FormatUint(v, 10), "text") + "::numeric"
	case float64:
		return b.param(v, "float8")
	case float32:
		return b.param(v, "float4")
	case pgjson.Numeric:
		return b.param(string(v), "text") + "::numeric"
	case time.Time:
		return b.param(timestamptzText(v), "text") + "::timestamptz"
	case json.RawMessage:
		return b.param(string(v), "text") + "::json"
	case []byte:
		return b.param(v, "bytea")
	case []string:
		return b.param(v, "text[]")
	case []int64:
		return b.param(v, "int8[]")
	case pgjson.Object:
		switch b.mode {
		case sqlRow:
			return "(select " + rowAlias + " from (select " + b.columns(v) + ") " + rowAlias + ")"
		default:
			fn := "json_build_object("
			if b.mode == sqlJSONB {
				fn = "jsonb_build_object("
			}
			parts := make([]string, 0, 2*len(v))
			for _, m := range v {
				parts = append(parts, b.param(m.Key, "text"), b.expr(m.Value))
			}
			return fn + strings.Join(parts, ", ") + ")"
		}
	case []any:
		to, typ := "to_json(", "json[]"
		if b.mode == sqlJSONB {
			to, typ = "to_jsonb(", "jsonb[]"
		}
		if v == nil {
			return "NULL::" + typ
		}
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = to + b.expr(x) + ")"
		}
		return "array[" + strings.Join(items, ", ") + "]::" + typ
	}
	panic(fmt.Sprintf("sqlBuilder: no SQL for %T", v))
}

// timestamptzText spells t for timestamptz input with all nine fraction
// digits, so that the server does the microsecond rounding.
func timestamptzText(t time.Time) string {
	t = t.UTC()
	y, bc := t.Year(), ""
	if y <= 0 {
		y, bc = 1-y, " BC"
	}
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%09d+00%s", y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), bc)
}

// outcome is one rendering: text, or a SQLSTATE, message and DETAIL.
type outcome struct {
	text              string
	code, msg, detail string
}

func (o outcome) String() string {
	if o.code != "" {
		s := "ERROR " + o.code + " " + o.msg
		if o.detail != "" {
			s += " DETAIL " + o.detail
		}
		return s
	}
	return o.text
}

// errOutcome is the outcome of an error from the server or from Go; ok is
// false for any other error.
func errOutcome(err error) (o outcome, ok bool) {
	code, msg, ok := pgtest.ErrorOf(err)
	return outcome{code: code, msg: msg, detail: pgtest.DetailOf(err)}, ok
}

func goOutcome(t *testing.T, out []byte, err error) outcome {
	t.Helper()
	if err != nil {
		o, ok := errOutcome(err)
		if !ok {
			t.Fatalf("not a sqlerr error: %v", err)
		}
		return o
	}
	return outcome{text: string(out)}
}

type query struct {
	sql  string
	args []any
}

// runQueries runs single-value queries in pipelined batches, falling back to
// one query at a time for batches that hold an error (an error aborts the
// rest of a pipeline).
func runQueries(t *testing.T, db *pgtest.DB, qs []query) []outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := make([]outcome, len(qs))
	one := func(i int) {
		var s string
		err := db.Pool.QueryRow(ctx, qs[i].sql, qs[i].args...).Scan(&s)
		if err != nil {
			o, ok := errOutcome(err)
			if !ok {
				t.Fatalf("query %q: %v", qs[i].sql, err)
			}
			out[i] = o
			return
		}
		out[i] = outcome{text: s}
	}
	const chunk = 200
	for start := 0; start < len(qs); start += chunk {
		end := min(start+chunk, len(qs))
		batch := &pgx.Batch{}
		for _, q := range qs[start:end] {
			batch.Queue(q.sql, q.args...)
		}
		br := db.Pool.SendBatch(ctx, batch)
		failed := false
		for i := start; i < end && !failed; i++ {
			var s string
			if err := br.QueryRow().Scan(&s); err != nil {
				failed = true
				break
			}
			out[i] = outcome{text: s}
		}
		br.Close()
		if failed {
			for i := start; i < end; i++ {
				one(i)
			}
		}
	}
	return out
}

func sameOutcome(goOut, pgOut outcome) bool {
	if goOut.code != "" || pgOut.code != "" {
		if goOut.code == "22008" && pgOut.code == "22008" {
			// The server's timestamptz input quotes its input text, which
			// has no counterpart for a time.Time.
			return strings.HasPrefix(pgOut.msg, goOut.msg+`: "`)
		}
		return goOut.code == pgOut.code && goOut.msg == pgOut.msg && goOut.detail == pgOut.detail
	}
	return goOut.text == pgOut.text
}

// TestProducersMatchServer renders random objects with each producer and
// with the SQL that PostgreSQL would use, and compares the bytes (or the
// SQLSTATE and message of the error).
func TestProducersMatchServer(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 300
	}
	if v, err := strconv.Atoi(os.Getenv("PGJSON_CROSSCHECK_N")); err == nil && v > 0 {
		n = v // for a longer one-off run
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		// In a LATIN1 database row_to_json and json_build_object print the
		// same text (which pgjwt's convert_to(…, 'utf8') turns into the same
		// bytes) for every text that database can hold.
		latin1 := db.Encoding == "LATIN1"
		n := n
		if latin1 {
			n /= 3
		}
		if !db.Cluster.Full() {
			n /= 3 // a sample on the majors other than 15 and 18
		}
		for _, p := range producers {
			if latin1 && p.name == "jsonb" {
				continue // jsonb orders keys by their bytes in the database encoding: see TestJSONBKeyOrderFollowsEncoding
			}
			t.Run(p.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(db.Cluster.Major), uint64(len(p.name)+len(db.Encoding))))
				var qs []query
				var goOuts []outcome
				var objs []pgjson.Object
				for i := 0; i < n; i++ {
					g := &gen{r: r, rowKeys: p.rowKey, latin1: latin1, major: db.Cluster.Major}
					o := g.object(0)
					out, err := p.goFn(pgjson.ForVersion(db.Cluster.Major), o)
					sql, args := p.sqlFor(o, i)
					qs = append(qs, query{sql, args})
					goOuts = append(goOuts, goOutcome(t, out, err))
					objs = append(objs, o)
				}
				if latin1 { // the LATIN1 pool's client_encoding is LATIN1
					for i := range qs {
						qs[i] = latin1Query(qs[i])
					}
				}
				pgOuts := runQueries(t, db, qs)
				if latin1 {
					for i := range pgOuts {
						pgOuts[i].text, pgOuts[i].msg = fromLatin1(pgOuts[i].text), fromLatin1(pgOuts[i].msg)
					}
				}
				fails, errs := 0, 0
				for i := range qs {
					if pgOuts[i].code != "" {
						errs++
					}
					if !sameOutcome(goOuts[i], pgOuts[i]) {
						fails++
						if fails <= 8 {
							t.Errorf("case %d %#v\nsql:    %s\nargs:   %#v\nserver: %q\ngo:     %q", i, objs[i], qs[i].sql, qs[i].args, pgOuts[i].String(), goOuts[i].String())
						}
					}
				}
				t.Logf("%d objects, %d refused by the server, %d mismatches", n, errs, fails)
			})
		}
	})
}

var _ = errors.Is

// toLatin1 spells UTF-8 text (of characters up to U+00FF) in ISO 8859-1.
func toLatin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			panic(fmt.Sprintf("toLatin1: %q", r))
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// fromLatin1 reads ISO 8859-1 bytes as text.
func fromLatin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// latin1Query converts a query and its text arguments for a LATIN1 client.
func latin1Query(q query) query {
	args := make([]any, len(q.args))
	for i, a := range q.args {
		switch a := a.(type) {
		case string:
			args[i] = toLatin1(a)
		case []string:
			if a == nil {
				args[i] = a
				continue
			}
			l := make([]string, len(a))
			for j := range a {
				l[j] = toLatin1(a[j])
			}
			args[i] = l
		default:
			args[i] = a
		}
	}
	return query{toLatin1(q.sql), args}
}

// jsonb sorts keys by length, then bytes, in the database encoding: "é" is
// two bytes in UTF8 but one in LATIN1, so the order differs. JSONB renders
// the UTF8 order.
func TestJSONBKeyOrderFollowsEncoding(t *testing.T) {
	o := pgjson.Object{{Key: "ab", Value: 1}, {Key: "é", Value: 2}}
	got, err := pgjson.JSONB(o)
	if err != nil {
		t.Fatal(err)
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		var text string
		err := db.Pool.QueryRow(context.Background(), `select jsonb_build_object('ab', 1, $1::text, 2)::text`,
			map[bool]string{true: toLatin1("é"), false: "é"}[db.Encoding == "LATIN1"]).Scan(&text)
		if err != nil {
			t.Fatal(err)
		}
		if db.Encoding == "LATIN1" {
			text = fromLatin1(text)
		}
		want := map[string]string{"UTF8": `{"ab": 1, "é": 2}`, "LATIN1": `{"é": 2, "ab": 1}`}[db.Encoding]
		if text != want {
			t.Errorf("server %s, want %s", text, want)
		}
		if db.Encoding == "UTF8" && text != string(got) {
			t.Errorf("server %s, go %s", text, got)
		}
	})
}
