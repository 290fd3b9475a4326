package crypt

// The DES permutations and S-boxes as FIPS 46-3 defines them (bit positions
// 1-based, most significant first), and the lookup tables des.go runs on,
// derived from them once at package initialisation.

var desIP = [64]uint8{
	58, 50, 42, 34, 26, 18, 10, 2,
	60, 52, 44, 36, 28, 20, 12, 4,
	62, 54, 46, 38, 30, 22, 14, 6,
	64, 56, 48, 40, 32, 24, 16, 8,
	57, 49, 41, 33, 25, 17, 9, 1,
	59, 51, 43, 35, 27, 19, 11, 3,
	61, 53, 45, 37, 29, 21, 13, 5,
	63, 55, 47, 39, 31, 23, 15, 7,
}

var desPC1 = [56]uint8{
	57, 49, 41, 33, 25, 17, 9,
	1, 58, 50, 42, 34, 26, 18,
	10, 2, 59, 51, 43, 35, 27,
	19, 11, 3, 60, 52, 44, 36,
	63, 55, 47, 39, 31, 23, 15,
	7, 62, 54, 46, 38, 30, 22,
	14, 6, 61, 53, 45, 37, 29,
	21, 13, 5, 28, 20, 12, 4,
}

var desPC2 = [48]uint8{
	14, 17, 11, 24, 1, 5,
	3, 28, 15, 6, 21, 10,
	23, 19, 12, 4, 26, 8,
	16, 7, 27, 20, 13, 2,
	41, 52, 31, 37, 47, 55,
	30, 40, 51, 45, 33, 48,
	44, 49, 39, 56, 34, 53,
	46, 42, 50, 36, 29, 32,
}

var desP = [32]uint8{
	16, 7, 20, 21, 29, 12, 28, 17,
	1, 15, 23, 26, 5, 18, 31, 10,
	2, 8, 24, 14, 32, 27, 3, 9,
	19, 13, 30, 6, 22, 11, 4, 25,
}

// desSBox[i][row][column], row from the outer input bits, column from the
// inner four.
var desSBox = [8][4][16]uint8{
	{
		{14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7},
		{0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8},
		{4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0},
		{15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13},
	},
	{
		{15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10},
		{3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5},
		{0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15},
		{13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9},
	},
	{
		{10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8},
		{13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1},
		{13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7},
		{1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12},
	},
	{
		{7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15},
		{13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9},
		{10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4},
		{3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14},
	},
	{
		{2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9},
		{14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6},
		{4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14},
		{11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3},
	},
	{
		{12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11},
		{10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8},
		{9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6},
		{4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13},
	},
	{
		{4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1},
		{13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6},
		{1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2},
		{6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12},
	},
	{
		{13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7},
		{1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2},
		{7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8},
		{2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11},
	},
}

// desTabs holds everything derived from the definitions above.
var desTabs = buildDESTables()

type desTables struct {
	// ip, fp: the initial and final permutation, per input nibble.
	ip, fp [16][16]uint64
	// pc1: PC1 per key nibble, giving C<<28 | D.
	pc1 [16][16]uint64
	// pc2c, pc2d: PC2 per 7-bit chunk of C and of D, giving the round key
	// as x | y<<32 (the layout of des.go).
	pc2c, pc2d [4][128]uint64
	// sp: S-box i followed by P, indexed by the 6-bit input.
	sp [8][64]uint32
}

// desEBit returns where bit k (0-based, most significant first) of the
// 48-bit E output or round key lives in the x | y<<32 layout.
func desEBit(k int) uint64 {
	group, bit := k/6, 5-k%6
	// Byte of each group: x = [e2 e4 e6 e0], y = [e1 e3 e5 e7] (bytes 3..0).
	pos := [8]int{0, 32 + 24, 24, 32 + 16, 16, 32 + 8, 8, 32 + 0}[group]
	return 1 << (pos + bit)
}

// nibbleTables builds, for a permutation out[j] = in[src[j]] (1-based source
// positions in a 64-bit word, most significant first), the tables that
// apply it one input nibble at a time; target maps output position j to its
// bit in the result.
func nibbleTables(src []uint8, target func(j int) uint64) (t [16][16]uint64) {
	for j, s := range src {
		p := int(s) - 1
		for v := range 16 {
			if v&(8>>(p%4)) != 0 {
				t[p/4][v] |= target(j)
			}
		}
	}
	return t
}

func buildDESTables() *desTables {
	t := new(desTables)
	msb64 := func(n int) func(j int) uint64 {
		return func(j int) uint64 { return 1 << (n - 1 - j) }
	}
	t.ip = nibbleTables(desIP[:], msb64(64))
	var fp [64]uint8
	for j, s := range desIP {
		fp[s-1] = uint8(j + 1)
	}
	t.fp = nibbleTables(fp[:], msb64(64))
	t.pc1 = nibbleTables(desPC1[:], msb64(56))
	for j, s := range desPC2 {
		p := int(s) - 1 // position in C (0..27) or D (28..55)
		half := &t.pc2c
		if p >= 28 {
			half, p = &t.pc2d, p-28
		}
		// Chunk p/7 of the 28-bit half, bit 6-p%7 of the chunk.
		for v := range 128 {
			if v&(1<<(6-p%7)) != 0 {
				half[p/7][v] |= desEBit(j)
			}
		}
	}
	for i, box := range desSBox {
		for v := range 64 {
			row := v>>4&2 | v&1
			col := v >> 1 & 0xf
			s := uint32(box[row][col]) << (28 - 4*i) // output bits 4i..4i+3
			var out uint32
			for j, src := range desP {
				if s&(1<<(32-int(src))) != 0 {
					out |= 1 << (31 - j)
				}
			}
			t.sp[i][v] = out
		}
	}
	return t
}
