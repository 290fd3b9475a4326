package auth

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/crypt"
)

// policyPass is the password of every migratedHashes hash.
const policyPass = "correct horse"

// migratedHashes come from another system (made by libxcrypt, Python's
// crypt module), as a migration would bring them; the bcrypt "$2b$" one
// as crypt.ImportHash stores it.
var migratedHashes = map[string]string{
	"md5-crypt":   "$1$saltsalt$NuzA7WTAelpl95xgBGWN60",
	"des":         "abhfCpXqd4GrI",
	"xdes":        "_J9..saltGomPeRUt8OA",
	"bcrypt $2b$": "$2b$05$abcdefghijklmnopqrstuuHNbAKRhpaujgo33bRWs.NLUTJO3lOy2",
	"sha512crypt": "$6$rounds=1000$abcdefghijklmnop$K9ViLilDpRy6xLunKXsaoeGhKInKdDtpCLyoTSCkDcguT34R9cMK08/eq3hGwOWWgyYCTwWqVmKpFAHjf73Mv/",
}

func TestHashPolicyNeedsRehash(t *testing.T) {
	bf6, err := crypt.Crypt("x", "$2a$06$abcdefghijklmnopqrstuu")
	require.NoError(t, err)
	bf8, err := crypt.Crypt("x", "$2a$08$abcdefghijklmnopqrstuu")
	require.NoError(t, err)
	bf6x := "$2x$" + bf6[4:]
	for _, tc := range []struct {
		p    HashPolicy
		hash string
		want bool
	}{
		{HashPolicy{}, bf6, false},
		{DefaultHashPolicy, bf6, false},
		{DefaultHashPolicy, bf8, false}, // above the policy: kept
		{HashPolicy{Algorithm: "bf", Cost: 8}, bf6, true},
		{HashPolicy{Algorithm: "BF", Cost: 8}, bf8, false},
		{HashPolicy{Algorithm: "bf"}, bf6, false}, // cost 0: gen_salt's default 6
		{DefaultHashPolicy, bf6x, true},           // the sign-extension bug variant
		{DefaultHashPolicy, migratedHashes["md5-crypt"], true},
		{DefaultHashPolicy, migratedHashes["des"], true},
		{DefaultHashPolicy, migratedHashes["xdes"], true},
		{DefaultHashPolicy, migratedHashes["sha512crypt"], true},
		{HashPolicy{Algorithm: "sha512crypt", Cost: 1000}, migratedHashes["sha512crypt"], false},
		{HashPolicy{Algorithm: "sha512crypt", Cost: 1001}, migratedHashes["sha512crypt"], true},
		{HashPolicy{Algorithm: "sha512crypt"}, "$6$abc$x", false}, // no rounds=: 5000
		{HashPolicy{Algorithm: "sha256crypt"}, "$6$abc$x", true},
		{DefaultHashPolicy, "", true},
	} {
		assert.Equal(t, tc.want, tc.p.NeedsRehash(tc.hash), "%v %q", tc.p, tc.hash)
	}
}

// TestHashPolicyDefaultCost6: without options, Go makes what the seed's
// trigger makes, gen_salt('bf'), cost 6, for users and the dummy hash.
func TestHashPolicyDefaultCost6(t *testing.T) {
	ctx := testCtx(t)
	store := NewMemStore("web")
	svc, err := NewService(store, testSecret)
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(ctx, "a@b.c", "pw", "web"))
	u, err := store.LookupUser(ctx, "a@b.c")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u.Hash, "$2a$06$"), u.Hash)
	assert.True(t, strings.HasPrefix(svc.dummy, "$2a$06$"), svc.dummy)
	assert.Equal(t, "gen_salt('bf', 6)", DefaultHashPolicy.String())

	svc, err = NewService(store, testSecret, WithHashCost(9))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(svc.dummy, "$2a$09$"), "the dummy follows the policy: %s", svc.dummy)
	svc, err = NewService(store, testSecret, WithHashCost(9), WithDummyHashCost(5))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(svc.dummy, "$2a$05$"), svc.dummy)
}

func TestHashPolicyRefused(t *testing.T) {
	for _, p := range []HashPolicy{{Algorithm: "md5"}, {Algorithm: "des"}, {Algorithm: "xdes"}, {Algorithm: "bf", Cost: 3},
		{Algorithm: "bf", Cost: 32}, {Algorithm: "sha512crypt", Cost: 999}, {Algorithm: "argon2"}} {
		_, err := NewService(NewMemStore(), testSecret, WithHashPolicy(p))
		assert.Error(t, err, "%+v", p)
		assert.Error(t, NewMemStore().SetHashPolicy(p), "%+v", p)
	}
}

// rehashCounter counts the store's rehashes and can run a step just before
// each (a concurrent password change).
type rehashCounter struct {
	*MemStore
	mu     sync.Mutex
	n      int
	before func()
}

func (r *rehashCounter) RehashPassword(ctx context.Context, email, oldHash, pass string) (string, bool, error) {
	r.mu.Lock()
	r.n++
	before := r.before
	r.mu.Unlock()
	if before != nil {
		before()
	}
	return r.MemStore.RehashPassword(ctx, email, oldHash, pass)
}

func (r *rehashCounter) count() int { r.mu.Lock(); defer r.mu.Unlock(); return r.n }

func loginWorks(t *testing.T, svc *Service, email, pass string) bool {
	t.Helper()
	_, err := svc.Login(testCtx(t), email, pass)
	if err != nil {
		require.ErrorIs(t, err, ErrInvalidPassword)
		return false
	}
	return true
}

// TestRehashOnceMemStore: a login below the policy rehashes, once, without
// changing the password; a login at the policy writes nothing.
func TestRehashOnceMemStore(t *testing.T) {
	ctx := testCtx(t)
	mem := NewMemStore("web")
	store := &rehashCounter{MemStore: mem}
	require.NoError(t, mem.CreateUser(ctx, "a@b.c", "pw", "web")) // cost 6
	require.NoError(t, mem.SetHashPolicy(HashPolicy{Algorithm: "bf", Cost: 7}))
	var reports []error
	svc, err := NewService(store, testSecret, WithHashCost(7), WithRehashErrors(func(err error) { reports = append(reports, err) }))
	require.NoError(t, err)

	assert.False(t, loginWorks(t, svc, "a@b.c", "wrong"))
	assert.Equal(t, 0, store.count(), "a wrong password rehashes nothing")
	assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
	assert.Equal(t, 1, store.count())
	u, err := mem.LookupUser(ctx, "a@b.c")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u.Hash, "$2a$07$"), u.Hash)
	assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
	assert.False(t, loginWorks(t, svc, "a@b.c", "wrong"))
	assert.Equal(t, 1, store.count(), "the second login does not rehash")
	u2, err := mem.LookupUser(ctx, "a@b.c")
	require.NoError(t, err)
	assert.Equal(t, u.Hash, u2.Hash)
	assert.Empty(t, reports)

	// ChangePassword checks the old password without rehashing it.
	require.NoError(t, mem.SetHashPolicy(HashPolicy{Algorithm: "bf", Cost: 8}))
	svc8, err := NewService(store, testSecret, WithHashCost(8))
	require.NoError(t, err)
	require.NoError(t, svc8.ChangePassword(ctx, "a@b.c", "pw", "new"))
	assert.Equal(t, 1, store.count())
	assert.True(t, loginWorks(t, svc8, "a@b.c", "new"))
}

// TestRehashMigratedMemStore: hashes from another system are upgraded to
// bcrypt at the default policy at the first login.
func TestRehashMigratedMemStore(t *testing.T) {
	ctx := testCtx(t)
	for name, h := range migratedHashes {
		mem := NewMemStore("web")
		imported, err := crypt.ImportHash(h)
		require.NoError(t, err, name)
		mem.users["a@b.c"] = &User{Email: "a@b.c", Hash: imported, Role: "web"}
		svc, err := NewService(mem, testSecret)
		require.NoError(t, err)
		assert.False(t, loginWorks(t, svc, "a@b.c", "wrong"), name)
		assert.True(t, loginWorks(t, svc, "a@b.c", policyPass), name)
		u, err := mem.LookupUser(ctx, "a@b.c")
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(u.Hash, "$2a$06$"), "%s: %s", name, u.Hash)
		assert.True(t, loginWorks(t, svc, "a@b.c", policyPass), name)
	}
}

// TestRehashConcurrentChangeWinsMemStore: a password change between the
// login's read and its rehash is kept.
func TestRehashConcurrentChangeWinsMemStore(t *testing.T) {
	ctx := testCtx(t)
	mem := NewMemStore("web")
	require.NoError(t, mem.CreateUser(ctx, "a@b.c", "old", "web"))
	store := &rehashCounter{MemStore: mem}
	store.before = func() { require.NoError(t, mem.SetPassword(ctx, "a@b.c", "new")) }
	require.NoError(t, mem.SetHashPolicy(HashPolicy{Algorithm: "bf", Cost: 7}))
	var reports []error
	svc, err := NewService(store, testSecret, WithHashCost(7), WithRehashErrors(func(err error) { reports = append(reports, err) }))
	require.NoError(t, err)
	assert.True(t, loginWorks(t, svc, "a@b.c", "old"), "the login read the old hash before the change")
	assert.Equal(t, 1, store.count())
	store.before = nil
	assert.True(t, loginWorks(t, svc, "a@b.c", "new"))
	assert.False(t, loginWorks(t, svc, "a@b.c", "old"), "the rehash must not restore the old password")
	assert.Empty(t, reports)
}

// TestRehashStoreBelowPolicy: a store that keeps making weaker hashes is
// reported once, and the Service stops writing at every login.
func TestRehashStoreBelowPolicy(t *testing.T) {
	ctx := testCtx(t)
	mem := NewMemStore("web") // cost 6, while the Service asks for 7
	store := &rehashCounter{MemStore: mem}
	require.NoError(t, mem.CreateUser(ctx, "a@b.c", "pw", "web"))
	var reports []error
	var logged bytes.Buffer
	svc, err := NewService(store, testSecret, WithHashCost(7), WithRehashErrors(func(err error) { reports = append(reports, err) }),
		WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	require.NoError(t, err)
	for range 3 {
		assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
	}
	assert.Equal(t, 1, store.count())
	require.Len(t, reports, 1)
	assert.ErrorIs(t, reports[0], ErrHashPolicyMismatch)
	assert.Contains(t, reports[0].(*Error).Detail, "bf hash of cost 6; the policy is gen_salt('bf', 7)")
	assert.NotContains(t, reports[0].Error(), "$2a$")
	assert.Equal(t, 1, strings.Count(logged.String(), `msg="auth: rehash failed"`), "logged once too")
	assert.NotContains(t, logged.String(), "$2a$")
}

// plainStore is a Store of a user's own, without Rehasher: it still works,
// and never rehashes.
type plainStore struct{ Store }

func TestRehashOptional(t *testing.T) {
	ctx := testCtx(t)
	mem := NewMemStore("web")
	require.NoError(t, mem.CreateUser(ctx, "a@b.c", "pw", "web"))
	before, err := mem.LookupUser(ctx, "a@b.c")
	require.NoError(t, err)
	svc, err := NewService(plainStore{mem}, testSecret, WithHashCost(7))
	require.NoError(t, err)
	assert.True(t, loginWorks(t, svc, "a@b.c", "pw"))
	after, err := mem.LookupUser(ctx, "a@b.c")
	require.NoError(t, err)
	assert.Equal(t, before.Hash, after.Hash)
}
