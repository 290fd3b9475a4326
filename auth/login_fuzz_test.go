package auth

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// emailPattern is the users check in Go's RE2 syntax: (?s) lets "." match
// newlines and \A…\z anchor at the string's ends, as PostgreSQL's ARE does
// by default (TestEmailCheckLive compares with the server itself).
var emailPattern = regexp.MustCompile(`(?s)\A.+@.+\..+\z`)

func FuzzEmailMatches(f *testing.F) {
	for _, st := range storeBehaviour() {
		f.Add(st.email)
	}
	for _, s := range []string{"", "@", "a@b.c", "\n@\n.\n", "a@.c", "@@..", "é@é.é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // PostgreSQL refuses such text before any check
		}
		if got, want := emailMatches(s), emailPattern.MatchString(s); got != want {
			t.Fatalf("%q: emailMatches %v, pattern %v", s, got, want)
		}
	})
}

// FuzzLoginHandler: whatever the body, content type and method, the handler
// answers with a known status and, for errors, PostgREST's four-key JSON
// envelope; it never panics.
func FuzzLoginHandler(f *testing.F) {
	for _, tc := range handlerCases {
		f.Add(tc.method, tc.contentType, tc.body)
	}
	f.Add("POST", "", `{"email":"u@example.com","pass":"\ud800"}`)
	f.Add("POST", "application/json", `[[],{}]`)
	f.Add("POST", "application/x-www-form-urlencoded", "email=%zz&pass=%&;;=")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc, err := NewService(NewMemStore("web"), testSecret, WithClock(func() time.Time { return at }))
	if err != nil {
		f.Fatal(err)
	}
	if err := svc.SignUp(f.Context(), "u@example.com", "pw", "web"); err != nil {
		f.Fatal(err)
	}
	h := NewLoginHandler(svc)
	f.Fuzz(func(t *testing.T, method, contentType, body string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") || !utf8.ValidString(method) {
			return // not an HTTP token: net/http would not deliver it
		}
		req := httptest.NewRequest("POST", "/rpc/login", strings.NewReader(body))
		req.Method = method
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200:
			return
		case 400, 403, 404, 405, 406, 413:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var e map[string]*string
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e) != 4 || e["code"] == nil || e["message"] == nil {
			t.Fatalf("status %d, body %q: not PostgREST's envelope (%v)", rec.Code, rec.Body, err)
		}
	})
}
