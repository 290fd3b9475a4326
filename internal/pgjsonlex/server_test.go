package pgjsonlex

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

var testErrors = Errors{
	Syntax: sqlerr.New("test", "22P02", "invalid input syntax for type json"),
	Escape: sqlerr.New("test", "22P05", "unsupported Unicode escape sequence"),
}

// checkSQL runs one of three server paths over every text, catching each
// error: the json type's input, jsonb's (which de-escapes as it parses),
// and json input followed by ->> (which de-escapes the whole text later).
const checkSQL = `create function pg_temp.json_check(texts text[], how text)
returns table(code text, msg text, detail text) language plpgsql as $$
declare
	t text;
begin
	foreach t in array texts loop
		code := null; msg := null; detail := null;
		begin
			case how
			when 'json' then perform t::json;
			when 'jsonb' then perform t::jsonb;
			else perform (t::json)->>'k';
			end case;
		exception when others then
			get stacked diagnostics code = returned_sqlstate, msg = message_text, detail = pg_exception_detail;
		end;
		return next;
	end loop;
end $$`

type verdict struct{ code, msg, detail string }

func goVerdict(err error) verdict {
	if err == nil {
		return verdict{}
	}
	e := err.(*sqlerr.Error)
	return verdict{e.Code, e.Message, e.Detail}
}

// TestMatchesServer compares the three modes with the server, in UTF8 and
// LATIN1 databases of every major, on generated texts (half of them
// broken): the verdict, SQLSTATE, message and DETAIL must be the server's.
func TestMatchesServer(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 1500
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		latin1 := db.Encoding == "LATIN1"
		r := rand.New(rand.NewPCG(uint64(db.Cluster.Major), uint64(len(db.Encoding))))
		texts := make([]string, n)
		for i := range texts {
			texts[i] = pgtest.JSONText(r, latin1)
		}
		for _, e := range edgeTexts {
			if !latin1 || latin1Text(e) {
				texts = append(texts, e)
			}
		}
		conn := utf8Conn(t, ctx, db)
		_, err := conn.Exec(ctx, checkSQL)
		require.NoError(t, err)
		for _, m := range []struct {
			how  string
			mode Mode
		}{{"json", Input}, {"jsonb", Unescape}, {"->>", InputThenUnescape}} {
			t.Run(m.how, func(t *testing.T) {
				rows, err := conn.Query(ctx, "select coalesce(code, ''), coalesce(msg, ''), coalesce(detail, '') from pg_temp.json_check($1, $2)", texts, m.how)
				require.NoError(t, err)
				var server []verdict
				for rows.Next() {
					var v verdict
					require.NoError(t, rows.Scan(&v.code, &v.msg, &v.detail))
					server = append(server, v)
				}
				require.NoError(t, rows.Err())
				require.Len(t, server, len(texts))
				o := Options{Mode: m.mode, Errors: testErrors, Encoding: db.Encoding, Major: db.Cluster.Major}
				fails, refused := 0, 0
				seen := map[string]int{} // the kinds of refusal met
				for i, text := range texts {
					got := goVerdict(Validate([]byte(text), o))
					if server[i].code == "22003" && m.mode == Unescape {
						continue // jsonb's numeric conversion, not the grammar (1e700000000)
					}
					if server[i].code != "" {
						refused++
						seen[server[i].code+" "+kindOf(server[i])]++
					}
					if got != server[i] {
						fails++
						if fails <= 10 {
							t.Errorf("%q\n server %q\n go     %q", text, server[i], got)
						}
					}
				}
				t.Logf("%d texts, %d refused by the server (%d kinds), %d mismatches", len(texts), refused, len(seen), fails)
				if testing.Verbose() {
					for k, n := range seen {
						t.Logf("%5d %s", n, k)
					}
				}
			})
		}
	})
}

// kindOf is the DETAIL (or message) of a refusal without the token it quotes.
func kindOf(v verdict) string {
	s := v.detail
	if s == "" {
		s = v.msg
	}
	if i := strings.Index(s, `"`); i >= 0 && !strings.HasPrefix(s, `"\u"`) {
		s = s[:i]
	}
	return s
}

// edgeTexts are fixed cases beside the generated ones.
var edgeTexts = []string{
	"", " ", "{", `{"a"`, `{"a":}`, `[1,]`, `{"a":1}x`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `[1 2]`, `{"a":1 "b":2}`,
	"[1] [2]", "\ufeff{}", `"\u0000"`, `["\u0000", 1,]`, `[1,] "\u0000"`, `"\ud800" x`, `x "\ud800"`,
	`{"\ud800":1}`, `{"a":"\u20ac"}`, `"\ud83d\ude00"`, `"\u00e9\u00ff\u0100"`, `["\u20ac", "\u0000"]`,
	`["\u0000", "\u20ac"]`, `"\ud800\u20ac"`, `-`, `-+1`, `"\u12`, `"\u12"`, `"\xyz"`, `"\éa"`,
	"\"\\ud800\x01\"", "[\"\\ud800\t\", 1,]", "{\"\\ud83d\n\":1}",
	strings.Repeat("[", 3000) + strings.Repeat("]", 3000),
	strings.Repeat(`{"a":[`, 2000) + strings.Repeat("]}", 2000),
}

func latin1Text(s string) bool {
	for _, c := range s {
		if c > 0xff {
			return false
		}
	}
	return true
}

// utf8Conn is one connection to db whose client_encoding is UTF8 (the
// checks run in temporary functions).
func utf8Conn(t *testing.T, ctx context.Context, db *pgtest.DB) *pgxpool.Conn {
	t.Helper()
	conn, err := db.UTF8Pool(t).Acquire(ctx)
	require.NoError(t, err)
	t.Cleanup(conn.Release)
	return conn
}
