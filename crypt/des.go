package crypt

import "math/bits"

// Traditional crypt(3) DES and BSDi extended DES, as pgcrypto's crypt-des.c
// computes them (identical in PostgreSQL 13–18).
//
// The DES core works on the two 32-bit halves after the initial permutation.
// The expansion E of a half is kept as two words of four 6-bit groups, one
// group per byte, in the order the rotations produce them:
//
//	x = [e2 e4 e6 e0]  (bytes 3..0)  = rotl(R, 5) & 0x3f3f3f3f
//	y = [e1 e3 e5 e7]  (bytes 3..0)  = rotl(R, 1) & 0x3f3f3f3f
//
// where e_i are the S-box inputs 1..8 (index 0..7). The crypt(3) salt swaps
// bit k of the first 24 E bits with bit k of the last 24, that is group e_i
// with e_(i+4) bit by bit, which in this layout is a swap between the low and
// the high 16 bits of the same word: one masked delta swap per word.

// desSaltValue maps a salt character to 0..63 by the crypt(3) alphabet.
// Every other byte counts as 0 ('.'); pgcrypto raises no error for it and
// the caller echoes the original byte in the output (bug-compatible).
func desSaltValue(c byte) uint32 {
	switch {
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 38
	case c >= 'A' && c <= 'Z':
		return uint32(c-'A') + 12
	case c >= '.' && c <= '9':
		return uint32(c - '.')
	}
	return 0
}

// desSaltMasks turns a 24-bit crypt(3) salt (bit k swaps E bits k and k+24,
// E bit 0 being the first, most significant one) into the delta-swap masks
// for the x and y words described above.
func desSaltMasks(salt uint32) (mx, my uint32) {
	// Salt bits 6g..6g+5 concern the group pair (g, g+4), least significant
	// salt bit first, i.e. the reversed bit order of the 6-bit group.
	rev := func(v uint32) uint32 { return uint32(bits.Reverse8(uint8(v&0x3f)) >> 2) }
	g0, g1, g2, g3 := rev(salt), rev(salt>>6), rev(salt>>12), rev(salt>>18)
	// Pair (0,4): e0 is x byte 0. Pair (2,6): e6 is x byte 1.
	// Pair (1,5): e5 is y byte 1. Pair (3,7): e7 is y byte 0.
	return g0 | g2<<8, g1<<8 | g3
}

// desKeys is a DES key schedule: the 48-bit round keys in the x/y layout.
type desKeys struct {
	kx, ky [16]uint32
}

// desKeyShifts are the left rotations of the key halves C and D per round.
var desKeyShifts = [16]uint8{1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1}

// setKey computes the round keys of the 8-byte key k (its low bit of each
// byte, the DES parity bit, is ignored by PC1).
func (ks *desKeys) setKey(k *[8]byte) {
	v := uint64(k[0])<<56 | uint64(k[1])<<48 | uint64(k[2])<<40 | uint64(k[3])<<32 |
		uint64(k[4])<<24 | uint64(k[5])<<16 | uint64(k[6])<<8 | uint64(k[7])
	var cd uint64
	for i := range 16 {
		cd |= desTabs.pc1[i][(v>>(60-4*i))&0xf]
	}
	c, d := uint32(cd>>28), uint32(cd&0x0fffffff)
	for r, s := range desKeyShifts {
		c = (c<<s | c>>(28-s)) & 0x0fffffff
		d = (d<<s | d>>(28-s)) & 0x0fffffff
		k := desTabs.pc2c[0][c>>21&0x7f] | desTabs.pc2c[1][c>>14&0x7f] |
			desTabs.pc2c[2][c>>7&0x7f] | desTabs.pc2c[3][c&0x7f] |
			desTabs.pc2d[0][d>>21&0x7f] | desTabs.pc2d[1][d>>14&0x7f] |
			desTabs.pc2d[2][d>>7&0x7f] | desTabs.pc2d[3][d&0x7f]
		ks.kx[r], ks.ky[r] = uint32(k), uint32(k>>32)
	}
}

// encrypt runs count chained DES encryptions of the block whose halves after
// the initial permutation are l and r, with the salt masks mx, my. Between
// two encryptions the final and the initial permutation cancel out, so only
// the halves are swapped. It returns the block before the final permutation
// as (high, low).
func (ks *desKeys) encrypt(l, r, mx, my uint32, count int) (uint32, uint32) {
	sp := &desTabs.sp
	// The salt swap as one masked XOR: rotating a word by 16 lines up each
	// group with its partner, and the masks cover both halves.
	mx |= mx << 16
	my |= my << 16
	// f is the round function, written for a short dependency chain: the
	// expansion, salt swap and key XOR are independent terms, and the
	// S-box/P lookups are summed as a balanced tree.
	f := func(h, kx, ky uint32) uint32 {
		a, b := bits.RotateLeft32(h, 5), bits.RotateLeft32(h, 1)
		x := (a&0x3f3f3f3f ^ kx) ^ (a^bits.RotateLeft32(a, 16))&mx
		y := (b&0x3f3f3f3f ^ ky) ^ (b^bits.RotateLeft32(b, 16))&my
		return ((sp[0][x&0x3f] ^ sp[6][x>>8&0x3f]) ^ (sp[4][x>>16&0x3f] ^ sp[2][x>>24&0x3f])) ^
			((sp[7][y&0x3f] ^ sp[5][y>>8&0x3f]) ^ (sp[3][y>>16&0x3f] ^ sp[1][y>>24&0x3f]))
	}
	kx, ky := &ks.kx, &ks.ky
	for ; count > 0; count-- {
		l ^= f(r, kx[0], ky[0])
		r ^= f(l, kx[1], ky[1])
		l ^= f(r, kx[2], ky[2])
		r ^= f(l, kx[3], ky[3])
		l ^= f(r, kx[4], ky[4])
		r ^= f(l, kx[5], ky[5])
		l ^= f(r, kx[6], ky[6])
		r ^= f(l, kx[7], ky[7])
		l ^= f(r, kx[8], ky[8])
		r ^= f(l, kx[9], ky[9])
		l ^= f(r, kx[10], ky[10])
		r ^= f(l, kx[11], ky[11])
		l ^= f(r, kx[12], ky[12])
		r ^= f(l, kx[13], ky[13])
		l ^= f(r, kx[14], ky[14])
		r ^= f(l, kx[15], ky[15])
		l, r = r, l
	}
	return l, r
}

// desPermute applies a 64-bit permutation through its nibble tables.
func desPermute(tab *[16][16]uint64, v uint64) uint64 {
	var out uint64
	for i := range 16 {
		out |= tab[i][(v>>(60-4*i))&0xf]
	}
	return out
}

// appendDESResult appends the 11 characters of a 64-bit DES result: its bits
// most significant first, six at a time, padded with two zero bits.
func appendDESResult(dst []byte, v uint64) []byte {
	for shift := 58; shift >= 4; shift -= 6 {
		dst = append(dst, cryptAlphabet[(v>>uint(shift))&0x3f])
	}
	return append(dst, cryptAlphabet[(v<<2)&0x3f])
}

// desKeyBytes fills k from the first 8 password bytes, each shifted left by
// one bit: the high bit of every byte is lost (bug-compatible with crypt(3)).
// It returns the bytes not consumed.
func desKeyBytes(k *[8]byte, key []byte) []byte {
	n := min(len(key), 8)
	for i := range n {
		k[i] = key[i] << 1
	}
	return key[n:]
}

// desCrypt is traditional crypt(3) DES, pgcrypto's catch-all for settings
// no other prefix claims: the first two setting bytes are the salt (the rest
// is ignored), the first 8 password bytes the key.
func desCrypt(key, setting []byte) ([]byte, error) {
	if len(setting) < 2 {
		return nil, ErrInvalidSalt
	}
	var k [8]byte
	desKeyBytes(&k, key)
	var ks desKeys
	ks.setKey(&k)
	mx, my := desSaltMasks(desSaltValue(setting[0]) | desSaltValue(setting[1])<<6)
	hi, lo := ks.encrypt(0, 0, mx, my, 25)
	out := make([]byte, 0, 13)
	// The salt bytes are echoed as given, even those that counted as '.'.
	out = append(out, setting[0], setting[1])
	return appendDESResult(out, desPermute(&desTabs.fp, uint64(hi)<<32|uint64(lo))), nil
}

// xdesCrypt is BSDi extended DES: setting "_" + 4 count characters + 4 salt
// characters (24-bit little-endian numbers each); the rest of the setting is
// ignored. The whole password is folded into the key, 8 bytes at a time.
func xdesCrypt(key, setting []byte) ([]byte, error) {
	if len(setting) < 9 {
		return nil, ErrInvalidSalt
	}
	var count, salt uint32
	for i := 0; i < 4; i++ {
		count |= desSaltValue(setting[1+i]) << (6 * i)
		salt |= desSaltValue(setting[5+i]) << (6 * i)
	}
	if count == 0 {
		// Only reachable with "...." or characters outside the alphabet,
		// which count as 0; gen_salt never makes such a setting.
		return nil, ErrReturnedNull
	}
	var k [8]byte
	rest := desKeyBytes(&k, key)
	var ks desKeys
	ks.setKey(&k)
	for len(rest) > 0 {
		// Encrypt the key with itself (no salt, one pass), then XOR in the
		// next up to 8 bytes, shifted like the first ones.
		in := desPermute(&desTabs.ip, uint64(k[0])<<56|uint64(k[1])<<48|uint64(k[2])<<40|uint64(k[3])<<32|
			uint64(k[4])<<24|uint64(k[5])<<16|uint64(k[6])<<8|uint64(k[7]))
		hi, lo := ks.encrypt(uint32(in>>32), uint32(in), 0, 0, 1)
		v := desPermute(&desTabs.fp, uint64(hi)<<32|uint64(lo))
		for i := range k {
			k[i] = byte(v >> (56 - 8*i))
		}
		n := min(len(rest), 8)
		for i := range n {
			k[i] ^= rest[i] << 1
		}
		rest = rest[n:]
		ks.setKey(&k)
	}
	mx, my := desSaltMasks(salt)
	hi, lo := ks.encrypt(0, 0, mx, my, int(count))
	out := make([]byte, 0, 20)
	out = append(out, setting[:9]...)
	return appendDESResult(out, desPermute(&desTabs.fp, uint64(hi)<<32|uint64(lo))), nil
}
