package jwt

import "testing"

func TestHeaderConstants(t *testing.T) {
	for alg := algHS256; alg <= algHS512; alg++ {
		if got := URLEncode([]byte(headerJSON[alg])); got != headerB64[alg] {
			t.Errorf("%s: constant %s, encoding %s", headerJSON[alg], headerB64[alg], got)
		}
	}
}
