package jwt

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// TestHMACCacheNeverPrintsSecrets: the cached keyed HMACs print the
// algorithm and the secret's length, never the secret.
func TestHMACCacheNeverPrintsSecrets(t *testing.T) {
	const secret = "jwt-package-secret-that-must-not-print"
	if _, err := Sign([]byte(`{"a":1}`), secret, "HS384"); err != nil {
		t.Fatal(err)
	}
	e := macs.get(algHS384, secret)
	for _, v := range []any{e, e.key, &macs, []*keyedMACs{e}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) || strings.Contains(out, hex.EncodeToString([]byte(secret))[:16]) ||
				strings.Contains(out, fmt.Sprint([]byte(secret[:4]))[1:12]) {
				t.Errorf("%T %s shows the secret: %s", v, verb, out)
			}
		}
	}
	if got := fmt.Sprint(e); got != "jwt.keyedMACs{HS384 [REDACTED 38 bytes]}" {
		t.Errorf("got %s", got)
	}
}
