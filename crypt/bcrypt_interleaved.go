package crypt

//go:generate go run gen_blowfish_interleaved.go

// The interleaved bcrypt core. One bcrypt is a chain of 2^cost × 1 042
// Blowfish encryptions, each depending on the one before, and a round is a
// chain of dependent loads and adds: one hash leaves most of the core's
// execution units idle. Two or three hashes of the same cost share the
// loop, one round of each in turn: per core, two take about 1.1 times the
// time of one, three about 1.3 times (BENCHMARKS.md). The state of each
// stays its own; only the order of the instructions changes.

// maxWays is the most hashes computed together. A fourth adds less than
// the third did (about 2.5 hashes per core against 2.3, measured) and
// makes each check 1.5 to 1.7 times as slow as alone, so the core stops at
// three.
const maxWays = 3

// ways holds the key schedules of up to maxWays hashes computed together;
// n of them are in use.
type ways struct {
	st [maxWays]bfState
	n  int
}

// rekey is bfState.rekey of every schedule in use, interleaved.
func (w *ways) rekey() {
	if w.n == 3 {
		rekey3(&w.st[0], &w.st[1], &w.st[2])
		return
	}
	rekey2(&w.st[0], &w.st[1])
}

// encrypt is bfState.encrypt of (l[i], r[i]) with schedule i, for every
// schedule in use, interleaved.
func (w *ways) encrypt(l, r *[maxWays]uint32) {
	a, b, c := &w.st[0], &w.st[1], &w.st[2]
	if w.n == 3 {
		l[0], r[0], l[1], r[1], l[2], r[2] = encrypt3(a, b, c, l[0], r[0], l[1], r[1], l[2], r[2])
		return
	}
	l[0], r[0], l[1], r[1] = encrypt2(a, b, l[0], r[0], l[1], r[1])
}

// rekeySalted is bfState.rekeySalted of schedule i with the salt of jobs[i].
func (w *ways) rekeySalted(jobs []*bcryptJob) {
	var l, r [maxWays]uint32
	blocks := 0
	next := func() {
		k := blocks & 1 * 2
		blocks++
		for i, job := range jobs {
			l[i] ^= job.salt[k]
			r[i] ^= job.salt[k+1]
		}
		w.encrypt(&l, &r)
	}
	for j := 0; j < len(w.st[0].p); j += 2 {
		next()
		for i := range jobs {
			w.st[i].p[j], w.st[i].p[j+1] = l[i], r[i]
		}
	}
	for k := range w.st[0].s {
		for j := 0; j < len(w.st[0].s[k]); j += 2 {
			next()
			for i := range jobs {
				w.st[i].s[k][j], w.st[i].s[k][j+1] = l[i], r[i]
			}
		}
	}
}

// bcryptHashInterleaved is bcryptHash of every job, computed together:
// jobs are two or three of one cost. sums[i] is the hash of jobs[i].
func bcryptHashInterleaved(jobs []*bcryptJob) (sums [maxWays][6]uint32) {
	if len(jobs) < 2 || len(jobs) > maxWays {
		panic("crypt: bcryptHashInterleaved of a group that is not 2 or 3 hashes")
	}
	cost := jobs[0].cost
	w := &ways{n: len(jobs)}
	var saltKey [maxWays][bcryptKeyWords]uint32
	for i, job := range jobs {
		if job.cost != cost {
			panic("crypt: bcryptHashInterleaved of different costs")
		}
		st := &w.st[i]
		st.p, st.s = bfInitP, bfInitS
		st.xorP(&job.key)
		for j := range saltKey[i] {
			saltKey[i][j] = job.salt[j&3]
		}
	}
	w.rekeySalted(jobs)

	for n := uint64(1) << cost; n > 0; n-- {
		for i, job := range jobs {
			w.st[i].xorP(&job.key)
		}
		w.rekey()
		for i := range jobs {
			w.st[i].xorP(&saltKey[i])
		}
		w.rekey()
	}

	for i := range jobs {
		sums[i] = bcryptMagic
	}
	for j := 0; j < len(bcryptMagic); j += 2 {
		var l, r [maxWays]uint32
		for i := range jobs {
			l[i], r[i] = sums[i][j], sums[i][j+1]
		}
		for range 64 {
			w.encrypt(&l, &r)
		}
		for i := range jobs {
			sums[i][j], sums[i][j+1] = l[i], r[i]
		}
	}
	return sums
}
