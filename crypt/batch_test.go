package crypt

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// requireSameAsVerify runs VerifyBatch on checks and requires, check by
// check, Verify's result and error, and the notices in Verify's order.
func requireSameAsVerify(t *testing.T, major int, checks []Check) {
	t.Helper()
	var seqNotices, batchNotices []Notice
	seq := ForVersion(major, WithNotices(func(n Notice) { seqNotices = append(seqNotices, n) }))
	batch := ForVersion(major, WithNotices(func(n Notice) { batchNotices = append(batchNotices, n) }))
	want := make([]Check, len(checks))
	for i, c := range checks {
		ok, err := seq.Verify(c.Password, c.Hash)
		want[i] = Check{Password: c.Password, Hash: c.Hash, OK: ok, Err: err}
		checks[i].OK, checks[i].Err = !ok, ErrReturnedNull // stale values must be overwritten
	}
	batch.VerifyBatch(checks)
	for i := range checks {
		require.Equal(t, want[i], checks[i], "pg%d check %d: Verify(%s, %s)", major, i, quoteBytes(checks[i].Password), quoteBytes(checks[i].Hash))
	}
	require.Equal(t, seqNotices, batchNotices, "pg%d notices", major)
}

// batchChecks turns crypt() cases into checks: the setting itself as the
// hash, and where crypt succeeds its result with the right password, a
// wrong one, and one with NUL; plus a hash with NUL. The order is shuffled
// so that pairs form between unrelated checks.
func batchChecks(r *rand.Rand, major int, cases []cryptCase) []Check {
	v := ForVersion(major)
	var cs []Check
	for i, c := range cases {
		cs = append(cs, Check{Password: c.password, Hash: c.setting})
		hash, err := v.Crypt(c.password, c.setting)
		if err != nil {
			continue
		}
		cs = append(cs, Check{Password: c.password, Hash: hash}, Check{Password: c.password + "x", Hash: hash})
		if i%4 == 0 {
			cs = append(cs, Check{Password: c.password + "\x00", Hash: hash}, Check{Password: c.password, Hash: hash + "\x00"})
		}
	}
	r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	return cs
}

// batchMajors are the majors the batch tests compare on: 13–17 share all
// code, and the race detector makes every hash ten times slower.
func batchMajors() []int {
	if pgtest.Trimmed() {
		return []int{18}
	}
	return []int{13, 17, 18}
}

// TestVerifyBatchMatchesVerify: on the differential test's generated
// cases (every algorithm, valid and invalid settings) and the vectors,
// VerifyBatch gives every check what Verify gives it, on 13, 17 and 18.
func TestVerifyBatchMatchesVerify(t *testing.T) {
	seed := testSeed(t)
	t.Logf("seed %d (PGJWT_CRYPT_SEED)", seed)
	r := rand.New(rand.NewPCG(seed, 17))
	cases := genCases(t, seed, 1)
	if pgtest.Trimmed() {
		var some []cryptCase // every third, so that every kind stays
		for i := 0; i < len(cases); i += 3 {
			some = append(some, cases[i])
		}
		cases = some
	}
	for _, major := range batchMajors() {
		checks := batchChecks(r, major, cases)
		requireSameAsVerify(t, major, checks)
	}
}

// TestVerifyBatchVectors: every bcrypt vector's result, which the server
// computed (TestVectorsOnServer), verifies through the batch, paired with
// each other bcrypt vector of its cost in turn, and the error vectors fail
// with the vector's error; all other vectors give what Verify gives.
func TestVerifyBatchVectors(t *testing.T) {
	vs := loadVectors(t)
	var bcryptVs []vector
	for _, v := range vs {
		if _, ok := bcryptVariant(v.Setting); ok {
			bcryptVs = append(bcryptVs, v)
		}
	}
	require.NotEmpty(t, bcryptVs)
	for i, a := range bcryptVs {
		b := bcryptVs[(i+1)%len(bcryptVs)]
		for j := i + 1; j < len(bcryptVs); j++ {
			if c := bcryptVs[j]; c.Result != "" && a.Result != "" && Pairable(a.Result, c.Result) {
				b = c // a partner of the same cost, so that the pair core runs
				break
			}
		}
		checks := []Check{vectorCheck(a), vectorCheck(b)}
		VerifyBatch(checks)
		for k, v := range []vector{a, b} {
			if v.Error != nil {
				assert.Equal(t, v.want(), outcomeString("", checks[k].Err), "crypt(%q, %q)", v.Password, v.Setting)
				assert.False(t, checks[k].OK)
			} else {
				assert.True(t, checks[k].OK && checks[k].Err == nil, "Verify(%q, %q) in a batch: %v %v", v.Password, v.Result, checks[k].OK, checks[k].Err)
			}
		}
	}
	var all []Check
	for _, v := range vs {
		if !expensive(v.Setting) || !pgtest.Trimmed() {
			all = append(all, vectorCheck(v), Check{Password: v.Password, Hash: v.Setting})
		}
	}
	for _, major := range batchMajors() {
		requireSameAsVerify(t, major, all)
	}
}

// vectorCheck is the check a vector implies: its result against its
// password, or, for an error vector, its setting.
func vectorCheck(v vector) Check {
	if v.Error != nil {
		return Check{Password: v.Password, Hash: v.Setting}
	}
	return Check{Password: v.Password, Hash: v.Result}
}

// TestVerifyBatchMatchesXCrypto: hashes of golang.org/x/crypto/bcrypt, an
// independent implementation of "$2a$", verify in groups, and what the
// interleaved core computes verifies with x/crypto.
func TestVerifyBatchMatchesXCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 40
	if pgtest.Trimmed() {
		n = 8
	}
	var checks []Check
	var pws [][]byte
	for i := range n {
		pw := make([]byte, r.IntN(73)) // x/crypto refuses more than 72 bytes
		for j := range pw {
			pw[j] = byte(1 + r.IntN(255))
		}
		pws = append(pws, pw)
		hash, err := bcrypt.GenerateFromPassword(pw, bcrypt.MinCost+i%2)
		require.NoError(t, err)
		checks = append(checks, Check{Password: string(pw), Hash: string(hash)}, Check{Password: string(pw) + "x", Hash: string(hash)})
	}
	VerifyBatch(checks)
	for i, c := range checks {
		// A 72-byte password with "x" appended is the same password to bcrypt.
		want := i%2 == 0 || len(c.Password) > 72
		assert.Equal(t, want, c.OK && c.Err == nil, "Verify(%x, %s) in a batch: %v %v", c.Password, c.Hash, c.OK, c.Err)
	}
	// Lanes of the interleaved core, in groups of two and three.
	for i, k := 0, 2; i+k <= len(pws); i, k = i+k, 5-k {
		var lanePws, sets []string
		for j := range k {
			set := pairSetting(r, 4)
			lanePws, sets = append(lanePws, string(pws[i+j])), append(sets, "$2a$"+set[4:])
		}
		for j, h := range cryptInterleaved(t, lanePws, sets) {
			assert.NoError(t, bcrypt.CompareHashAndPassword([]byte(h), pws[i+j]), "x/crypto rejects lane %d of %d: %s", j, k, h)
		}
	}
}

// TestVerifyBatchMatchesServer: bcrypt hashes the live server made, of
// costs 4 and 5 so that some pair and some do not, checked in one batch
// with the right and a wrong password: the verdicts are the server's own
// `hash = crypt(password, hash)`.
func TestVerifyBatchMatchesServer(t *testing.T) {
	seed := testSeed(t)
	t.Logf("seed %d (PGJWT_CRYPT_SEED)", seed)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		s := newServerSession(t, db)
		r := rand.New(rand.NewPCG(seed, 18))
		g := caseGen{r}
		n := 60
		if pgtest.Trimmed() {
			n = 16
		}
		var pairs [][2]string
		for len(pairs) < n {
			if pw := g.password(); s.sendable(pw) {
				pairs = append(pairs, [2]string{pw, pairSetting(r, 4+r.IntN(2))})
			}
		}
		var checks [][2]string
		for i, o := range s.crypt(pairs) {
			require.Empty(t, o.code, "server crypt(%s, %s): %s", quoteBytes(pairs[i][0]), pairs[i][1], o)
			checks = append(checks, [2]string{pairs[i][0], o.res}, [2]string{pairs[i][0] + "x", o.res})
		}
		r.Shuffle(len(checks), func(i, j int) { checks[i], checks[j] = checks[j], checks[i] })
		again := s.crypt(checks)
		batch := make([]Check, len(checks))
		for i, c := range checks {
			batch[i] = Check{Password: c[0], Hash: c[1]}
		}
		ForVersion(db.Cluster.Major).VerifyBatch(batch)
		for i, c := range batch {
			want := again[i].code == "" && again[i].res == c.Hash
			assert.Equal(t, want, c.OK, "Verify(%s, %s) in a batch", quoteBytes(c.Password), c.Hash)
			assert.NoError(t, c.Err)
		}
		t.Logf("%d server hashes, %d checks", len(pairs), len(batch))
	})
}

func TestPairable(t *testing.T) {
	cost, ok := PairCost("$2x$11$RQiOJ.3ELirrXwxIZY8q0O")
	assert.True(t, ok)
	assert.Equal(t, 11, cost)
	const a6 = "$2a$06$RQiOJ.3ELirrXwxIZY8q0OR3CVJrAfda1z26CCHPnB6mmVZD8p0/C"
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{a6, a6, true},
		{a6, "$2x$06$RQiOJ.3ELirrXwxIZY8q0O", true}, // "$2a$" and "$2x$" pair; a setting is a hash
		{a6, "$2a$05$RQiOJ.3ELirrXwxIZY8q0O", false},
		{a6, "$2b$06$RQiOJ.3ELirrXwxIZY8q0O", false}, // DES to PostgreSQL
		{a6, "$2a$06$RQiOJ.3ELirrXwxIZY8q0", false},  // too short: invalid salt
		{a6, "$2a$06$RQiOJ.3ELirrXwxIZY8q0!", false}, // invalid salt character
		{a6, "$2a$03$RQiOJ.3ELirrXwxIZY8q0O", false}, // cost below 4
		{a6, a6 + "\x00", false},                     // ErrInvalidEncoding
		{a6, "$1$saltsalt", false},
		{"", "", false},
	} {
		assert.Equal(t, tc.want, Pairable(tc.a, tc.b), "Pairable(%q, %q)", tc.a, tc.b)
		costA, okA := PairCost(tc.a)
		costB, okB := PairCost(tc.b)
		assert.Equal(t, tc.want, okA && okB && costA == costB, "PairCost of %q and %q", tc.a, tc.b)
		assert.Equal(t, tc.want, Pairable(tc.b, tc.a), "Pairable(%q, %q)", tc.b, tc.a)
	}
}

// slowUnderRace reports bcrypt settings of cost 6, which expensive
// allows: with the race detector, one takes ~35 ms.
func slowUnderRace(setting string) bool {
	_, isBcrypt := bcryptVariant(setting)
	cost, ok := bcryptCost(setting)
	return isBcrypt && ok && cost > 5
}

// FuzzVerifyBatch: for any two checks, VerifyBatch says what Verify says
// (on 15 and 18), and where the two hashes pair, the 2-way and 3-way cores
// compute, lane by lane, what the single core computes for the same
// passwords, NUL and all; a pair of fresh hashes verifies in the batch. Seeded with the
// bcrypt vectors, each next to the following one.
func FuzzVerifyBatch(f *testing.F) {
	vs := loadVectors(f)
	for i, a := range vs {
		b := vs[(i+1)%len(vs)]
		f.Add(a.Password, a.Setting, b.Password, b.Setting)
		if a.Result != "" && b.Result != "" {
			f.Add(a.Password, a.Result, b.Password, b.Result)
		}
	}
	f.Fuzz(func(t *testing.T, pwA, hashA, pwB, hashB string) {
		if expensive(hashA) || expensive(hashB) || pgtest.RaceEnabled && (slowUnderRace(hashA) || slowUnderRace(hashB)) {
			t.Skip("cost too high for fuzzing")
		}
		majors := []int{15, 18}
		if pgtest.RaceEnabled {
			majors = majors[1:]
		}
		for _, major := range majors {
			requireSameAsVerify(t, major, []Check{{Password: pwA, Hash: hashA}, {Password: pwB, Hash: hashB}})
		}
		if !Pairable(hashA, hashB) {
			return
		}
		wantA, wantB := cryptSingle(t, pwA, hashA), cryptSingle(t, pwB, hashB)
		require.Equal(t, []string{wantA, wantB}, cryptInterleaved(t, []string{pwA, pwB}, []string{hashA, hashB}), "2 ways")
		require.Equal(t, []string{wantB, wantA, wantB}, cryptInterleaved(t, []string{pwB, pwA, pwB}, []string{hashB, hashA, hashB}), "3 ways")
		gotA, gotB := wantA, wantB
		if strings.IndexByte(pwA+pwB, 0) < 0 {
			checks := []Check{{Password: pwA, Hash: gotA}, {Password: pwB, Hash: gotB}}
			VerifyBatch(checks)
			require.True(t, checks[0].OK && checks[1].OK, fmt.Sprint(checks))
		}
	})
}

// TestCheckPrintsNoSecret: a Check, a batch of them and a pointer to one,
// printed with any verb or logged with slog's text and JSON handlers, show
// neither the password nor the hash.
func TestCheckPrintsNoSecret(t *testing.T) {
	const pw, hash = "hunter2-secret", "$2a$06$RQiOJ.3ELirrXwxIZY8q0OR3CVJrAfda1z26CCHPnB6mmVZD8p0/C"
	c := Check{Password: pw, Hash: hash, Err: ErrInvalidSalt}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{c, &c, []Check{c, c}} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("batch", "check", c, "checks", []Check{c})
	slog.New(slog.NewJSONHandler(&js, nil)).Info("batch", "check", c)
	outs = append(outs, text.String(), js.String())
	for _, out := range outs {
		assert.NotContains(t, out, pw)
		assert.NotContains(t, out, "RQiOJ")
		assert.NotContains(t, out, fmt.Sprintf("%x", pw))
	}
	assert.Equal(t, "crypt.Check{Password:[REDACTED 14 bytes] Hash:[REDACTED 60 bytes] OK:false Err:crypt: invalid salt}", c.String())
}
