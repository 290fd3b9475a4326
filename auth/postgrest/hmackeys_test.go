package postgrest

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyedHMACMatchesGolangJWT: the HMACs keyed when a key is read give,
// for every HS algorithm, key form (plain secret, JWK with and without
// alg, a JWKS of several) and signature (right, one bit flipped, cut,
// extended, the right one of another algorithm), the verdict of
// golang-jwt's HMAC method, which verified every HS token before.
func TestKeyedHMACMatchesGolangJWT(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	secretA, secretB := []byte(specSecret), []byte("another secret, also long enough for a key")
	oct := func(key []byte, alg string) string {
		s := fmt.Sprintf(`{"kty":"oct","k":%q`, base64.RawURLEncoding.EncodeToString(key))
		if alg != "" {
			s += fmt.Sprintf(`,"alg":%q`, alg)
		}
		return s + "}"
	}
	methods := map[string]jwt.SigningMethod{"HS256": jwt.SigningMethodHS256, "HS384": jwt.SigningMethodHS384, "HS512": jwt.SigningMethodHS512}
	configs := []string{
		specSecret,
		oct(secretA, ""),
		oct(secretA, "HS384"),
		`{"keys":[` + oct(secretB, "") + `,` + oct(secretA, "HS512") + `]}`,
	}
	for ci, cfg := range configs {
		keys, err := parseJWTSecret(cfg, false, false)
		require.NoError(t, err)
		for alg, method := range methods {
			cands := candidates(keys, alg, "", false, nil)
			for n := range 50 {
				input := make([]byte, r.IntN(300))
				for i := range input {
					input[i] = byte(r.IntN(256))
				}
				signer := []byte{}
				switch n % 3 {
				case 0:
					signer = secretA
				case 1:
					signer = secretB
				}
				right, err := method.Sign(string(input), signer)
				require.NoError(t, err)
				sigs := [][]byte{right, append(right[:len(right):len(right)], 0), right[:len(right)-1]}
				flipped := append([]byte(nil), right...)
				flipped[r.IntN(len(flipped))] ^= 1 << r.IntN(8)
				sigs = append(sigs, flipped)
				for other, m := range methods {
					if other != alg {
						s, err := m.Sign(string(input), signer)
						require.NoError(t, err)
						sigs = append(sigs, s)
					}
				}
				for _, sig := range sigs {
					want := false
					for _, k := range cands {
						if method.Verify(string(input), sig, *k.key) == nil {
							want = true
						}
					}
					assert.Equal(t, want, verifySignature(alg, string(input), sig, cands), "config %d, %s: sig %x", ci, alg, sig)
				}
			}
		}
	}
}
