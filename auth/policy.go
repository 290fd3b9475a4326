package auth

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// HashPolicy is how new password hashes are made: a gen_salt() type and
// its iteration count, as in crypt(pass, gen_salt(Algorithm, Cost)).
//
// Algorithm is "bf" (bcrypt), or from PostgreSQL 18 "sha256crypt" or
// "sha512crypt"; the legacy types (md5, des, xdes) are refused. Cost is
// gen_salt's iter_count: for bf the log2 cost 4..31, for sha-crypt the
// rounds 1000..999999999; 0 means the type's default (bf 6, sha 5000).
// The zero HashPolicy is DefaultHashPolicy.
//
// Three places make hashes, and should agree: the Service's policy
// (WithHashPolicy) decides which stored hashes a login upgrades and the
// cost of the dummy hash unknown emails are checked against; MemStore makes
// its hashes at MemStore.SetHashPolicy's; the users table's trigger makes
// PGStore's, at InstallSchema's WithTriggerHashPolicy (the SQL signs users up
// through the same trigger, so SQL and Go cannot disagree there).
//
// To raise bcrypt's cost to 10 with PGStore: install with
// WithTriggerHashPolicy(HashPolicy{Algorithm: "bf", Cost: 10}) (at every
// installation), or, where the seed's SQL was installed by hand, replace the
// trigger function (adjust the schemas of basic_auth and pgcrypto):
//
//	CREATE OR REPLACE FUNCTION basic_auth.encrypt_pass() RETURNS trigger
//	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
//	BEGIN
//	    IF tg_op = 'INSERT' OR new.pass <> old.pass THEN
//	        new.pass = public.crypt(new.pass, public.gen_salt('bf', 10));
//	    END IF;
//	    RETURN new;
//	END
//	$$;
//
// then give the Service WithHashCost(10). Existing users keep their cost-6
// hash until their next login through the Service, which rehashes it (the
// SQL login() does not rehash; it checks hashes of any cost). Each step of
// bcrypt's cost doubles the time of a login, and so of the hashing queue
// (WithHashQueue): measure before raising it.
//
// To import users with hashes from another system, pass each hash through
// crypt.ImportHash, and write it past the trigger (which would hash the hash
// again), in one transaction, as the table's owner:
//
//	BEGIN;
//	ALTER TABLE basic_auth.users DISABLE TRIGGER encrypt_pass;
//	INSERT INTO basic_auth.users (email, pass, role) VALUES ($1, $2, $3); -- $2: ImportHash's result
//	ALTER TABLE basic_auth.users ENABLE TRIGGER encrypt_pass;
//	COMMIT;
//
// The trigger never lets a hash through on its own: a trigger that kept
// values that look like hashes would let anyone who can sign up or change a
// password through SQL choose the hash itself, e.g. one of cost 31 that
// takes a day per login attempt.
type HashPolicy struct {
	Algorithm string
	Cost      int
}

// DefaultHashPolicy is the seed trigger's gen_salt('bf'): bcrypt, cost 6.
var DefaultHashPolicy = HashPolicy{Algorithm: "bf", Cost: 6}

// normalize fills in the defaults and lower-cases the type.
func (p HashPolicy) normalize() HashPolicy {
	if p.Algorithm == "" && p.Cost == 0 {
		return DefaultHashPolicy
	}
	p.Algorithm = strings.ToLower(p.Algorithm)
	if p.Cost == 0 {
		switch p.Algorithm {
		case "bf":
			p.Cost = 6
		case "sha256crypt", "sha512crypt":
			p.Cost = 5000
		}
	}
	return p
}

// check refuses a policy that gen_salt of this major would refuse, and the
// legacy types.
func (p HashPolicy) check(v crypt.Version) error {
	if err := p.checkAlgorithm(); err != nil {
		return fmt.Errorf("auth: hash policy: %w", err)
	}
	if _, err := v.GenSaltRounds(p.Algorithm, p.Cost); err != nil {
		return fmt.Errorf("auth: hash policy %s cost %d on PostgreSQL %d: %w", p.Algorithm, p.Cost, v.Major(), err)
	}
	return nil
}

// hash is crypt(pass, gen_salt(Algorithm, Cost)).
func (p HashPolicy) hash(v crypt.Version, pass string) (string, error) {
	salt, err := v.GenSaltRounds(p.Algorithm, p.Cost)
	if err != nil {
		return "", err
	}
	return v.Crypt(pass, salt)
}

// checkAlgorithm refuses the legacy and unknown types: a policy names bf,
// sha256crypt or sha512crypt, which also makes genSalt's literal need no
// quoting.
func (p HashPolicy) checkAlgorithm() error {
	switch p.Algorithm {
	case "bf", "sha256crypt", "sha512crypt":
		return nil
	}
	return fmt.Errorf("algorithm %q: want bf, sha256crypt or sha512crypt", p.Algorithm)
}

// genSalt is the SQL call fn(algorithm, cost); checkAlgorithm first.
func (p HashPolicy) genSalt(fn string) string {
	return fmt.Sprintf("%s('%s', %d)", fn, p.Algorithm, p.Cost)
}

// String is what gen_salt call the policy is.
func (p HashPolicy) String() string { return p.normalize().genSalt("gen_salt") }

// NeedsRehash reports whether a stored hash falls short of the policy: made
// by another algorithm (md5-crypt, DES, extended DES, the buggy "$2x$"
// bcrypt, another sha-crypt, or anything unrecognised), or by the same one
// at a lower cost. A hash above the policy is kept: lowering the policy
// never weakens stored hashes.
func (p HashPolicy) NeedsRehash(hash string) bool {
	p = p.normalize()
	alg, cost, ok := hashParams(hash)
	return !ok || alg != p.Algorithm || cost < p.Cost
}

// hashParams returns the gen_salt type and count a hash was made with, as
// far as crypt() would read them.
func hashParams(hash string) (alg string, cost int, ok bool) {
	switch {
	case strings.HasPrefix(hash, "$2a$"):
		n, ok := crypt.PairCost(hash)
		return "bf", n, ok
	case strings.HasPrefix(hash, "$5$"), strings.HasPrefix(hash, "$6$"):
		alg = "sha256crypt"
		if hash[1] == '6' {
			alg = "sha512crypt"
		}
		rest := hash[3:]
		if !strings.HasPrefix(rest, "rounds=") {
			return alg, 5000, true
		}
		end := strings.IndexByte(rest, '$')
		if end < 0 {
			return "", 0, false
		}
		n, err := strconv.Atoi(rest[len("rounds="):end])
		return alg, n, err == nil
	}
	return "", 0, false
}

// Rehasher is implemented by stores that can upgrade a stored hash after a
// successful login (MemStore and PGStore do). The Service uses it when the
// store has it, so a Store of your own keeps compiling without it, and
// simply never rehashes.
type Rehasher interface {
	// RehashPassword stores a new hash of pass, made as the store makes
	// new hashes, if and only if the user's stored hash is still oldHash:
	// a compare-and-swap, so that a password change between the login's
	// read and this write wins. It returns the hash now stored and true,
	// or "" and false when the stored hash changed or the user is gone.
	// pass has been checked against oldHash by the caller.
	RehashPassword(ctx context.Context, email, oldHash, pass string) (newHash string, replaced bool, err error)
}

// ErrHashPolicyMismatch is reported (see WithRehashErrors) when a rehash
// produced a hash still below the Service's policy: the store makes hashes
// at a lower policy (for PGStore, the trigger's gen_salt). The Service then
// stops rehashing, which would otherwise write on every login; the logins
// themselves succeed. SQLSTATE 22023.
var ErrHashPolicyMismatch = sqlerr.New("auth", "22023", "the store makes hashes below the hash policy")

// WithHashPolicy sets the Service's HashPolicy (default DefaultHashPolicy,
// the seed trigger's bf cost 6): after a successful Login or UserRole whose
// stored hash falls short of it (HashPolicy.NeedsRehash), the Service has
// the store rehash the password in the same call, through Rehasher, with a
// compare-and-swap so a concurrent password change wins. The dummy hash for
// unknown emails is made at the policy too (unless WithDummyHashCost says
// otherwise), so that both cost the same as a stored hash at the policy.
//
// Raise the store's policy with it: MemStore.SetHashPolicy, or for PGStore
// the trigger (InstallSchema with WithTriggerHashPolicy, or the SQL in the
// package documentation). A store that still makes weaker hashes is
// detected at the first rehash (ErrHashPolicyMismatch), after which the
// Service stops rehashing.
func WithHashPolicy(p HashPolicy) ServiceOption {
	return func(c *serviceConfig) { c.policy = p.normalize() }
}

// WithHashCost is WithHashPolicy(HashPolicy{Algorithm: "bf", Cost: cost}).
func WithHashCost(cost int) ServiceOption {
	return WithHashPolicy(HashPolicy{Algorithm: "bf", Cost: cost})
}

// WithRehashErrors gives fn every error of a transparent rehash (the store's
// error, or ErrHashPolicyMismatch), synchronously: these never fail the
// login, whose password was right. Like every error of the stores, they
// carry no password or hash. They are also logged at Warn ("auth: rehash
// failed") when the Service has a WithLogger; otherwise they are dropped.
//
// A rehash takes a hashing slot of its own after the verification (a
// MemStore hashes in Go; it is skipped when the queue is full). A PGStore
// rehash is an UPDATE of the user's row: it waits behind a transaction that
// holds that row, and matches nothing if that transaction changed the
// password.
func WithRehashErrors(fn func(error)) ServiceOption {
	return func(c *serviceConfig) { c.rehashErrors = fn }
}

// maybeRehash upgrades a user's hash that is below the policy, after pass
// verified against it, after the verification's hashing slot was
// released: the new hash takes a slot of its own (in Go, or the database's
// trigger hashes).
func (s *Service) maybeRehash(ctx context.Context, email, oldHash, pass string) {
	r, ok := s.store.(Rehasher)
	if !ok || s.rehashOff.Load() || !s.policy.NeedsRehash(oldHash) || pass == oldHash {
		// pass == oldHash: the trigger would keep the hash as it is.
		return
	}
	// The new hash may be made in Go (MemStore), so it takes a slot of its
	// own; with the queue full the rehash waits for a later login.
	if err := s.acquire(ctx); err != nil {
		return
	}
	defer s.releaseSince(time.Now())
	newHash, replaced, err := r.RehashPassword(ctx, email, oldHash, pass)
	switch {
	case err != nil:
		s.reportRehash(fmt.Errorf("auth: rehash after login: %w", err))
	case replaced && s.policy.NeedsRehash(newHash):
		s.rehashOff.Store(true)
		alg, cost, _ := hashParams(newHash)
		if alg == "" {
			alg = "another algorithm"
		}
		s.reportRehash(ErrHashPolicyMismatch.WithDetail(fmt.Sprintf(
			"The store made a %s hash of cost %d; the policy is %s. Rehashing is off until the Service restarts.",
			alg, cost, s.policy)))
	}
}

func (s *Service) reportRehash(err error) {
	if s.rehashErrors != nil {
		s.rehashErrors(err)
	}
	if s.log != nil {
		// The errors carry no password or hash (see WithRehashErrors).
		s.log.Warn("auth: rehash failed", "error", err.Error())
	}
}
