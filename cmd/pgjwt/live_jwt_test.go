package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// compatSchema is where the tests install jwt.CompatSQL, the project's SQL
// restatement of pgjwt 0.2.0, next to the harness's pgcrypto.
const compatSchema = "pgjwt_compat"

var installed sync.Map // *pgtest.DB → *sync.Once-guarded error

type installation struct {
	once sync.Once
	err  error
}

// withPgjwt installs pgjwt's functions into db once per test binary.
func withPgjwt(t *testing.T, db *pgtest.DB) *pgtest.DB {
	t.Helper()
	v, _ := installed.LoadOrStore(db, &installation{})
	in := v.(*installation)
	in.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		compat, err := jwt.CompatSQL(compatSchema, jwt.WithPgcryptoSchema("public"))
		if err != nil {
			in.err = err
			return
		}
		_, in.err = db.Pool.Exec(ctx, "create schema if not exists "+compatSchema+";\n"+compat)
	})
	if in.err != nil {
		t.Fatalf("installing pgjwt into %s: %v", db, in.err)
	}
	return db
}

// loginCase is one `pgjwt sign` built from claim flags, and the row that
// login() would pass to row_to_json for it.
type loginCase struct {
	role, email *string
	expSeconds  *int32
	now         time.Time
	nowText     string // how the CLI is given now: RFC 3339 or unix seconds
	extra       []claim
	secret, alg string
}

func (c loginCase) args(major string, db *pgtest.DB) []string {
	a := append([]string{"sign", "--pg", major, "--alg", c.alg}, encodingArgs(db)...)
	if c.role != nil {
		a = append(a, "--role", *c.role)
	}
	if c.email != nil {
		a = append(a, "--email", *c.email)
	}
	if c.expSeconds != nil {
		a = append(a, "--exp", strconv.Itoa(int(*c.expSeconds)), "--now", c.nowText)
	}
	for _, x := range c.extra {
		if x.json {
			a = append(a, "--claim-json", x.key+"="+x.value)
		} else {
			a = append(a, "--claim", x.key+"="+x.value)
		}
	}
	return a
}

// sql is login()'s statement for the case: sign(row_to_json(r), secret, alg)
// over a row whose columns are the claims, with now() given as a parameter.
func (c loginCase) sql() (string, []any) {
	args := []any{c.secret, c.alg}
	var cols []string
	param := func(v any, cast string) string {
		args = append(args, v)
		return fmt.Sprintf("$%d::%s", len(args), cast)
	}
	if c.role != nil {
		cols = append(cols, param(*c.role, "name")+" as role")
	}
	if c.email != nil {
		cols = append(cols, param(*c.email, "text")+" as email")
	}
	if c.expSeconds != nil {
		cols = append(cols, "extract(epoch from "+param(c.now.Format(time.RFC3339Nano), "timestamptz")+")::integer + "+
			param(*c.expSeconds, "integer")+" as exp")
	}
	for _, x := range c.extra {
		cast := "text"
		if x.json {
			cast = "json"
		}
		cols = append(cols, param(x.value, cast)+" as "+pgx.Identifier{x.key}.Sanitize())
	}
	return fmt.Sprintf("select %s.sign(row_to_json(r), $1, $2) from (select %s) r", compatSchema, strings.Join(cols, ", ")), args
}

func ptr[T any](v T) *T { return &v }

// latin1 reports whether every character of s exists in LATIN1.
func latin1(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			return false
		}
	}
	return true
}

var (
	roles  = []string{"web_user", "anon", "ä-rôle", `quo"te`, `back\slash`, "tab\there", "ctl\x01\x1f", "emoji😀", strings.Repeat("r", 63), "Upper Case", "</script>"}
	emails = []string{"alice@example.com", "", "ü@exämple.com", `a"b@c.d`, "line\nbreak@x.y", "\u2028@x.y", "a\\u0000@x.y"}
	exps   = []int32{0, 1, 60, 3600, -60, 86400 * 365, 2147483647}
	// Instants around the rounding edge of ::integer (half a second), before
	// 1970, and at the int4 edge in 2038.
	instants = []string{
		"2023-11-14T22:13:20Z", "2023-11-14T22:13:20.5Z", "2023-11-14T22:13:20.499999Z", "2023-11-14T22:13:20.500001Z",
		"2023-11-14T22:13:21.5Z", "1999-12-31T23:59:59.5Z", "1960-01-01T00:00:00.5Z", "1960-01-01T00:00:00.4Z",
		"1970-01-01T00:00:00Z", "2038-01-19T02:14:07Z", "2038-01-19T02:14:08Z", "2038-01-19T03:14:07.5Z",
		"2026-11-25T20:30:00.123456+02:00", "1901-12-13T20:45:52Z",
	}
	secrets = []string{"s", "reallyreallyreallyreallyverysafe", "sécret", "with space ", strings.Repeat("k", 200), "€uro"}
	algs    = []string{"HS256", "HS384", "HS512", "hs256", "", "HS256 "}
	extras  = []claim{
		{key: "aud", value: "authenticated"}, {key: "n", value: "1.50", json: true},
		{key: "o", value: `{"a" : [1, 2], "b":null}`, json: true}, {key: "Mixed Key", value: "x"},
		{key: `k"q`, value: "v\\n"}, {key: "s", value: `"\u00e9"`, json: true},
	}
)

func randomLoginCase(rng *rand.Rand) loginCase {
	pick := func(n int) int { return rng.IntN(n) }
	c := loginCase{secret: secrets[pick(len(secrets))], alg: "HS256"}
	if pick(6) == 0 {
		c.alg = algs[pick(len(algs))]
	}
	if pick(5) != 0 {
		c.role = ptr(roles[pick(len(roles))])
	}
	if pick(3) != 0 {
		c.email = ptr(emails[pick(len(emails))])
	}
	if c.role == nil || pick(4) != 0 {
		c.expSeconds = ptr(exps[pick(len(exps))])
		text := instants[pick(len(instants))]
		c.now, _ = time.Parse(time.RFC3339Nano, text)
		c.nowText = text
		if pick(2) == 0 {
			// The same instant as unix seconds.
			us := c.now.UnixMicro()
			c.nowText = fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
			if us < 0 && us%1e6 != 0 {
				c.nowText = fmt.Sprintf("-%d.%06d", -us/1e6, -us%1e6)
			}
		}
	}
	for range pick(3) {
		x := extras[pick(len(extras))]
		if !containsKey(c, x.key) {
			c.extra = append(c.extra, x)
		}
	}
	return c
}

func containsKey(c loginCase, key string) bool {
	for _, x := range c.extra {
		if x.key == key {
			return true
		}
	}
	return key == "role" || key == "email" || key == "exp"
}

func TestLiveSignClaimsMatchLogin(t *testing.T) {
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		cl := db.Cluster
		srv := connect(t, withPgjwt(t, db))
		major := strconv.Itoa(cl.Major)
		rng := rand.New(rand.NewPCG(uint64(cl.Major), 11))
		n := 300
		if testing.Short() {
			n = 60
		}
		errorsSeen, compared := 0, 0
		for range n {
			c := randomLoginCase(rng)
			if db.Encoding == "LATIN1" && !latin1(c.secret) && !latin1(fmt.Sprint(c.args(major, db))) {
				continue // two conversion errors: which one wins is the SQL's parameter order
			}
			compared++
			sql, args := c.sql()
			want := srv.query(sql, args...)
			if want.code != "" {
				errorsSeen++
			}
			got := cli("", map[string]string{envSecret: c.secret}, c.args(major, db)...)
			expectSame(t, fmt.Sprintf("pgjwt %q with secret %q", c.args(major, db), c.secret), got, want)
		}
		t.Logf("%d login() tokens compared on %s, %s database (%d of them errors)", compared, cl.Version, db.Encoding, errorsSeen)
	})
}

// payloads for sign(payload::json, ...): valid JSON kept verbatim, and text
// the json cast refuses.
var payloads = []string{
	`{"a":1}`, ` { "b" : 2 ,"a":1 } `, `[1,2]`, `"x"`, `null`, `12`, `{"a":"é"}`, `{"a":"\u00e9"}`,
	`{"a":1,"a":2}`, `1e400`, `-0.0`, `{"deep":[[[[{}]]]]}`, "{\n\t\"a\": true\r\n}", `{"a":"\ud800"}`,
	`{"x":"\u0000"}`, `{"role":"web_user","exp":1700000000}`, `"😀"`,
	`not json`, `{`, `{"a":1,}`, ``, "{\"a\":\"\t\"}", `01`, `"abc`, `{"a" 1}`, `[1 2]`, `{"a":1}}`,
	`{"a":tru}`, `NaN`, `{'a':1}`, `"\x"`, `"\u12"`, "\ufeff{}", `{"a":1.}`, `-`, ` `,
}

func TestLiveSignPayloadMatchesServer(t *testing.T) {
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		cl := db.Cluster
		srv := connect(t, withPgjwt(t, db))
		flags := append([]string{"sign", "--pg", strconv.Itoa(cl.Major)}, encodingArgs(db)...)
		for i, p := range payloads {
			for j, alg := range []string{"HS256", "HS512", "bogus"} {
				if j == 2 && i%5 != 0 {
					continue
				}
				secret := secrets[(i+j)%len(secrets)]
				if db.Encoding == "LATIN1" && !latin1(secret) && !latin1(p) {
					continue // two conversion errors: which one wins is the SQL's parameter order
				}
				want := srv.query("select "+compatSchema+".sign($1::json, $2, $3)", p, secret, alg)
				vars := map[string]string{envSecret: secret}
				got := cli("", vars, append(flags, "--alg", alg, p)...)
				expectSame(t, fmt.Sprintf("sign(%q, %q, %q)", p, secret, alg), got, want)
				if !strings.HasSuffix(p, "\n") {
					// The same payload on stdin, with the line end a shell adds.
					got = cli(p+"\n", vars, append(flags, "--alg", alg)...)
					expectSame(t, fmt.Sprintf("sign(%q) from stdin", p), got, want)
				}
			}
		}
	})
}

// verifyOutcome is one row of verify(): the JSON line pgjwt prints for it.
func verifyLine(t *testing.T, srv *server, token, secret, alg string) serverOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var header, payload *string
	var valid *bool
	err := srv.conn.QueryRow(ctx, "select header::text, payload::text, valid from "+compatSchema+".verify($1, $2, $3)",
		token, secret, alg).Scan(&header, &payload, &valid)
	if err != nil {
		code, msg, ok := pgtest.ErrorOf(err)
		if !ok {
			t.Fatalf("verify(%q): %v", token, err)
		}
		return serverOutcome{code: code, message: msg, detail: detailOf(err)}
	}
	orNull := func(s *string) string {
		if s == nil {
			return "null"
		}
		return *s
	}
	v := "null"
	if valid != nil {
		v = strconv.FormatBool(*valid)
	}
	return serverOutcome{value: `{"header":` + orNull(header) + `,"payload":` + orNull(payload) + `,"valid":` + v + `}`, valid: v}
}

func TestLiveVerifyMatchesServer(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, cl *pgtest.Cluster) {
		srv := connect(t, withPgjwt(t, cl.UTF8))
		// A custom plan folds verify()'s IMMUTABLE steps (url_decode,
		// algorithm_sign) at plan time, so for a token with two faults the
		// algorithm error can overtake a header error. A generic plan runs
		// SELECT * FROM verify(...) in full evaluation order, the order
		// jwt.VerifyAt (and so pgjwt verify) follows.
		if _, err := srv.conn.Exec(context.Background(), "set plan_cache_mode = force_generic_plan"); err != nil {
			t.Fatal(err)
		}
		major := strconv.Itoa(cl.Major)
		now := time.Now().Unix()
		future, past := strconv.FormatInt(now+86400*365, 10), strconv.FormatInt(now-86400*365, 10)
		claimSets := []string{
			`{"a":1}`, `{"exp":` + future + `}`, `{"exp":` + past + `}`, `{"nbf":` + future + `}`, `{"nbf":` + past + `,"exp":` + future + `}`,
			`{"exp":"` + future + `"}`, `{"exp":" ` + future + ` "}`, `{"exp":"1e11"}`, `{"exp":"0x174876E7FF"}`, `{"exp":"Infinity"}`,
			`{"exp":"-Infinity"}`, `{"exp":"NaN"}`, `{"nbf":"nan"}`, `{"exp":9224318016000}`, `{"exp":1e20}`, `{"exp":-210866803201}`,
			`{"nbf":99999999999,"exp":1}`, `{"exp":1,"exp":99999999999}`, `{"exp":99999999999,"exp":1}`, `[{"exp":1}]`, `"str"`,
			`{"EXP":1}`, `{"exp":"\u0031"}`, `{"x":"\u0000","exp":99999999999}`, `{"x":"\ud800"}`, `{"exp":true}`, `{"exp":"75z"}`,
			` {"role" : "web_user"} `, `{"exp":1e400}`, `{"exp":"1e-400"}`,
		}
		const secret = "reallyreallyreallyreallyverysafe"
		var tokens []string
		for _, p := range claimSets {
			for _, alg := range []string{"HS256", "HS384"} {
				r := cli("", map[string]string{envSecret: secret}, "sign", "--alg", alg, p)
				if r.code != exitOK {
					t.Fatalf("sign %s: %s", p, r.stderr)
				}
				tok := strings.TrimSuffix(r.stdout, "\n")
				tokens = append(tokens, tok)
			}
		}
		base := tokens[0]
		parts := strings.Split(base, ".")
		tokens = append(tokens,
			base+".garbage!!", base+".", parts[0]+"."+parts[1], parts[0]+"."+parts[1]+".", parts[0], "",
			"eyJhbGciOiJub25lIn0.e30.", " "+base, "Bearer "+base, base+"=", ".e30.x", "e30..x",
			"_w.e30.x", "AA.e30.x", "e30.bm90IGpzb24.x", "e30.QQ==QUJD.x", "é.e30.x", "e30.QUJD€.x", "QQ\n.e30.x",
			strings.ToUpper(base), parts[0]+"."+jwt.URLEncode([]byte("not json"))+"."+parts[2],
		)
		cases := 0
		for i, tok := range tokens {
			for j, alg := range []string{"HS256", "HS384", "HS512", "bogus"} {
				if j >= 2 && i%3 != 0 {
					continue
				}
				sec := secret
				if (i+j)%7 == 0 {
					sec = "wrong secret"
				}
				cases++
				want := verifyLine(t, srv, tok, sec, alg)
				got := cli("", map[string]string{envSecret: sec}, "verify", "--pg", major, "--alg", alg, tok)
				name := fmt.Sprintf("verify(%q, %q, %q)", tok, sec, alg)
				if want.code != "" {
					expectSame(t, name, got, want)
					continue
				}
				wantCode := exitFalse
				if want.valid == "true" {
					wantCode = exitOK
				}
				if got.stdout != want.value+"\n" || got.code != wantCode || got.stderr != "" {
					t.Errorf("%s: server row %s (exit %d expected); pgjwt exited %d with stdout %q stderr %q",
						name, want.value, wantCode, got.code, got.stdout, got.stderr)
				}
			}
		}
		t.Logf("%d verify() calls compared on %s", cases, cl.Version)
	})
}
