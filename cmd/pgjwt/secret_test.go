package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"strings"
	"testing"
)

// TestSecretSourceNeverPrints: the parsed flags keep --secret behind a
// pointer, which fmt prints as an address whatever the verb.
func TestSecretSourceNeverPrints(t *testing.T) {
	const secret = "a-secret-given-on-the-command-line"
	var s secretSource
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	s.register(fs)
	if err := fs.Parse([]string{"--secret", secret}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{s, &s, struct{ src secretSource }{s}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) || strings.Contains(strings.ToLower(out), hex.EncodeToString([]byte(secret[:8]))) ||
				strings.Contains(out, strings.Trim(fmt.Sprint([]byte(secret[:4])), "[]")) {
				t.Errorf("%T with %s shows the secret: %s", v, verb, out)
			}
		}
	}
}
