package main

import (
	"strings"
	"testing"
)

// TestAccountsAndThrottle: a user signs up (with the configured role, not
// the one in the body), logs in, changes the password with the token; the
// account is throttled after 10 attempts with 429 and Retry-After.
func TestAccountsAndThrottle(t *testing.T) {
	s := start(t, nil)
	if !strings.Contains(s.output(), "throttle: in memory") {
		t.Fatalf("no throttle announced:\n%s", s.output())
	}
	status, body, _ := call(t, "POST", s.base+"/rpc/signup", "", `{"email":"new@example.com","pass":"first-pass"}`)
	if status != 204 || body != "" {
		t.Fatalf("signup: %d %s", status, body)
	}
	status, body, _ = call(t, "POST", s.base+"/rpc/signup", "", `{"email":"new@example.com","pass":"x"}`)
	if status != 409 || !strings.Contains(body, `"code":"23505"`) {
		t.Fatalf("second signup: %d %s", status, body)
	}
	status, _, _ = call(t, "POST", s.base+"/rpc/signup", "", `{"email":"admin@example.com","pass":"x","role":"postgres"}`)
	if status != 404 {
		t.Fatalf("signup with a role: %d, want 404 (no such function)", status)
	}
	token := login(t, s.base, "new@example.com", "first-pass")
	if me := getMe(t, s.base, token); me.Role != demoRole {
		t.Fatalf("signed-up user's role %q", me.Role)
	}
	status, body, _ = call(t, "POST", s.base+"/rpc/change_password", token, `{"pass":"first-pass","new_pass":"second-pass"}`)
	if status != 204 {
		t.Fatalf("change_password: %d %s", status, body)
	}
	status, _, _ = call(t, "POST", s.base+"/rpc/change_password", "", `{"pass":"second-pass","new_pass":"x"}`)
	if status != 401 {
		t.Fatalf("anonymous change_password: %d", status)
	}
	login(t, s.base, "new@example.com", "second-pass")

	// The two logins above counted; 8 wrong ones exhaust the account's 10.
	for i := range accountLimit.Burst - 2 {
		if status, body, _ := call(t, "POST", s.base+"/rpc/login", "", `{"email":"new@example.com","pass":"guess"}`); status != 403 {
			t.Fatalf("guess %d: %d %s", i+1, status, body)
		}
	}
	status, body, resp := call(t, "POST", s.base+"/rpc/login", "", `{"email":"new@example.com","pass":"second-pass"}`)
	if status != 429 || !strings.Contains(body, `"code":"PT429"`) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d attempts: %d %s %v", accountLimit.Burst, status, body, resp.Header)
	}
}
