package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

var base64Atoms = []string{
	"A", "Q", "Z", "a", "z", "0", "9", "+", "/", "-", "_", "=", "==", " ", "\t", "\n", "\r", "\v", "\f",
	"é", "€", "*", "!", ".", "QQ", "QUJD", "QUI=", "QQ==", "\u00a0", "\x7f", "\x01", "ÿ",
}

func genBase64Text(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return URLEncode(b)
	}
	var sb strings.Builder
	for n := r.IntN(8); n > 0; n-- {
		sb.WriteString(pick(r, base64Atoms))
	}
	return sb.String()
}

// toLatin1 returns the LATIN1 bytes of s, and false if s has a character
// LATIN1 cannot hold.
func toLatin1(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c > 0xff {
			return "", false
		}
		b = append(b, byte(c))
	}
	return string(b), true
}

type outcomeRow struct {
	bytes                   []byte
	text                    *string
	code, msg, detail, hint *string
}

func collectOutcomes(t *testing.T, rs pgx.Rows, textResult bool) []outcomeRow {
	t.Helper()
	rows, err := pgx.CollectRows(rs, func(row pgx.CollectableRow) (outcomeRow, error) {
		var o outcomeRow
		var err error
		if textResult {
			err = row.Scan(&o.text, &o.code, &o.msg, &o.detail, &o.hint)
		} else {
			err = row.Scan(&o.bytes, &o.code, &o.msg, &o.detail, &o.hint)
		}
		return o, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (o outcomeRow) sql() sqlOutcome {
	return sqlOutcome{result: o.text, code: o.code, msg: o.msg, detail: o.detail, hint: o.hint}
}

func TestURLDecodeMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	inputs := []string{"", "QQ", "QQ=", "QQ==", "Q", "QUJDR", "Q===", "QQ===", "QQ==QUJD", "QUI=QUJD", "QQ=A", "QR", "QUJ", "+/", "-_",
		"QQ\n", "\tQ\rQ\t", "QUJD    ", " QUJD", "é", "QUJD€", "QQ=*"}
	n := 5000
	if testing.Short() {
		n = 1000
	}
	for len(inputs) < n {
		inputs = append(inputs, genBase64Text(r))
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		pool := oracle(t, db)
		var in []string
		for _, s := range inputs {
			if _, ok := toLatin1(s); ok || db.Encoding == "UTF8" {
				in = append(in, s)
			}
		}
		rs, err := pool.Query(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_url_decode($1) order by i", in)
		if err != nil {
			t.Fatal(err)
		}
		rows := collectOutcomes(t, rs, false)
		stats := map[string]int{}
		fails := 0
		for i, o := range rows {
			got, err := ForVersion(db.Cluster.Major, WithServerEncoding(db.Encoding)).URLDecode(in[i])
			if o.code != nil {
				stats[*o.msg]++
				if !compareErr(t, "URLDecode("+describe(in[i])+")", err, o.sql()) {
					fails++
				}
			} else {
				stats["ok"]++
				if err != nil || !bytes.Equal(got, o.bytes) {
					t.Errorf("URLDecode(%q) = %x, %v; server %x", in[i], got, err, o.bytes)
					fails++
				}
			}
			if fails > 20 {
				t.FailNow()
			}
		}
		t.Logf("%d texts: %v", len(rows), stats)
	})
}

func TestURLEncodeMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var inputs [][]byte
	for n := 0; n < 200; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		inputs = append(inputs, b)
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		pool := oracle(t, c.UTF8)
		rs, err := pool.Query(ctx(t), "select "+oracleSchema+".url_encode(b) from unnest($1::bytea[]) with ordinality u(b, i) order by i", inputs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rs, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range got {
			if enc := URLEncode(inputs[i]); enc != want {
				t.Fatalf("URLEncode(%x) = %q, server %q", inputs[i], enc, want)
			}
		}
		t.Logf("%d byte strings of length 0..199", len(got))
	})
}

// TestAlgorithmSignMatchesServer checks the HMAC over secrets in the
// database encoding: in a LATIN1 database the key is the LATIN1 bytes.
func TestAlgorithmSignMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var data, secs, algs []string
	for len(data) < 2000 {
		d := genSecret(r) + genBase64Text(r)
		if !pgText(d) {
			continue
		}
		data, secs, algs = append(data, d), append(secs, genSecret(r)), append(algs, pick(r, algorithms))
	}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		pool := oracle(t, db)
		var d, s, a []string
		for i := range data {
			if db.Encoding == "LATIN1" {
				_, ok1 := toLatin1(data[i])
				_, ok2 := toLatin1(secs[i])
				if !ok1 || !ok2 {
					continue
				}
			}
			d, s, a = append(d, data[i]), append(s, secs[i]), append(a, algs[i])
		}
		rs, err := pool.Query(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_algorithm_sign($1, $2, $3) order by i", d, s, a)
		if err != nil {
			t.Fatal(err)
		}
		rows := collectOutcomes(t, rs, true)
		oks := 0
		for i, o := range rows {
			signables, secret := d[i], s[i]
			if db.Encoding == "LATIN1" {
				signables, _ = toLatin1(signables)
				secret, _ = toLatin1(secret)
			}
			got, err := AlgorithmSign(signables, secret, a[i])
			what := "AlgorithmSign(" + describe(d[i]) + ", " + describe(s[i]) + ", " + describe(a[i]) + ")"
			if o.code != nil {
				compareErr(t, what, err, o.sql())
			} else if err != nil || got != *o.text {
				t.Errorf("%s = %q, %v; server %q", what, got, err, *o.text)
			} else {
				oks++
			}
		}
		t.Logf("%d inputs, %d signatures", len(rows), oks)
	})
}

// TestSignLatin1 signs in a LATIN1 database: the payload is converted to
// UTF-8 by sign(), the secret is used as LATIN1 bytes.
func TestSignLatin1(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var payloads, secs, algs []string
	for len(payloads) < 1000 {
		p := genJSON(r, 2)
		s := genSecret(r)
		_, ok1 := toLatin1(p)
		_, ok2 := toLatin1(s)
		if !ok1 || !ok2 || !pgText(p) || !pgText(s) {
			continue
		}
		payloads, secs, algs = append(payloads, p), append(secs, s), append(algs, pick(r, algorithms[:6]))
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		if c.Latin1 == nil {
			t.Skip("no LATIN1 database")
		}
		pool := oracle(t, c.Latin1)
		rs, err := pool.Query(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_sign($1, $2, $3) order by i", payloads, secs, algs)
		if err != nil {
			t.Fatal(err)
		}
		rows := collectOutcomes(t, rs, true)
		oks := 0
		for i, o := range rows {
			secret, _ := toLatin1(secs[i])
			got, err := Sign(json.RawMessage(payloads[i]), secret, algs[i])
			what := "Sign(" + describe(payloads[i]) + ", latin1 " + describe(secs[i]) + ", " + describe(algs[i]) + ")"
			if o.code != nil {
				compareErr(t, what, err, o.sql())
			} else if err != nil || got != *o.text {
				t.Errorf("%s = %q, %v; server %q", what, got, err, *o.text)
			} else {
				oks++
			}
		}
		t.Logf("%d payloads, %d tokens", len(rows), oks)
	})
}

// TestInvalidTextMatchesServer checks the 22021 message for byte strings
// that are not UTF-8 text against convert_from(bytes, 'utf8').
func TestInvalidTextMatchesServer(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	atoms := []string{"a", "é", "€", "😀", "\x00", "\xff", "\x80", "\xc3", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xc0\x80", "\xf4\x90\x80\x80",
		"\xf8", "\xf0\x9f\x98", "\xe0\x80\x80", "\xf5\x80\x80\x80", "\xc2", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"}
	var inputs [][]byte
	for len(inputs) < 2000 {
		var b []byte
		for n := 1 + r.IntN(4); n > 0; n-- {
			b = append(b, pick(r, atoms)...)
		}
		inputs = append(inputs, b)
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		pool := oracle(t, c.UTF8)
		rs, err := pool.Query(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_convert_from($1) order by i", inputs)
		if err != nil {
			t.Fatal(err)
		}
		rows := collectOutcomes(t, rs, true)
		bad := 0
		for i, o := range rows {
			goErr := checkBytes(inputs[i])
			if o.code != nil {
				bad++
				compareErr(t, fmt.Sprintf("checkBytes(%x)", inputs[i]), goErr, o.sql())
			} else if goErr != nil {
				t.Errorf("checkBytes(%x) = %v, server accepts", inputs[i], goErr)
			}
		}
		t.Logf("%d byte strings, %d invalid", len(inputs), bad)
	})
}

// 13 words url_decode's invalid-symbol message differently and quotes one
// byte; in a LATIN1 database that byte is the whole character.
func TestURLDecodeMessagePerMajor(t *testing.T) {
	for _, c := range []struct {
		v    Version
		want string
	}{
		{Version{}, `invalid symbol "é" found while decoding base64 sequence`},
		{ForVersion(14), `invalid symbol "é" found while decoding base64 sequence`},
		{ForVersion(13), "invalid symbol \"\xc3\" while decoding base64 sequence"},
		{ForVersion(12), "invalid symbol \"\xc3\" while decoding base64 sequence"},
		{ForVersion(13, WithServerEncoding("LATIN1")), `invalid symbol "é" while decoding base64 sequence`},
		{ForVersion(18, WithServerEncoding("LATIN1")), `invalid symbol "é" found while decoding base64 sequence`},
	} {
		_, err := c.v.URLDecode("QUJDé")
		var e *Error
		if !errors.As(err, &e) || e.Code != "22023" || e.Message != c.want || !errors.Is(err, ErrBase64Symbol) {
			t.Errorf("PostgreSQL %d: %v, want %q", c.v.Major(), err, c.want)
		}
		if _, err := c.v.VerifyAt("QUJDé.e30.x", "s", "HS256", time.Now()); err == nil || err.Error() != e.Error() {
			t.Errorf("PostgreSQL %d: VerifyAt: %v, want %v", c.v.Major(), err, e)
		}
	}
}
