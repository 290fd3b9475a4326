package jwt

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

type sqlOutcome struct {
	result                  *string
	code, msg, detail, hint *string
}

func str(p *string) string {
	if p == nil {
		return "<NULL>"
	}
	return *p
}

// compareErr checks a Go error against the server's SQLSTATE, message,
// detail and hint.
func compareErr(t *testing.T, what string, err error, o sqlOutcome) bool {
	t.Helper()
	if err == nil {
		t.Errorf("%s: Go succeeded, server failed with %s %q (detail %q)", what, str(o.code), str(o.msg), str(o.detail))
		return false
	}
	e, ok := err.(*Error)
	if !ok {
		t.Errorf("%s: Go error %T %v is not a *jwt.Error", what, err, err)
		return false
	}
	if e.Code != str(o.code) || e.Message != str(o.msg) || e.Detail != str(o.detail) || e.Hint != str(o.hint) {
		t.Errorf("%s:\n Go     %s %q detail %q hint %q\n server %s %q detail %q hint %q",
			what, e.Code, e.Message, e.Detail, e.Hint, str(o.code), str(o.msg), str(o.detail), str(o.hint))
		return false
	}
	return true
}

func TestSignMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 5000
	if testing.Short() {
		n = 500
	}
	var payloads, secs, algs []string
	for i := 0; i < n; i++ {
		p := mutateJSON(r, genJSON(r, 3))
		if !pgText(p) {
			if _, err := Sign(json.RawMessage(p), "s", "HS256"); !errors.Is(err, ErrInvalidEncoding) {
				t.Errorf("Sign(%q): %v, want ErrInvalidEncoding", p, err)
			}
			continue
		}
		a := "HS256"
		if r.IntN(4) == 0 {
			a = pick(r, algorithms)
		}
		payloads, secs, algs = append(payloads, p), append(secs, genSecret(r)), append(algs, a)
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		pool := oracle(t, c.UTF8)
		rows, err := pool.Query(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_sign($1, $2, $3) order by i", payloads, secs, algs)
		if err != nil {
			t.Fatal(err)
		}
		var got []sqlOutcome
		for rows.Next() {
			var o sqlOutcome
			if err := rows.Scan(&o.result, &o.code, &o.msg, &o.detail, &o.hint); err != nil {
				t.Fatal(err)
			}
			got = append(got, o)
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		var fails, oks, errs int
		for i, o := range got {
			tok, err := Sign(json.RawMessage(payloads[i]), secs[i], algs[i])
			what := "Sign(" + describe(payloads[i]) + ", " + describe(secs[i]) + ", " + describe(algs[i]) + ")"
			if o.code != nil {
				errs++
				if !compareErr(t, what, err, o) {
					fails++
				}
			} else {
				oks++
				if err != nil || tok != str(o.result) {
					t.Errorf("%s:\n Go     %q %v\n server %q", what, tok, err, str(o.result))
					fails++
				}
			}
			if fails > 20 {
				t.Fatal("too many failures")
			}
		}
		t.Logf("%d payloads: %d tokens, %d errors", len(got), oks, errs)
	})
}
