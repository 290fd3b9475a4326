package crypt

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/redact"
)

// Check is one password check of a batch: Verify's arguments, and after
// VerifyBatch its results.
type Check struct {
	Password, Hash string // as passed to Verify
	OK             bool   // Verify's result
	Err            error  // Verify's error
}

// String describes the check without its password and hash (their lengths
// only): a batch of logins printed or logged shows no secret.
func (c Check) String() string {
	return "crypt.Check{Password:" + redact.Bytes(len(c.Password)) + " Hash:" + redact.Bytes(len(c.Hash)) +
		" OK:" + strconv.FormatBool(c.OK) + " Err:" + fmt.Sprint(c.Err) + "}"
}

// Format prints String for every verb.
func (c Check) Format(f fmt.State, verb rune) { redact.Write(f, verb, c.String()) }

// LogValue is String for log/slog, whose JSON handler would otherwise
// print the exported fields.
func (c Check) LogValue() slog.Value { return slog.StringValue(c.String()) }

// VerifyBatch sets checks[i].OK and checks[i].Err to what
// Verify(checks[i].Password, checks[i].Hash) returns, for every i: the same
// verdict (compared in constant time) or the same error per check, whatever
// the other checks are. Only the speed differs: bcrypt checks of the same
// cost ("$2a$" or "$2x$", in any mix, see Pairable) are computed together,
// two or three at a time, interleaved in the calling goroutine. Per core,
// two take about 1.1 times the time of one of them alone and three about
// 1.3 times, against 2 and 3 times one after the other (BENCHMARKS.md).
// Of n such checks, as many as possible go in threes, and none is left
// alone unless n is 1 (four are two pairs). The other checks are computed
// one at a time as Verify computes them. Notices (WithNotices) are
// reported in the order of the checks.
//
// VerifyBatch pays off when several checks are waiting at the same time,
// as on a login server at saturation: per core it verifies about twice as
// many bcrypt hashes per second, and each check of a group is done when
// the group is, a little later than it would be alone. It gains nothing
// for a single check, and a check held back to wait for a partner while a
// core is idle is late by the waiting time. A group is timed like any
// other group of its size and cost, so, as with Verify, the time taken
// does not tell a wrong password from a right one or from a dummy hash of
// the same cost.
func (v Version) VerifyBatch(checks []Check) {
	type pending struct {
		c     *Check
		job   bcryptJob
		never bool
	}
	var buf [maxWays]pending
	pend := buf[:0]
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
		pend = append(pend, pending{c, job, never})
	}
	// Checks of one cost next to each other, in their order.
	slices.SortStableFunc(pend, func(a, b pending) int { return a.job.cost - b.job.cost })
	for len(pend) > 0 {
		same := 1
		for same < len(pend) && pend[same].job.cost == pend[0].job.cost {
			same++
		}
		group, rest := pend[:same], pend[same:]
		for len(group) > 0 {
			k := groupSize(len(group))
			if k == 1 {
				p := &group[0]
				sum := bcryptHash(p.job.key, p.job.salt, p.job.cost)
				p.c.OK, p.c.Err = verdict(bcryptResult(p.c.Hash, &sum), p.c.Hash, p.never), nil
			} else {
				var jobs [maxWays]*bcryptJob
				for i := range k {
					jobs[i] = &group[i].job
				}
				sums := bcryptHashInterleaved(jobs[:k])
				for i := range k {
					p := &group[i]
					p.c.OK, p.c.Err = verdict(bcryptResult(p.c.Hash, &sums[i]), p.c.Hash, p.never), nil
				}
			}
			group = group[k:]
		}
		pend = rest
	}
}

// MaxInterleaved is the most bcrypt checks of one cost VerifyBatch
// computes together: a hashing pool that gathers waiting checks gains
// nothing from handing it more than this many at once.
const MaxInterleaved = maxWays

// groupSize is how many of n waiting checks of one cost to compute
// together next: three while that leaves none alone, else two; one only
// when n is 1.
func groupSize(n int) int {
	switch n {
	case 1, 2:
		return n
	case 4:
		return 2
	}
	return 3
}

// Pairable reports whether VerifyBatch computes checks against hashA and
// hashB together: both are bcrypt hashes ("$2a$" or "$2x$") usable as
// settings, of the same cost. Hashes that pair with one another also go
// together in threes. A hashing pool can use it to pick partners;
// the passwords do not matter, and the answer is the same for every
// PostgreSQL major.
func Pairable(hashA, hashB string) bool {
	a, okA := PairCost(hashA)
	b, okB := PairCost(hashB)
	return okA && okB && a == b
}

// PairCost returns the bcrypt cost by which VerifyBatch groups checks
// against hash (hashes of equal PairCost are Pairable), and false for a
// hash it never groups: not "$2a$"/"$2x$", or unusable as a setting. A
// pool that keeps waiting checks by cost parses each hash once with it.
func PairCost(hash string) (cost int, ok bool) {
	if _, ok := bcryptVariant(hash); !ok {
		return 0, false
	}
	if strings.IndexByte(hash, 0) >= 0 {
		return 0, false // ErrInvalidEncoding
	}
	cost, _, ok = bcryptParse(hash)
	return cost, ok
}
