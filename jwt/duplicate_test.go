package jwt

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// TestVerifyDuplicateClaimsLastWins: pgjwt's verify reads nbf and exp with
// PostgreSQL's ->>, which takes the LAST of duplicate keys - unlike PostgREST
// (aeson ≥ 2.2 keeps the first). Each payload is verified by the server and
// by Verify, and the verdict the last key implies is asserted as well.
func TestVerifyDuplicateClaimsLastWins(t *testing.T) {
	const secret = "a secret for duplicate keys"
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		if c.Major == 13 {
			t.Skip("issue 12: the oracle's verify differs on PostgreSQL 13 (see TestVerifyMatchesServer)")
		}
		pool := oracle(t, c.UTF8)
		var last string
		if err := pool.QueryRow(ctx(t), `select '{"exp":1,"exp":2}'::json->>'exp'`).Scan(&last); err != nil || last != "2" {
			t.Fatalf("->> on a duplicate key: %q, %v; want the last, 2", last, err)
		}
		var want []Validity
		rows, now, tokens, secs, algs := serverVerify(t, pool, func(nowUS int64) (tokens, secs, algs []string) {
			past, future := nowUS/1e6-3600, nowUS/1e6+3600
			for _, p := range []struct {
				payload string
				valid   Validity
			}{
				{fmt.Sprintf(`{"exp":%d,"exp":%d}`, past, future), Valid},
				{fmt.Sprintf(`{"exp":%d,"exp":%d}`, future, past), Invalid},
				{fmt.Sprintf(`{"nbf":%d,"nbf":%d}`, future, past), Valid},
				{fmt.Sprintf(`{"nbf":%d,"nbf":%d}`, past, future), Invalid},
				{fmt.Sprintf(`{"exp":"x","exp":%d}`, future), Valid},
				{fmt.Sprintf(`{"exp":%d,"exp":null}`, past), Valid}, // the last is no bound
				{fmt.Sprintf(`{"a":{"exp":%d},"exp":%d,"a":{"exp":%d}}`, past, future, past), Valid},
			} {
				tok, err := Sign(json.RawMessage(p.payload), secret, "HS256")
				if err != nil {
					t.Fatal(err)
				}
				tokens, secs, algs = append(tokens, tok), append(secs, secret), append(algs, "HS256")
				want = append(want, p.valid)
			}
			return
		})
		for i, row := range rows {
			compareVerify(t, ForVersion(c.Major), row, now, tokens[i], secs[i], algs[i])
			if got := validity(row.valid); got != want[i] {
				t.Errorf("%s: server says %v, want %v", tokens[i], got, want[i])
			}
			if res, err := VerifyAt(tokens[i], secs[i], algs[i], now); err != nil || res.Valid != want[i] {
				t.Errorf("%s: VerifyAt %v, %v; want %v", tokens[i], res.Valid, err, want[i])
			}
		}
	})
}
