package crypt

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// pairPassword is a password for the core tests: 0–100 bytes, with NUL
// (which only the core, never Crypt, can be given) and high bytes, the
// bytes where "$2x$" and "$2a$" differ.
func pairPassword(r *rand.Rand) string {
	b := make([]byte, r.IntN(101))
	for i := range b {
		switch r.IntN(8) {
		case 0:
			b[i] = 0
		case 1, 2:
			b[i] = 0x80 | byte(r.IntN(128))
		default:
			b[i] = byte(r.IntN(256))
		}
	}
	return string(b)
}

// pairSetting is a valid bcrypt setting of the given cost with a random
// salt, "$2a$" or "$2x$"; the 22nd salt character is random too, so that
// its canonicalisation is covered.
func pairSetting(r *rand.Rand, cost int) string {
	prefix := []string{"$2a$", "$2x$"}[r.IntN(2)]
	salt := make([]byte, 16)
	for i := range salt {
		salt[i] = byte(r.IntN(256))
	}
	s := string(bcryptEncode(fmt.Appendf(nil, "%s%02d$", prefix, cost), salt))
	return s[:bcryptSettingLen-1] + string(bcryptAlphabet[byte(bcryptIndex[s[bcryptSettingLen-1]])|byte(r.IntN(16))])
}

// cryptPair hashes two (password, setting) pairs of the same cost with the
// 2-way core.
func cryptPair(t testing.TB, pwA, setA, pwB, setB string) (string, string) {
	t.Helper()
	bugA, okA := bcryptVariant(setA)
	bugB, okB := bcryptVariant(setB)
	require.True(t, okA && okB, "not bcrypt: %q %q", setA, setB)
	a, err := bcryptPrepare(pwA, setA, bugA)
	require.NoError(t, err)
	b, err := bcryptPrepare(pwB, setB, bugB)
	require.NoError(t, err)
	require.Equal(t, a.cost, b.cost)
	sumA, sumB := bcryptHash2(&a.key, &b.key, &a.salt, &b.salt, a.cost)
	return string(bcryptResult(setA, &sumA)), string(bcryptResult(setB, &sumB))
}

// cryptSingle is bcryptCrypt, the single core, for any password bytes.
func cryptSingle(t testing.TB, pw, setting string) string {
	t.Helper()
	bug, ok := bcryptVariant(setting)
	require.True(t, ok, "not bcrypt: %q", setting)
	out, err := bcryptCrypt(pw, setting, bug)
	require.NoError(t, err)
	return string(out)
}

// TestBcryptPairMatchesSingle: the 2-way core computes exactly what the
// single core computes, for each of the two, on random passwords, salts,
// costs 4–8 and any mix of "$2a$" and "$2x$".
func TestBcryptPairMatchesSingle(t *testing.T) {
	seed := testSeed(t)
	t.Logf("seed %d (PGJWT_CRYPT_SEED)", seed)
	r := rand.New(rand.NewPCG(seed, 16))
	div := 1
	if pgtest.Trimmed() {
		div = 8
	}
	for cost := 4; cost <= 8; cost++ {
		n := max(1, 128>>(cost-3)/div) // the same time per cost
		for range n {
			pwA, pwB := pairPassword(r), pairPassword(r)
			setA, setB := pairSetting(r, cost), pairSetting(r, cost)
			gotA, gotB := cryptPair(t, pwA, setA, pwB, setB)
			require.Equal(t, cryptSingle(t, pwA, setA), gotA, "lane a: %q %s (b: %q %s)", pwA, setA, pwB, setB)
			require.Equal(t, cryptSingle(t, pwB, setB), gotB, "lane b: %q %s (a: %q %s)", pwB, setB, pwA, setA)
		}
	}
}

// TestBcryptPairSameInput: both lanes given the same input agree with
// each other and with the single core (no state shared between lanes
// would show here as well as anywhere).
func TestBcryptPairSameInput(t *testing.T) {
	const pw, set = "password", "$2a$05$RQiOJ.3ELirrXwxIZY8q0O"
	a, b := cryptPair(t, pw, set, pw, set)
	require.Equal(t, a, b)
	require.Equal(t, cryptSingle(t, pw, set), a)
}
