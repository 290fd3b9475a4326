package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// printWelcome tells how to try the server, then where it listens: when
// "listening on" shows, the server is ready.
func printWelcome(out io.Writer, base string, cfg config) {
	if len(cfg.users) == 0 {
		fmt.Fprintf(out, "\nLog in as a user of basic_auth.users:\n\n")
		fmt.Fprintf(out, "  curl -s %s/rpc/login -H 'Content-Type: application/json' -d '{\"email\":\"…\",\"pass\":\"…\"}'\n\n", base)
	} else {
		u, pass := cfg.users[0], "<password>"
		if cfg.demo {
			fmt.Fprintf(out, "demo user: %s, password %s, role %s\n", u.email, u.pass, u.role)
			pass = u.pass
		}
		body := loginBody(u.email, pass)
		fmt.Fprintf(out, "\nLog in, then call /me with the token:\n\n")
		fmt.Fprintf(out, "  TOKEN=$(curl -s %s/rpc/login -H 'Content-Type: application/json' -d %s | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')\n",
			base, shellQuote(body))
		fmt.Fprintf(out, "  curl -s %s/me -H \"Authorization: Bearer $TOKEN\"\n\n", base)
	}
	fmt.Fprintf(out, "listening on %s (Ctrl-C stops)\n", base)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// loginBody is the JSON body of a login, without encoding/json's HTML
// escaping (which would turn the placeholder's "<" into \u003c).
func loginBody(email, pass string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Email string `json:"email"`
		Pass  string `json:"pass"`
	}{email, pass})
	return strings.TrimSuffix(b.String(), "\n")
}
