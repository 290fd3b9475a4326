package crypt

import "strings"

// Check is one password check of a batch: Verify's arguments, and after
// VerifyBatch its results.
type Check struct {
	Password, Hash string // as passed to Verify
	OK             bool   // Verify's result
	Err            error  // Verify's error
}

// VerifyBatch sets checks[i].OK and checks[i].Err to what
// Verify(checks[i].Password, checks[i].Hash) returns, for every i: the same
// verdict (compared in constant time) or the same error per check, whatever
// the other checks are. Only the speed differs: two bcrypt checks of the
// same cost ("$2a$" or "$2x$", in any mix, see Pairable) are computed
// together, one interleaved with the other in the calling goroutine, which
// takes little more time than one of them alone (about 1.1×, against 2×
// one after the other; see BENCHMARKS.md). The other checks, and the last
// bcrypt check of a cost when their number is odd, are computed one at a
// time as Verify computes them. Notices (WithNotices) are reported in the
// order of the checks.
//
// VerifyBatch pays off when several checks are waiting at the same time,
// as on a login server at saturation: per core it verifies nearly twice as
// many bcrypt hashes per second, and each check of a pair is done when the
// pair is, about as soon as it would be alone. It gains nothing for a
// single check, and a check held back to wait for a partner while a core
// is idle is late by the waiting time. A pair is timed like any other
// pair of the same cost, so, as with Verify, the time taken does not tell
// a wrong password from a right one or from a dummy hash of the same cost.
func (v Version) VerifyBatch(checks []Check) {
	// waiting[cost] is a bcrypt check of that cost still without a
	// partner.
	type pending struct {
		c     *Check
		job   bcryptJob
		never bool
	}
	var waiting [bcryptMaxCost + 1]pending
	for i := range checks {
		c := &checks[i]
		password, never, err := v.verifyArgs(c.Password, c.Hash)
		signBug, isBcrypt := bcryptVariant(c.Hash)
		if err != nil || !isBcrypt {
			c.OK, c.Err = v.Verify(c.Password, c.Hash)
			continue
		}
		job, err := bcryptPrepare(password, c.Hash, signBug)
		if err != nil {
			c.OK, c.Err = false, err
			continue
		}
		w := &waiting[job.cost]
		if w.c == nil {
			*w = pending{c, job, never}
			continue
		}
		sumA, sumB := bcryptHash2(&w.job.key, &job.key, &w.job.salt, &job.salt, job.cost)
		w.c.OK, w.c.Err = verdict(bcryptResult(w.c.Hash, &sumA), w.c.Hash, w.never), nil
		c.OK, c.Err = verdict(bcryptResult(c.Hash, &sumB), c.Hash, never), nil
		w.c = nil
	}
	for i := range waiting {
		if w := &waiting[i]; w.c != nil {
			sum := bcryptHash(w.job.key, w.job.salt, w.job.cost)
			w.c.OK, w.c.Err = verdict(bcryptResult(w.c.Hash, &sum), w.c.Hash, w.never), nil
		}
	}
}

// Pairable reports whether VerifyBatch computes checks against hashA and
// hashB together: both are bcrypt hashes ("$2a$" or "$2x$") usable as
// settings, of the same cost. A hashing pool can use it to pick partners;
// the passwords do not matter, and the answer is the same for every
// PostgreSQL major.
func Pairable(hashA, hashB string) bool {
	a, okA := bcryptPairCost(hashA)
	b, okB := bcryptPairCost(hashB)
	return okA && okB && a == b
}

// bcryptPairCost returns the cost of a hash that VerifyBatch would pair.
func bcryptPairCost(hash string) (int, bool) {
	if _, ok := bcryptVariant(hash); !ok {
		return 0, false
	}
	if strings.IndexByte(hash, 0) >= 0 {
		return 0, false // ErrInvalidEncoding
	}
	cost, _, ok := bcryptParse(hash)
	return cost, ok
}
