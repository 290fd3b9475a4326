package pgjson_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// renderSQL renders every text as json (to_json(t::json)) or jsonb
// (t::jsonb), catching each error with its SQLSTATE, message and DETAIL.
const renderSQL = `create function pg_temp.pgjson_render(texts text[], how text)
returns table(result text, code text, msg text, detail text) language plpgsql as $$
declare
	t text;
begin
	foreach t in array texts loop
		result := null; code := null; msg := null; detail := null;
		begin
			if how = 'json' then
				result := to_json(t::json)::text;
			else
				result := t::jsonb::text;
			end if;
		exception when others then
			get stacked diagnostics code = returned_sqlstate, msg = message_text, detail = pg_exception_detail;
		end;
		return next;
	end loop;
end $$`

// serverRenders runs renderSQL over texts in db, on a connection whose
// client_encoding is UTF8.
func serverRenders(t *testing.T, db *pgtest.DB, texts []string, how string) []outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := db.UTF8Pool(t).Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, renderSQL)
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `select coalesce(result, ''), coalesce(code, ''), coalesce(msg, ''), coalesce(detail, '')
		from pg_temp.pgjson_render($1, $2)`, texts, how)
	require.NoError(t, err)
	var out []outcome
	for rows.Next() {
		var o outcome
		require.NoError(t, rows.Scan(&o.text, &o.code, &o.msg, &o.detail))
		out = append(out, o)
	}
	require.NoError(t, rows.Err())
	require.Len(t, out, len(texts))
	return out
}

// TestRawJSONGeneratedMatchesServer renders generated json texts, half of
// them broken, as json.RawMessage values with ToJSON (the json type's
// input) and, in a UTF8 database, ToJSONB (jsonb's, which de-escapes): the
// text, or the SQLSTATE, message and DETAIL of the error, must be the
// server's, in UTF8 and LATIN1 databases.
func TestRawJSONGeneratedMatchesServer(t *testing.T) {
	n := scalarCount() / 4
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		latin1 := db.Encoding == "LATIN1"
		r := rand.New(rand.NewPCG(uint64(db.Cluster.Major), uint64(len(db.Encoding))))
		texts := make([]string, n)
		for i := range texts {
			texts[i] = pgtest.JSONText(r, latin1)
		}
		for _, how := range []string{"json", "jsonb"} {
			if latin1 && how == "jsonb" {
				continue // JSONB is a UTF8 database's jsonb (see the package doc)
			}
			t.Run(how, func(t *testing.T) {
				ver := pgjson.ForVersion(db.Cluster.Major)
				render := map[string]func(any) ([]byte, error){"json": ver.ToJSON, "jsonb": ver.ToJSONB}[how]
				server := serverRenders(t, db, texts, how)
				fails, refused := 0, 0
				for i, s := range texts {
					out, err := render(json.RawMessage(s))
					goOut := goOutcome(t, out, err)
					if server[i].code != "" {
						refused++
					}
					if !sameOutcome(goOut, server[i]) {
						if fails++; fails <= 10 {
							t.Errorf("%q\n server %s\n go     %s", s, server[i], goOut)
						}
					}
				}
				t.Logf("%d texts, %d refused by the server, %d mismatches", n, refused, fails)
			})
		}
	})
}

// Nesting is the server's: json nested a thousand levels deep and more is
// valid, for ToJSON as for jwt.Sign. The server's limit is its stack
// (internal/pgjsonlex's doc gives the depths measured once), which Go does
// not imitate: 100,000 levels, beyond it on every major, are refused there
// with 54001 and accepted here.
func TestRawJSONDepthMatchesServer(t *testing.T) {
	var texts []string
	for _, n := range []int{pgjson.MaxDepth, pgjson.MaxDepth + 1, 5000} {
		texts = append(texts, strings.Repeat("[", n)+strings.Repeat("]", n),
			strings.Repeat(`{"a":[`, n/2)+`"\u00e9"`+strings.Repeat("]}", n/2))
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for how, render := range map[string]func(any) ([]byte, error){"json": pgjson.ToJSON, "jsonb": pgjson.ToJSONB} {
			server := serverRenders(t, c.UTF8, texts, how)
			for i, s := range texts {
				out, err := render(json.RawMessage(s))
				assert.True(t, sameOutcome(goOutcome(t, out, err), server[i]), "%s of %d bytes: server %.60s, go %.60s", how, len(s), server[i], goOutcome(t, out, err))
			}
			const deep = 100_000
			server = serverRenders(t, c.UTF8, []string{strings.Repeat("[", deep) + strings.Repeat("]", deep)}, how)
			assert.Equal(t, "54001", server[0].code, "%s: the server's stack limit, %d levels", how, deep)
			_, err := render(json.RawMessage(strings.Repeat("[", deep) + strings.Repeat("]", deep)))
			assert.NoError(t, err, "%s: Go does not imitate the stack limit", how)
		}
	})
}

// ToJSON of a json.RawMessage and jwt.Sign check the same json input: one
// verdict, one message and DETAIL.
func TestRawJSONAgreesWithSign(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	texts := []string{`{"a":}`, `[1,]`, `{"a":1}x`, strings.Repeat("[", 1001) + strings.Repeat("]", 1001), "1\x00", "\xff"}
	for range 20000 {
		texts = append(texts, pgtest.JSONText(r, false))
	}
	for _, s := range texts {
		_, signErr := jwt.Sign(json.RawMessage(s), "s", "HS256")
		_, err := pgjson.ToJSON(json.RawMessage(s))
		sign, _ := errOutcome(signErr)
		got, _ := errOutcome(err)
		if !assert.Equal(t, sign, got, "%.80q", s) {
			return
		}
	}
}
