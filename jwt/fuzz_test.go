package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// fuzzing reports whether this process is a fuzzing worker, where calling
// the server for every input would be far too slow.
func fuzzing() bool {
	f := flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() == "true"
}

// edgeStrings returns the string arguments of the vectors, as seeds.
func edgeStrings(t testing.TB, fn string, arg int) []string {
	b, err := os.ReadFile("testdata/edge_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []edgeCase }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range f.Cases {
		if c.Func == fn && len(c.Args) > arg && c.Args[arg] != nil {
			out = append(out, *c.Args[arg])
		}
	}
	return out
}

// FuzzURLDecode: never panics; the bytes or the error agree with the
// server's url_decode for the seed corpus (when not fuzzing).
func FuzzURLDecode(f *testing.F) {
	for _, s := range append(edgeStrings(f, "url_decode", 0), base64Atoms...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := URLDecode(s)
		if err != nil && got != nil {
			t.Fatalf("URLDecode(%q) returned bytes with error %v", s, err)
		}
		if !pgText(s) {
			if !errors.Is(err, ErrInvalidEncoding) {
				t.Fatalf("URLDecode(%q): %v, want ErrInvalidEncoding", s, err)
			}
			return
		}
		if err == nil && len(got) > (len(s)+3)/4*3 {
			t.Fatalf("URLDecode(%q) = %d bytes, too many", s, len(got))
		}
		if fuzzing() || testing.Short() {
			return
		}
		for _, c := range pgtest.Clusters(t) {
			pool := oracle(t, c.UTF8)
			var o outcomeRow
			if err := pool.QueryRow(ctx(t), "select result, code, msg, detail, hint from "+oracleSchema+".t_url_decode($1)", []string{s}).
				Scan(&o.bytes, &o.code, &o.msg, &o.detail, &o.hint); err != nil {
				t.Fatal(err)
			}
			if o.code != nil {
				_, err := ForVersion(c.Major).URLDecode(s)
				compareErr(t, c.String()+": URLDecode("+describe(s)+")", err, o.sql())
			} else if err != nil || !bytes.Equal(got, o.bytes) {
				t.Errorf("%s: URLDecode(%q) = %x, %v; server %x", c, s, got, err, o.bytes)
			}
		}
	})
}

// FuzzVerify: any token, secret and algorithm give a result or a *Error,
// never a panic, and the same answer twice.
func FuzzVerify(f *testing.F) {
	at := time.Unix(1767225600, 0)
	for _, s := range edgeStrings(f, "verify", 0) {
		f.Add(s, "s", "HS256")
	}
	f.Add(benchToken, benchSecret, "HS256")
	f.Add("a.b.c.d.e", "", "HS512")
	f.Fuzz(func(t *testing.T, token, secret, alg string) {
		res, err := VerifyAt(token, secret, alg, at)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Code) != 5 {
				t.Fatalf("VerifyAt(%q): error %T %v without SQLSTATE", token, err, err)
			}
			return
		}
		if res.Valid == Valid && bytes.Count([]byte(token), []byte(".")) < 2 {
			t.Fatalf("VerifyAt(%q) valid with fewer than three segments", token)
		}
		again, err := VerifyAt(token, secret, alg, at)
		if err != nil || again.Valid != res.Valid || !bytes.Equal(again.Header, res.Header) || !bytes.Equal(again.Payload, res.Payload) {
			t.Fatalf("VerifyAt(%q) not deterministic", token)
		}
	})
}

// FuzzSignVerify: whatever Sign accepts, Verify gives back verbatim, with a
// matching signature; only the nbf/exp window may then say false or fail.
func FuzzSignVerify(f *testing.F) {
	for _, s := range edgeStrings(f, "sign", 0) {
		f.Add(s, "s", uint8(0))
	}
	f.Add(benchPayload, benchSecret, uint8(1))
	f.Add(`{"exp":"NaN"}`, "", uint8(2))
	at := time.Unix(1767225600, 0)
	f.Fuzz(func(t *testing.T, payload, secret string, algIndex uint8) {
		alg := [...]string{"HS256", "HS384", "HS512", "hs256"}[algIndex%4]
		token, err := Sign(json.RawMessage(payload), secret, alg)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Sign(%q): error %T %v", payload, err, err)
			}
			return
		}
		res, err := VerifyAt(token, secret, alg, at)
		if err != nil {
			switch e := err.(*Error); e.Code {
			case "22008", "22000", "22P05", "22P02": // window: claims, range, escapes
			default:
				t.Fatalf("Verify(Sign(%q)): %v", payload, err)
			}
			return
		}
		if string(res.Payload) != payload || string(res.Header) != `{"alg":"`+alg+`","typ":"JWT"}` {
			t.Fatalf("Verify(Sign(%q)) = %q, %q", payload, res.Header, res.Payload)
		}
		if res.Valid == Unknown {
			t.Fatalf("Verify(Sign(%q)) = NULL", payload)
		}
		if wrong, err := VerifyAt(token, secret+"x", alg, at); err != nil || wrong.Valid != Invalid {
			t.Fatalf("Verify(Sign(%q)) with another secret = %v, %v", payload, wrong.Valid, err)
		}
	})
}
