package auth

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

type handlerCase struct {
	name, method, target, contentType, accept, body string
	status                                          int
	wantBody                                        string // "" = the user's token object
	header                                          map[string]string
}

const (
	invalidJSON = `{"code":"PGRST102","details":null,"hint":null,"message":"Empty or invalid json"}`
	badPassword = `{"code":"28P01","details":null,"hint":null,"message":"invalid user or password"}`
)

func noFunctionBody(params, detail string) string {
	return `{"code":"PGRST202","details":"Searched for the function public.login` + detail +
		`, but no matches were found in the schema cache.","hint":"Perhaps you meant to call the function public.login(email, pass)","message":"Could not find the function public.login` +
		params + ` in the schema cache"}`
}

// handlerCases are PostgREST's answers for POST /rpc/login with the seed's
// login(email, pass) returning jwt_token: the 2xx and 28P01 shapes from the
// specification (§3.1, §6), the PGRST1xx/2xx texts from PostgREST's
// Error.hs, ApiRequest.hs, Payload.hs and MediaType.hs (v16).
var handlerCases = []handlerCase{
	{name: "json", method: "POST", body: `{"email":"u@example.com","pass":"pw"}`, contentType: "application/json", status: 200,
		header: map[string]string{"Content-Type": "application/json; charset=utf-8", "Content-Range": "0-0/*", "Vary": "Accept, Prefer, Range"}},
	{name: "json with charset and spaces", method: "POST", body: " {\"pass\" : \"pw\",\n \"email\":\"u@example.com\"} ", contentType: "Application/JSON; charset=utf-8", status: 200},
	{name: "no content type means json", method: "POST", body: `{"email":"u@example.com","pass":"pw"}`, status: 200},
	{name: "singular accept", method: "POST", body: `{"email":"u@example.com","pass":"pw"}`, accept: "application/vnd.pgrst.object+json", status: 200,
		header: map[string]string{"Content-Type": "application/vnd.pgrst.object+json; charset=utf-8"}},
	{name: "accept list", method: "POST", body: `{"email":"u@example.com","pass":"pw"}`, accept: "text/html, application/json;q=0.9", status: 200},
	{name: "duplicate key: last wins", method: "POST", body: `{"email":"x@y.z","email":"u@example.com","pass":"pw"}`, status: 200},
	{name: "array", method: "POST", body: `[{"email":"u@example.com","pass":"pw"}]`, status: 200},
	{name: "form", method: "POST", body: "email=u%40example.com&pass=pw", contentType: "application/x-www-form-urlencoded", status: 200},
	{name: "form with ;", method: "POST", body: "pass=pw;email=u@example.com", contentType: "application/x-www-form-urlencoded", status: 200},
	{name: "get", method: "GET", target: "/rpc/login?email=u%40example.com&pass=pw", status: 200},
	{name: "head", method: "HEAD", target: "/rpc/login?email=u%40example.com&pass=pw", status: 200, wantBody: "-"},
	{name: "wrong password", method: "POST", body: `{"email":"u@example.com","pass":"PW"}`, status: 403, wantBody: badPassword,
		header: map[string]string{"Content-Type": "application/json; charset=utf-8", "Proxy-Status": "PostgREST; error=28P01", "WWW-Authenticate": "", "Content-Length": "80"}},
	{name: "unknown user", method: "POST", body: `{"email":"nobody@example.com","pass":"pw"}`, status: 403, wantBody: badPassword},
	{name: "null email", method: "POST", body: `{"email":null,"pass":"pw"}`, status: 403, wantBody: badPassword},
	{name: "number pass", method: "POST", body: `{"email":"u@example.com","pass":12}`, status: 403, wantBody: badPassword},
	{name: "array wrong password", method: "POST", body: `[{"email":"u@example.com","pass":"pw"},{"email":"u@example.com","pass":"no"}]`, status: 403, wantBody: badPassword},
	{name: "invalid json", method: "POST", body: `{"email":`, status: 400, wantBody: invalidJSON},
	{name: "trailing garbage", method: "POST", body: `{"email":"u@example.com","pass":"pw"} x`, status: 400, wantBody: invalidJSON},
	{name: "invalid utf-8", method: "POST", body: "{\"email\":\"\xff\",\"pass\":\"pw\"}", status: 400, wantBody: invalidJSON},
	{name: "array keys differ", method: "POST", body: `[{"email":"a","pass":"b"},{"email":"a"}]`, status: 400,
		wantBody: `{"code":"PGRST102","details":null,"hint":null,"message":"All object keys must match"}`},
	{name: "array of non-objects", method: "POST", body: `[{"email":"a","pass":"b"},1]`, status: 400,
		wantBody: `{"code":"PGRST102","details":null,"hint":null,"message":"All object keys must match"}`},
	{name: "empty body", method: "POST", body: "", status: 404, wantBody: noFunctionBody(" without parameters", " without parameters or with a single unnamed json/jsonb parameter")},
	{name: "scalar body", method: "POST", body: `"x"`, status: 404, wantBody: noFunctionBody(" without parameters", " without parameters or with a single unnamed json/jsonb parameter")},
	{name: "missing pass", method: "POST", body: `{"email":"u@example.com"}`, status: 404, wantBody: noFunctionBody("(email)", " with parameter email or with a single unnamed json/jsonb parameter")},
	{name: "extra key", method: "POST", body: `{"pass":"pw","email":"u@example.com","id":1}`, status: 404,
		wantBody: noFunctionBody("(email, id, pass)", " with parameters email, id, pass or with a single unnamed json/jsonb parameter")},
	{name: "form missing key", method: "POST", body: "email=u", contentType: "application/x-www-form-urlencoded", status: 404,
		wantBody: noFunctionBody("(email)", " with parameter email")},
	{name: "text/plain", method: "POST", body: "x", contentType: "text/plain", status: 404,
		wantBody: `{"code":"PGRST202","details":"Searched for the function public.login with a single unnamed text parameter, but no matches were found in the schema cache.","hint":null,"message":"Could not find the function public.login in the schema cache"}`},
	{name: "octet-stream", method: "POST", body: "x", contentType: "application/octet-stream", status: 404,
		wantBody: `{"code":"PGRST202","details":"Searched for the function public.login with a single unnamed bytea parameter, but no matches were found in the schema cache.","hint":null,"message":"Could not find the function public.login in the schema cache"}`},
	{name: "other content type", method: "POST", body: "x", contentType: "text/html; charset=utf-8", status: 400,
		wantBody: `{"code":"PGRST102","details":null,"hint":null,"message":"Content-Type not acceptable: text/html; charset=utf-8"}`},
	{name: "geo json", method: "POST", body: "{}", contentType: "application/geo+json", status: 400,
		wantBody: `{"code":"PGRST102","details":null,"hint":null,"message":"Content-Type not acceptable: application/geo+json"}`},
	{name: "put", method: "PUT", body: "{}", status: 405,
		wantBody: `{"code":"PGRST101","details":null,"hint":null,"message":"Cannot use the PUT method on RPC"}`,
		header:   map[string]string{"Proxy-Status": "PostgREST; error=PGRST101"}},
	{name: "delete", method: "DELETE", status: 405,
		wantBody: `{"code":"PGRST101","details":null,"hint":null,"message":"Cannot use the DELETE method on RPC"}`},
	{name: "options", method: "OPTIONS", status: 200, wantBody: "-",
		header: map[string]string{"Allow": "OPTIONS,POST", "Access-Control-Allow-Origin": "*", "Content-Length": "0"}},
	{name: "unacceptable accept", method: "POST", body: `{"email":"u@example.com","pass":"pw"}`, accept: "text/html, text/plain", status: 406,
		wantBody: `{"code":"PGRST107","details":null,"hint":null,"message":"None of these media types are available: text/html, text/plain"}`},
}

func TestLoginHandler(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc, err := NewService(NewMemStore("web"), testSecret, WithClock(func() time.Time { return at }))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignUp(t.Context(), "u@example.com", "pw", "web"); err != nil {
		t.Fatal(err)
	}
	token, err := svc.Login(t.Context(), "u@example.com", "pw")
	if err != nil {
		t.Fatal(err)
	}
	// PostgREST's behaviour: GET and array bodies on, as upstream.
	h := NewLoginHandler(svc, WithLoginGET(true), WithBulkLogin(math.MaxInt))
	for _, tc := range handlerCases {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = "/rpc/login"
			}
			req := httptest.NewRequest(tc.method, target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			want := tc.wantBody
			switch want {
			case "":
				want = `{"token":"` + token + `"}`
			case "-":
				want = ""
			}
			if rec.Code != tc.status || rec.Body.String() != want {
				t.Fatalf("got %d %s\nwant %d %s", rec.Code, rec.Body, tc.status, want)
			}
			for k, v := range tc.header {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s: %q, want %q", k, got, v)
				}
			}
			if cl := rec.Header().Get("Content-Length"); rec.Body.Len() > 0 && cl != "" && cl != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length %s for %d bytes", cl, rec.Body.Len())
			}
		})
	}
}

// TestLoginHandlerLive serves logins from the PostgreSQL store: the body is
// the SQL login()'s token, and the JSON values become text exactly as
// json_to_recordset makes them (checked against the server), including the
// errors PostgreSQL raises for \u0000 and broken surrogates.
func TestLoginHandlerLive(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		store, err := NewPGStore(ctx, l.Pool)
		if err != nil {
			t.Fatal(err)
		}
		var clk clock
		svc, err := NewService(store, testSecret, WithClock(clk.now))
		if err != nil {
			t.Fatal(err)
		}
		// An email that is a JSON object's text, a password that is a
		// number's text as written.
		for _, u := range [][2]string{{`{"a@b.c" : [1, 2]}`, "12.50e1"}, {"true@b.c", "true"}, {"😀@b.c", "é\n"}} {
			if _, err := l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, $2, $3)", u[0], u[1], l.WebUser); err != nil {
				t.Fatal(err)
			}
		}
		h := NewLoginHandler(svc)
		for _, body := range []string{
			`{"email": {"a@b.c" : [1, 2]}, "pass": 12.50e1}`,
			`{"email":"true@b.c","pass":true}`,
			`{"email":"\ud83d\ude00@b.c","pass":"\u00e9\n"}`,
			`{"email":"\u0000","pass":"x"}`,
			`{"email":"a\ud800b","pass":"x"}`,
			`{"email":"\udc00","pass":"x"}`,
			`{"email":"\ud800\ud800","pass":"x"}`,
			`{"email":"\\u0000","pass":"\u0000"}`,
			`{"email":"a\ud800","pass":"\u0000"}`,
			`{"email":"x","pass":{"k":"\u0000"}}`,
			// The first failure in the text is the one reported.
			`{"email":"\u0000","pass":"\ud800"}`,
			`{"email":["\udc00"],"pass":"\u0000"}`,
			`{"pass":"\u0000\ud800","email":"x"}`,
		} {
			// The oracle: the same JSON through json_to_recordset into
			// login(), as PostgREST runs it.
			var want string
			var now time.Time
			var pgErr *pgconn.PgError
			err := l.Pool.QueryRow(ctx, `SELECT now(), (public.login(a.email, a.pass)).token
				FROM json_to_recordset(json_build_array($1::json)) AS a(email text, pass text)`, body).Scan(&now, &want)
			status, wantBody := 200, `{"token":"`+want+`"}`
			if errors.As(err, &pgErr) {
				e := postgrest.FromDBError(err, false)
				status, wantBody = e.Status, string(e.Body(postgrest.Verbose))
			} else if err != nil {
				t.Fatal(err)
			}
			clk.set(now)
			req := httptest.NewRequest("POST", "/rpc/login", strings.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got, _ := io.ReadAll(rec.Body)
			if rec.Code != status || string(got) != wantBody {
				t.Errorf("%s:\n got %d %s\nwant %d %s", body, rec.Code, got, status, wantBody)
			}
		}
	})
}

func TestLoginHandlerOptions(t *testing.T) {
	svc, err := NewService(NewMemStore("web"), testSecret)
	if err != nil {
		t.Fatal(err)
	}
	h := NewLoginHandler(svc, WithLoginGET(false), WithMaxLoginBody(10), WithLoginSchema("api"), WithLoginVerbosity(postgrest.Minimal))
	for _, tc := range []struct {
		method, body string
		status       int
		want         string
	}{
		{"GET", "", 405, `{"code":"PGRST101","message":"Cannot use the GET method on RPC"}`},
		{"HEAD", "", 405, ``},
		{"POST", `{"email":"a@b.c","pass":"xx"}`, 413, `{"code":"PGRST102","message":"Request body exceeds 10 bytes"}`},
		{"POST", `{}`, 404, `{"code":"PGRST202","message":"Could not find the function api.login without parameters in the schema cache"}`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/rpc/login?email=a&pass=b", strings.NewReader(tc.body)))
		if body := rec.Body.String(); rec.Code != tc.status || (tc.method != "HEAD" && body != tc.want) {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.body, rec.Code, body, tc.status, tc.want)
		}
	}
}

// TestLoginBehindMiddleware: as in PostgREST, a login request that carries
// an expired token fails with PGRST303 before login() runs; without a token
// it runs as the anonymous role; and the token it returns authenticates the
// next request.
func TestLoginBehindMiddleware(t *testing.T) {
	now := time.Now()
	svc, err := NewService(NewMemStore("web"), testSecret, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SignUp(t.Context(), "u@example.com", "pw", "web"); err != nil {
		t.Fatal(err)
	}
	mw, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(testSecret), postgrest.WithAnonRole("anon"))
	if err != nil {
		t.Fatal(err)
	}
	h := mw(NewLoginHandler(svc))
	post := func(bearer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/rpc/login", strings.NewReader(`{"email":"u@example.com","pass":"pw"}`))
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := post("")
	if rec.Code != 200 {
		t.Fatalf("anonymous login: %d %s", rec.Code, rec.Body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if rec := post(out.Token); rec.Code != 200 {
		t.Fatalf("login with a fresh token: %d %s", rec.Code, rec.Body)
	}
	old := now
	now = now.Add(-2 * time.Hour) // a token that expired an hour ago
	stale, err := svc.Login(t.Context(), "u@example.com", "pw")
	now = old
	if err != nil {
		t.Fatal(err)
	}
	rec = post(stale)
	if rec.Code != 401 || rec.Body.String() != `{"code":"PGRST303","details":null,"hint":null,"message":"JWT expired"}` {
		t.Fatalf("login with an expired token: %d %s", rec.Code, rec.Body)
	}
}
