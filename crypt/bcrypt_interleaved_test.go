package crypt

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// cryptInterleaved hashes (passwords[i], settings[i]), two or three of
// the same cost, with the interleaved core.
func cryptInterleaved(t testing.TB, passwords, settings []string) []string {
	t.Helper()
	var jobs []*bcryptJob
	for i, set := range settings {
		bug, ok := bcryptVariant(set)
		require.True(t, ok, "not bcrypt: %q", set)
		job, err := bcryptPrepare(passwords[i], set, bug)
		require.NoError(t, err)
		jobs = append(jobs, &job)
	}
	sums := bcryptHashInterleaved(jobs)
	out := make([]string, len(jobs))
	for i := range jobs {
		out[i] = string(bcryptResult(settings[i], &sums[i]))
	}
	return out
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

// TestBcryptInterleavedMatchesSingle: the 2-way and 3-way cores compute
// exactly what the single core computes, for each lane, on random
// passwords, salts, costs 4–8 and any mix of "$2a$" and "$2x$".
func TestBcryptInterleavedMatchesSingle(t *testing.T) {
	seed := testSeed(t)
	t.Logf("seed %d (PGJWT_CRYPT_SEED)", seed)
	r := rand.New(rand.NewPCG(seed, 16))
	div := 1
	if pgtest.Trimmed() {
		div = 8
	}
	for ways := 2; ways <= maxWays; ways++ {
		for cost := 4; cost <= 8; cost++ {
			n := max(1, 128>>(cost-3)/div/ways) // the same time per cost
			for range n {
				pws, sets := make([]string, ways), make([]string, ways)
				for i := range ways {
					pws[i], sets[i] = pairPassword(r), pairSetting(r, cost)
				}
				got := cryptInterleaved(t, pws, sets)
				for i := range ways {
					require.Equal(t, cryptSingle(t, pws[i], sets[i]), got[i], "%d ways, lane %d: %q %s (all: %q %q)", ways, i, pws[i], sets[i], pws, sets)
				}
			}
		}
	}
}

// TestBcryptInterleavedSameInput: lanes given the same input agree with
// each other and with the single core (no state shared between lanes
// would show here as well as anywhere).
func TestBcryptInterleavedSameInput(t *testing.T) {
	const pw, set = "password", "$2a$05$RQiOJ.3ELirrXwxIZY8q0O"
	want := cryptSingle(t, pw, set)
	for ways := 2; ways <= maxWays; ways++ {
		got := cryptInterleaved(t, slices.Repeat([]string{pw}, ways), slices.Repeat([]string{set}, ways))
		require.Equal(t, slices.Repeat([]string{want}, ways), got)
	}
}

// TestBcryptInterleavedRefusesBadGroups: a group of the wrong size or of
// mixed costs is a programming error inside the package, never a silent
// wrong hash.
func TestBcryptInterleavedRefusesBadGroups(t *testing.T) {
	a, err := bcryptPrepare("a", "$2a$04$RQiOJ.3ELirrXwxIZY8q0O", false)
	require.NoError(t, err)
	b, err := bcryptPrepare("b", "$2a$05$RQiOJ.3ELirrXwxIZY8q0O", false)
	require.NoError(t, err)
	require.Panics(t, func() { bcryptHashInterleaved([]*bcryptJob{&a}) })
	require.Panics(t, func() { bcryptHashInterleaved([]*bcryptJob{&a, &a, &a, &a}) })
	require.Panics(t, func() { bcryptHashInterleaved([]*bcryptJob{&a, &b}) })
}

func TestGroupSize(t *testing.T) {
	for n, want := range map[int][]int{1: {1}, 2: {2}, 3: {3}, 4: {2, 2}, 5: {3, 2}, 6: {3, 3}, 7: {3, 2, 2}, 8: {3, 3, 2}, 10: {3, 3, 2, 2}} {
		var got []int
		for left := n; left > 0; left -= got[len(got)-1] {
			got = append(got, groupSize(left))
		}
		require.Equal(t, want, got, "n=%d", n)
	}
}
