package postgrest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzMiddleware feeds arbitrary Authorization headers, and arbitrary payload
// bytes signed with the right key (so that claim parsing is reached), through
// the middleware. Invariants: no panic; a failure is a well-formed PostgREST
// error (JSON envelope with exactly code/details/hint/message, a PGRST30x
// code with its status and WWW-Authenticate, Content-Length right); a success
// hands on claims that are a JSON object whose "role" is the role; a second
// identical request (a cache hit) gets the same answer.
func FuzzMiddleware(f *testing.F) {
	seeds := []string{
		"", "Bearer ", "Bearer", "bearer " + authorToken, "BEARER x", "Basic dXNlcjpwYXNz", "Bearer a.b.c.d.e",
		"Bearer quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah",
		"Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.anything",
		"Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA",
		"Bearer\xa0" + authorToken, "Bearer " + authorToken + "=",
	}
	payloads := []string{`{"role":"r"}`, `{}`, `[]`, `{"exp":"x"}`, `{"exp":1.5}`, `{"aud":[1]}`, `{"nbf":1e30,"role":null}`,
		`{"role":{"b":1,"a":[1.0e-3,"\u2028<"]}}`, "{\"role\":\"\xff\"}", `{"iat":9999999999}`, `{"aud":"youraudience"}`}
	for _, c := range readVectors(f) {
		seeds = append(seeds, c.auth...)
	}
	for i, s := range seeds {
		f.Add(s, []byte(payloads[i%len(payloads)]))
	}
	a, err := NewAuthenticator(WithJWTSecret(specSecret), WithAnonRole(specAnon), WithJWTAud("youraudience"),
		WithClock(func() time.Time { return testNow }), WithJWTCacheMaxEntries(64))
	if err != nil {
		f.Fatal(err)
	}
	h := a.Middleware(jsonEchoHandler)
	f.Fuzz(func(t *testing.T, header string, payload []byte) {
		input := b64(`{"alg":"HS256","typ":"JWT"}`) + "." + base64.RawURLEncoding.EncodeToString(payload)
		sig, err := jwt.SigningMethodHS256.Sign(input, []byte(specSecret))
		if err != nil {
			t.Fatal(err)
		}
		signed := input + "." + base64.RawURLEncoding.EncodeToString(sig)
		for _, auth := range []string{header, "Bearer " + signed} {
			first := serve(t, h, auth)
			checkResponse(t, first)
			second := serve(t, h, auth)
			if first.Code != second.Code || first.Body.String() != second.Body.String() {
				t.Fatalf("cache changed the answer: %d %s vs %d %s", first.Code, first.Body, second.Code, second.Body)
			}
		}
	})
}

// jsonEchoHandler answers 200 with the Identity as JSON (unambiguous for any
// role text).
var jsonEchoHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, _ := IdentityFrom(r.Context())
	_ = json.NewEncoder(w).Encode(echoedIdentity{id.Role(), id.Claims(), id.Authenticated()})
})

type echoedIdentity struct {
	Role          string
	Claims        string
	Authenticated bool
}

func serve(t *testing.T, h http.Handler, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/", nil)
	req.Header["Authorization"] = []string{auth}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func checkResponse(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.Bytes()
	if rec.Code == 200 {
		var id echoedIdentity
		if err := json.Unmarshal(body, &id); err != nil {
			t.Fatalf("success body %q: %v", body, err)
		}
		var claims map[string]any
		if err := json.Unmarshal([]byte(id.Claims), &claims); err != nil {
			t.Fatalf("claims not a JSON object: %q: %v", id.Claims, err)
		}
		if claims["role"] != id.Role {
			t.Fatalf("claims role %v, role %q", claims["role"], id.Role)
		}
		return
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("error body not JSON: %q", body)
	}
	if len(env) != 4 || env["code"] == nil || env["details"] == nil || env["hint"] == nil || env["message"] == nil {
		t.Fatalf("not the four-member envelope: %s", body)
	}
	if !bytes.HasPrefix(body, []byte(`{"code":`)) {
		t.Fatalf("members out of order: %s", body)
	}
	var code, msg string
	json.Unmarshal(env["code"], &code)
	json.Unmarshal(env["message"], &msg)
	wantStatus, wantWWW := 401, `Bearer error="invalid_token", error_description=`+haskellShow(msg)
	switch code {
	case "PGRST300":
		wantStatus, wantWWW = 500, ""
	case "PGRST302":
		wantWWW = "Bearer"
	case "PGRST301", "PGRST303":
	default:
		t.Fatalf("unexpected code %s", body)
	}
	if rec.Code != wantStatus {
		t.Fatalf("status %d for %s", rec.Code, body)
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != wantWWW {
		t.Fatalf("WWW-Authenticate %q, want %q", got, wantWWW)
	}
	if rec.Header().Get("Content-Length") != strconv.Itoa(len(body)) ||
		rec.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
		rec.Header().Get("Proxy-Status") != "PostgREST; error="+code {
		t.Fatalf("headers %v", rec.Header())
	}
}
