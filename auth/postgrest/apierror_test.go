package postgrest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// The content lengths PostgREST sends for its JWT errors (spec §3.2).
func TestJWTErrorBodyLengths(t *testing.T) {
	wrongSecret := "None of the keys was able to decode the JWT"
	unsecured := "JWT is unsecured but expected 'alg' was not 'none'"
	cases := []struct {
		e    *APIError
		want int
	}{
		{jwtSecretMissing(), 82},
		{jwtDecodeError("Empty JWT is sent in Authorization header", nil), 100},
		{jwtDecodeError("Expected 3 parts in JWT; got 2", nil), 89},
		{jwtDecodeError("JWT cryptographic operation failed", nil), 93},
		{jwtDecodeError("Wrong or unsupported encoding algorithm", &unsecured), 146},
		{jwtDecodeError("No suitable key or wrong key type", &wrongSecret), 133},
		{jwtTokenRequired(), 87},
		{jwtClaimsError("JWT expired"), 70},
		{jwtClaimsError("JWT not yet valid"), 76},
		{jwtClaimsError("JWT issued at future"), 79},
		{jwtClaimsError("JWT not in audience"), 78},
		{jwtClaimsError("Parsing claims failed"), 80},
		{jwtClaimsError("The JWT 'exp' claim must be a number"), 95},
		{jwtClaimsError("The JWT 'aud' claim must be a string or an array of strings"), 118},
	}
	for _, c := range cases {
		if got := len(c.e.Body(Verbose)); got != c.want {
			t.Errorf("%s %q: body length %d, want %d: %s", c.e.Code, c.e.Message, got, c.want, c.e.Body(Verbose))
		}
	}
	if got, want := string(jwtClaimsError("JWT expired").Body(Verbose)), `{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}`; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	if got, want := string(jwtClaimsError("JWT expired").Body(Minimal)), `{"code":"PGRST303","message":"JWT expired"}`; got != want {
		t.Errorf("minimal body %s, want %s", got, want)
	}
}

func TestRespondHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	jwtClaimsError("JWT expired").Respond(rec, Verbose)
	want := map[string]string{
		"Content-Type":     "application/json; charset=utf-8",
		"Content-Length":   "70",
		"Proxy-Status":     "PostgREST; error=PGRST303",
		"Www-Authenticate": `Bearer error="invalid_token", error_description="JWT expired"`,
	}
	if rec.Code != 401 {
		t.Errorf("status %d", rec.Code)
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if len(rec.Header()) != len(want) {
		t.Errorf("headers %v, want exactly %v", rec.Header(), want)
	}
}

func TestJSONStringLikeAeson(t *testing.T) {
	cases := map[string]string{
		`a"b\c`:              `"a\"b\\c"`,
		"l1\nl2\r\t\x01\x1f": `"l1\nl2\r\t\u0001\u001f"`,
		"\b\f":               `"\u0008\u000c"`,
		"<&> \u2028 é":       "\"<&> \u2028 é\"",
		"bad\xffutf8":        "\"bad\uFFFDutf8\"",
		"\x7f":               "\"\x7f\"",
	}
	for in, want := range cases {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestHaskellShow(t *testing.T) {
	cases := map[string]string{
		"JWT expired":         `"JWT expired"`,
		"The JWT 'exp' claim": `"The JWT 'exp' claim"`,
		`say "hi" \ bye`:      `"say \"hi\" \\ bye"`,
		"é1":                  `"\233\&1"`,
		"éa":                  `"\233a"`,
		"\x0eH\x0eI":          `"\SO\&H\SOI"`,
		"\n\x00\x7f":          `"\n\NUL\DEL"`,
		"\x001":               `"\NUL1"`,
	}
	for in, want := range cases {
		if got := haskellShow(in); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestFromDBError(t *testing.T) {
	detail, hint := "some detail", "Please contact administrator"
	cases := []struct {
		name   string
		err    error
		authed bool
		status int
		www    string
		body   string
	}{
		{"42501 anon", &pgconn.PgError{Code: "42501", Message: "permission denied for table authors_only"}, false, 401, "Bearer",
			`{"code":"42501","details":null,"hint":null,"message":"permission denied for table authors_only"}`},
		{"42501 authed", &pgconn.PgError{Code: "42501", Message: "permission denied for table private_table"}, true, 403, "",
			`{"code":"42501","details":null,"hint":null,"message":"permission denied for table private_table"}`},
		{"22023 role", &pgconn.PgError{Code: "22023", Message: `role "not existing" does not exist`}, true, 401, "Bearer",
			`{"code":"22023","details":null,"hint":null,"message":"role \"not existing\" does not exist"}`},
		{"22023 other", &pgconn.PgError{Code: "22023", Message: `invalid value`}, true, 400, "", ""},
		{"28P01 login", sqlerr.New("login", "28P01", "invalid user or password"), false, 403, "",
			`{"code":"28P01","details":null,"hint":null,"message":"invalid user or password"}`},
		{"P0001 hint", &pgconn.PgError{Code: "P0001", Message: "Disabled ID --> 3", Hint: hint}, true, 400, "",
			`{"code":"P0001","details":null,"hint":"Please contact administrator","message":"Disabled ID --> 3"}`},
		{"23505 detail", &pgconn.PgError{Code: "23505", Message: "dup", Detail: detail}, true, 409, "",
			`{"code":"23505","details":"some detail","hint":null,"message":"dup"}`},
		{"PT401", &pgconn.PgError{Code: "PT401", Message: "Unauthorized"}, true, 401, "Bearer", ""},
		{"PT418", &pgconn.PgError{Code: "PT418", Message: "teapot"}, false, 418, "", ""},
		{"PTabc", &pgconn.PgError{Code: "PTabc", Message: "x"}, false, 500, "", ""},
		{"wrapped", errors.Join(errors.New("ctx"), &pgconn.PgError{Code: "08006", Message: "x"}), false, 503, "", ""},
		{"42883", &pgconn.PgError{Code: "42883", Message: "function f() does not exist"}, false, 404, "", ""},
		{"42P01", &pgconn.PgError{Code: "42P01", Message: "x"}, false, 404, "", ""},
		{"0P000", &pgconn.PgError{Code: "0P000", Message: "x"}, false, 403, "", ""},
		{"53400", &pgconn.PgError{Code: "53400", Message: "x"}, false, 500, "", ""},
		{"53300", &pgconn.PgError{Code: "53300", Message: "x"}, false, 503, "", ""},
		{"XX000", &pgconn.PgError{Code: "XX000", Message: "x"}, false, 500, "", ""},
		{"21000 safeupdate", &pgconn.PgError{Code: "21000", Message: "DELETE requires a WHERE clause"}, false, 400, "", ""},
		{"no sqlstate", errors.New("connection reset"), false, 503, "",
			`{"code":"PGRST001","details":null,"hint":null,"message":"Database client error. Retrying the connection."}`},
		{"PGRST raise", &pgconn.PgError{Code: "PGRST", Message: `{"code":"123","message":"Payment Required","details":"Quota exceeded","hint":"Upgrade your plan"}`,
			Detail: `{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}`}, false, 402, "",
			`{"code":"123","details":"Quota exceeded","hint":"Upgrade your plan","message":"Payment Required"}`},
		{"PGRST bad", &pgconn.PgError{Code: "PGRST", Message: `nope`, Detail: `{}`}, false, 500, "",
			`{"code":"PGRST121","details":"Invalid JSON value for MESSAGE: 'nope'","hint":"MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.","message":"Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := FromDBError(c.err, c.authed)
			rec := httptest.NewRecorder()
			e.Respond(rec, Verbose)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != c.www {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.www)
			}
			if c.body != "" && rec.Body.String() != c.body {
				t.Errorf("body %s\nwant %s", rec.Body, c.body)
			}
			if got := rec.Header().Get("Proxy-Status"); got != "PostgREST; error="+e.Code {
				t.Errorf("Proxy-Status %q", got)
			}
		})
	}
	e := FromDBError(&pgconn.PgError{Code: "PGRST", Message: `{"code":"123","message":"m"}`, Detail: `{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}`}, false)
	rec := httptest.NewRecorder()
	e.Respond(rec, Verbose)
	if rec.Header().Get("X-Powered-By") != "Nerd Rage" {
		t.Errorf("PGRST headers not sent: %v", rec.Header())
	}
	_ = http.StatusOK
}
