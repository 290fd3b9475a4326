package crypt

//go:generate go run gen_blowfish_pair.go

// The 2-way bcrypt core. One bcrypt is a chain of 2^cost × 1 042 Blowfish
// encryptions, each depending on the one before, and a round is a chain of
// dependent loads and adds: one hash leaves most of the core's execution
// units idle. Two hashes of the same cost share the loop, one round of
// each in turn, and take little longer than one (BENCHMARKS.md). The state
// of each stays its own; only the order of the instructions changes.

// bcryptHash2 is bcryptHash of (keyA, saltA) and of (keyB, saltB), both
// with the given cost, computed together.
func bcryptHash2(keyA, keyB *[bcryptKeyWords]uint32, saltA, saltB *[4]uint32, cost int) (sumA, sumB [6]uint32) {
	var a, b bfState
	a.p, b.p = bfInitP, bfInitP
	a.s, b.s = bfInitS, bfInitS
	a.xorP(keyA)
	b.xorP(keyB)
	rekeySalted2(&a, &b, saltA, saltB)

	var saltKeyA, saltKeyB [bcryptKeyWords]uint32
	for i := range saltKeyA {
		saltKeyA[i] = saltA[i&3]
		saltKeyB[i] = saltB[i&3]
	}
	for n := uint64(1) << cost; n > 0; n-- {
		a.xorP(keyA)
		b.xorP(keyB)
		rekey2(&a, &b)
		a.xorP(&saltKeyA)
		b.xorP(&saltKeyB)
		rekey2(&a, &b)
	}

	sumA, sumB = bcryptMagic, bcryptMagic
	for i := 0; i < len(sumA); i += 2 {
		la, ra, lb, rb := sumA[i], sumA[i+1], sumB[i], sumB[i+1]
		for range 64 {
			la, ra, lb, rb = encrypt2(&a, &b, la, ra, lb, rb)
		}
		sumA[i], sumA[i+1], sumB[i], sumB[i+1] = la, ra, lb, rb
	}
	return sumA, sumB
}

// rekeySalted2 is bfState.rekeySalted of a with saltA and of b with saltB.
func rekeySalted2(a, b *bfState, saltA, saltB *[4]uint32) {
	var la, ra, lb, rb uint32
	n := 0
	next := func() {
		k := n & 1 * 2
		n++
		la, ra, lb, rb = encrypt2(a, b, la^saltA[k], ra^saltA[k+1], lb^saltB[k], rb^saltB[k+1])
	}
	for i := 0; i < len(a.p); i += 2 {
		next()
		a.p[i], a.p[i+1] = la, ra
		b.p[i], b.p[i+1] = lb, rb
	}
	for k := range a.s {
		boxA, boxB := &a.s[k], &b.s[k]
		for i := 0; i < len(boxA); i += 2 {
			next()
			boxA[i], boxA[i+1] = la, ra
			boxB[i], boxB[i+1] = lb, rb
		}
	}
}
