package jwt

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// claimValues returns JSON values for nbf/exp around nowUS (Unix µs).
func claimValue(r *rand.Rand, nowUS int64) string {
	secs := func(us int64) string {
		neg := ""
		if us < 0 {
			neg, us = "-", -us
		}
		return fmt.Sprintf("%s%d.%06d", neg, us/1e6, us%1e6)
	}
	near := []int64{0, 1, -1, 2, -2, 1_000_000, -1_000_000, 3600_000_000, -3600_000_000}
	switch r.IntN(6) {
	case 0:
		return secs(nowUS + pick(r, near))
	case 1:
		return `"` + pick(r, []string{"", " ", "\t"}) + secs(nowUS+pick(r, near)) + pick(r, []string{"", " ", "x"}) + `"`
	case 2:
		return fmt.Sprint(nowUS/1e6 + int64(r.IntN(7)-3))
	case 3:
		// sub-microsecond offsets: rounding decides
		return fmt.Sprintf("%d.%06d%d", (nowUS+1)/1e6, (nowUS+1)%1e6, r.IntN(10))
	}
	return pick(r, []string{
		"1", "99999999999", `"99999999999"`, `" 99999999999 "`, `"1e11"`, "1e11", `"0x174876E7FF"`, `"+99999999999"`, `".5e12"`,
		"true", "false", "null", `{"a":1}`, "[1]", `""`, `"75z"`, `"1_000"`, "1e400", `"1e-400"`, "-1e400",
		`"Infinity"`, `"inf"`, `"-Infinity"`, `"-inf"`, `"NaN"`, `"nan"`, `"nan(12)"`, "9224318016000", "9224318015999", "9224318015999.9999999",
		"1e20", "-210866803200", "-210866803201", "-210866803200.0000001", `"\u0031"`, `"1\u0000"`, "0", "-0", "1.5", "0.0000001",
		`"0x1p40"`, `"1e1000"`, "123456789012345678901234567890",
	})
}

func genPayload(r *rand.Rand, nowUS int64) string {
	sp := func() string { return pick(r, jsonSpaces) }
	switch r.IntN(10) {
	case 0:
		return mutateJSON(r, genJSON(r, 2))
	case 1:
		return pick(r, []string{`[{"exp":1}]`, `"str"`, `123`, `null`, `{"EXP":1}`, `{"a":{"exp":1}}`, `{}`, `{"x":"\u0000","exp":99999999999}`,
			`{"x":"\ud800","exp":99999999999}`, `{"\u0065xp":1}`, `{"exp":1,"exp":99999999999}`, `{"exp":99999999999,"exp":1}`, `{"nbf":"\udc00"}`})
	}
	var parts []string
	for _, k := range []string{`"role"`, `"nbf"`, `"exp"`, `"iat"`, `"nbf"`, `"exp"`} {
		if r.IntN(3) == 0 {
			continue
		}
		v := `"web_anon"`
		if k != `"role"` {
			v = claimValue(r, nowUS)
		}
		parts = append(parts, k+sp()+":"+sp()+v)
	}
	r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	if r.IntN(8) == 0 {
		parts = append(parts, pick(r, []string{`"x":"\u0000"`, `"x":"\ud800"`, `"x":"\ud800\ud800"`, `"x":"\udc00"`, `"x":"\ud83d\ude00"`, `"x":"é"`}))
	}
	return "{" + sp() + strings.Join(parts, sp()+","+sp()) + sp() + "}"
}

var oddSegments = []string{
	"", "e30", "W10", "bnVsbA", "_w", "AA", "Q", "QQ", "QQ=", "QQ===", "QUJD    ", " QUJD", "QQ\n", "é", "***", "garbage!!",
	"eyJhbGciOiJub25lIn0", "IHsiYWxnIjoiSFMyNTYifSA", "w6k", "wyg", "7aCA", "8JCAgA",
}

// genToken returns a token of 1-5 segments, with a signature that is often
// right (for secret/alg as given) and often subtly wrong.
func genToken(r *rand.Rand, nowUS int64, secret, alg string) string {
	header := pick(r, []string{headerB64[algHS256], headerB64[algHS384], headerB64[algHS512]})
	switch r.IntN(8) {
	case 0:
		header = pick(r, oddSegments)
	case 1:
		header = URLEncode([]byte(mutateJSON(r, genJSON(r, 1))))
	}
	payload := URLEncode([]byte(genPayload(r, nowUS)))
	if r.IntN(10) == 0 {
		payload = pick(r, oddSegments)
	}
	input := header + "." + payload
	sig, err := AlgorithmSign(input, secret, alg)
	if err != nil {
		sig, _ = AlgorithmSign(input, secret, "HS256")
	}
	switch r.IntN(12) {
	case 0:
		sig = ""
	case 1:
		sig += "="
	case 2:
		sig = strings.ReplaceAll(strings.ReplaceAll(sig, "-", "+"), "_", "/")
	case 3:
		if len(sig) > 0 {
			sig = sig[:len(sig)-1] + "A"
		}
	case 4:
		sig, _ = AlgorithmSign(input, secret+"x", "HS256")
	case 5:
		sig += "\n"
	}
	switch n := r.IntN(20); {
	case n == 0:
		return header
	case n == 1:
		return input
	case n == 2:
		return input + "."
	case n == 3:
		return input + "." + sig + "." + pick(r, oddSegments)
	case n == 4:
		return input + "." + sig + ".x." + pick(r, oddSegments)
	case n == 5:
		return pick(r, []string{"", " ", "Bearer ", "."}) + input + "." + sig
	}
	return input + "." + sig
}

type verifyRow struct {
	header, payload         *string
	valid                   *bool
	code, msg, detail, hint *string
}

// serverVerify runs the oracle's verify over the inputs in one transaction
// and returns its rows and the transaction time.
func serverVerify(t *testing.T, pool *pgxpool.Pool, gen func(nowUS int64) (tokens, secs, algs []string)) (rows []verifyRow, now time.Time, tokens, secs, algs []string) {
	t.Helper()
	c := ctx(t)
	tx, err := pool.Begin(c)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(c)
	if err := tx.QueryRow(c, "select now()").Scan(&now); err != nil {
		t.Fatal(err)
	}
	tokens, secs, algs = gen(now.UnixMicro())
	rs, err := tx.Query(c, "select header, payload, valid, code, msg, detail, hint from "+oracleSchema+".t_verify($1, $2, $3) order by i", tokens, secs, algs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = pgx.CollectRows(rs, func(row pgx.CollectableRow) (verifyRow, error) {
		var v verifyRow
		err := row.Scan(&v.header, &v.payload, &v.valid, &v.code, &v.msg, &v.detail, &v.hint)
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tokens) {
		t.Fatalf("%d rows for %d tokens", len(rows), len(tokens))
	}
	return rows, now, tokens, secs, algs
}

func validity(b *bool) Validity {
	switch {
	case b == nil:
		return Unknown
	case *b:
		return Valid
	}
	return Invalid
}

// compareVerify checks VerifyAt against one server row; it returns a short
// outcome name for statistics, and false on a mismatch.
func compareVerify(t *testing.T, v Version, row verifyRow, now time.Time, token, secret, alg string) (string, bool) {
	t.Helper()
	res, err := v.VerifyAt(token, secret, alg, now)
	what := fmt.Sprintf("PostgreSQL %d: VerifyAt(%q, %q, %q)", v.Major(), token, secret, alg)
	if row.code != nil {
		return "error " + *row.code, compareErr(t, what, err, sqlOutcome{code: row.code, msg: row.msg, detail: row.detail, hint: row.hint})
	}
	if err != nil {
		t.Errorf("%s: Go error %v, server (%s, %s, %v)", what, err, str(row.header), str(row.payload), validity(row.valid))
		return "", false
	}
	gotPayload := (*string)(nil)
	if res.Payload != nil {
		p := string(res.Payload)
		gotPayload = &p
	}
	if string(res.Header) != str(row.header) || str(gotPayload) != str(row.payload) || res.Valid != validity(row.valid) {
		t.Errorf("%s:\n Go     (%q, %q, %v)\n server (%q, %q, %v)", what, res.Header, str(gotPayload), res.Valid, str(row.header), str(row.payload), validity(row.valid))
		return "", false
	}
	return res.Valid.String(), true
}

func TestVerifyMatchesServer(t *testing.T) {
	n := 6000
	if testing.Short() {
		n = 800
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		n := n
		if !c.Full() {
			n /= 4 // a sample on the majors other than 15 and 18
		}
		pool := oracle(t, c.UTF8)
		r := rand.New(rand.NewPCG(5, 6))
		rows, now, tokens, secs, algs := serverVerify(t, pool, func(nowUS int64) (tokens, secs, algs []string) {
			for len(tokens) < n {
				s, a := genSecret(r), "HS256"
				if r.IntN(3) == 0 {
					a = pick(r, algorithms)
				}
				tok := genToken(r, nowUS, s, a)
				if r.IntN(10) == 0 {
					a = pick(r, algorithms) // verified with another algorithm
				}
				if !pgText(tok) {
					continue
				}
				tokens, secs, algs = append(tokens, tok), append(secs, s), append(algs, a)
			}
			return
		})
		stats := map[string]int{}
		fails := 0
		for i, row := range rows {
			outcome, ok := compareVerify(t, ForVersion(c.Major), row, now, tokens[i], secs[i], algs[i])
			if !ok {
				if fails++; fails > 20 {
					t.Fatal("too many failures")
				}
			}
			stats[outcome]++
		}
		t.Logf("%d tokens at %s: %v", len(rows), now.Format(time.RFC3339Nano), stats)
	})
}

// TestVerifyLatin1 verifies in a LATIN1 database: the HMAC key is the
// secret's LATIN1 bytes. Payloads are kept to what a LATIN1 database reads
// like a UTF8 one (decoded header and payload ASCII, no \u escapes, which
// it would convert to LATIN1 or reject): the part of Verify's contract that
// holds there.
func TestVerifyLatin1(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 300
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		if c.Latin1 == nil {
			t.Skip("no LATIN1 database")
		}
		pool := oracle(t, c.Latin1)
		r := rand.New(rand.NewPCG(17, 18))
		latin1 := func(s string) string { l, _ := toLatin1(s); return l }
		rows, now, tokens, secs, algs := serverVerify(t, pool, func(nowUS int64) (tokens, secs, algs []string) {
			for len(tokens) < n {
				s := genSecret(r)
				if _, ok := toLatin1(s); !ok || !pgText(s) {
					continue
				}
				a := pick(r, algorithms)
				tok := genToken(r, nowUS, latin1(s), a) // signed with the LATIN1 key
				if !isASCII(tok) {
					continue
				}
				plain := true
				for _, seg := range strings.SplitN(tok, ".", 3)[:min(2, strings.Count(tok, ".")+1)] {
					d, err := URLDecode(seg)
					if err == nil && (!isASCII(string(d)) || strings.Contains(string(d), `\u`)) {
						plain = false
					}
				}
				if !plain {
					continue
				}
				tokens, secs, algs = append(tokens, tok), append(secs, s), append(algs, a)
			}
			return
		})
		stats := map[string]int{}
		fails := 0
		for i, row := range rows {
			outcome, ok := compareVerify(t, ForVersion(c.Major, WithServerEncoding("LATIN1")), row, now, tokens[i], latin1(secs[i]), algs[i])
			if !ok {
				if fails++; fails > 20 {
					t.Fatal("too many failures")
				}
			}
			stats[outcome]++
		}
		t.Logf("%d tokens at %s: %v", len(rows), now.Format(time.RFC3339Nano), stats)
	})
}
