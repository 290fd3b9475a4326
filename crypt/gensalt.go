package crypt

import (
	"io"
	"strconv"
)

// saltType is one gen_salt() type: its random byte count, its iteration
// rules and its output format.
type saltType struct {
	name        string
	since       int // first PostgreSQL major that knows the type
	randBytes   int
	defRounds   int // 0: no default and no range check (des, md5)
	minRounds   int
	maxRounds   int
	makeSetting func(rounds int, rnd []byte) ([]byte, bool)
}

var saltTypes = []saltType{
	{name: "des", since: MinMajor, randBytes: 2, makeSetting: genDES},
	{name: "md5", since: MinMajor, randBytes: 6, makeSetting: genMD5},
	{name: "xdes", since: MinMajor, randBytes: 3, defRounds: 725, minRounds: 1, maxRounds: 1<<24 - 1, makeSetting: genXDES},
	{name: "bf", since: MinMajor, randBytes: 16, defRounds: 6, minRounds: bcryptMinCost, maxRounds: bcryptMaxCost, makeSetting: genBF},
	{name: "sha256crypt", since: shaCryptMajor, randBytes: 16, defRounds: 5000, minRounds: 1000, maxRounds: 999999999, makeSetting: genSHA("$5$")},
	{name: "sha512crypt", since: shaCryptMajor, randBytes: 16, defRounds: 5000, minRounds: 1000, maxRounds: 999999999, makeSetting: genSHA("$6$")},
}

// GenSalt returns a new random setting for crypt(), as `SELECT
// gen_salt(typ)` does on this major: typ is des, xdes, md5, bf (and, from
// PostgreSQL 18, sha256crypt, sha512crypt), in any ASCII letter case. The
// iteration count is the type's default (xdes 725, bf 6, sha* 5000).
func (v Version) GenSalt(typ string) (string, error) { return v.GenSaltRounds(typ, 0) }

// GenSaltRounds is gen_salt(typ, rounds). rounds 0 selects the default; the
// accepted ranges are xdes odd 1..16777215, bf 4..31, sha* 1000..999999999;
// des accepts only 0 and 25 and md5 only 0 and 1000 (neither encodes it).
// Other counts give ErrIncorrectRounds, unknown types ErrUnknownAlgorithm.
func (v Version) GenSaltRounds(typ string, rounds int) (string, error) {
	if err := v.enc.checkText(typ, ""); err != nil {
		return "", err
	}
	t := v.lookupSaltType(typ)
	if t == nil {
		return "", ErrUnknownAlgorithm
	}
	if t.defRounds != 0 {
		if rounds == 0 {
			rounds = t.defRounds
		}
		if rounds < t.minRounds || rounds > t.maxRounds {
			return "", ErrIncorrectRounds
		}
	}
	rnd := make([]byte, t.randBytes)
	if _, err := io.ReadFull(v.random(), rnd); err != nil {
		return "", ErrRandom
	}
	out, ok := t.makeSetting(rounds, rnd)
	if !ok {
		return "", ErrIncorrectRounds
	}
	return string(out), nil
}

// lookupSaltType matches names ignoring ASCII case only, as pg_strcasecmp
// does in the C locale (so no Unicode folding: "ſha256crypt" is unknown).
func (v Version) lookupSaltType(typ string) *saltType {
	for i := range saltTypes {
		t := &saltTypes[i]
		if v.Major() >= t.since && equalFoldASCII(typ, t.name) {
			return t
		}
	}
	return nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func le24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

// genDES: two characters, each from the low six bits of a random byte. The
// count is not encoded, but only 0 and 25 (the fixed DES count) pass.
func genDES(rounds int, rnd []byte) ([]byte, bool) {
	if rounds != 0 && rounds != 25 {
		return nil, false
	}
	return []byte{cryptAlphabet[rnd[0]&0x3f], cryptAlphabet[rnd[1]&0x3f]}, true
}

// genMD5: "$1$" and eight characters from two 24-bit little-endian groups.
// Only 0 and 1000 (md5-crypt's fixed count) pass.
func genMD5(rounds int, rnd []byte) ([]byte, bool) {
	if rounds != 0 && rounds != md5Iterations {
		return nil, false
	}
	out := append(make([]byte, 0, 11), md5Magic...)
	out = appendCrypt64(out, le24(rnd[0:3]), 4)
	return appendCrypt64(out, le24(rnd[3:6]), 4), true
}

// genXDES: "_", the count in four characters, the 24-bit salt in four. The
// count must be odd (crypt() itself accepts even ones).
func genXDES(rounds int, rnd []byte) ([]byte, bool) {
	if rounds&1 == 0 {
		return nil, false
	}
	out := append(make([]byte, 0, 9), '_')
	out = appendCrypt64(out, uint32(rounds), 4)
	return appendCrypt64(out, le24(rnd), 4), true
}

// genBF: "$2a$", the cost in two digits, "$", 16 random bytes in bcrypt's
// base64 (22 characters, the last always one of . O e u).
func genBF(rounds int, rnd []byte) ([]byte, bool) {
	out := make([]byte, 0, bcryptSettingLen)
	out = append(out, '$', '2', 'a', '$', byte('0'+rounds/10), byte('0'+rounds%10), '$')
	return bcryptEncode(out, rnd), true
}

// genSHA: magic, "rounds=<N>$" always (even for the default 5000), then 16
// characters from the low six bits of 16 random bytes.
func genSHA(magic string) func(int, []byte) ([]byte, bool) {
	return func(rounds int, rnd []byte) ([]byte, bool) {
		out := append(make([]byte, 0, 36), magic...)
		out = append(strconv.AppendInt(append(out, "rounds="...), int64(rounds), 10), '$')
		for _, b := range rnd {
			out = append(out, cryptAlphabet[b&0x3f])
		}
		return out, true
	}
}
