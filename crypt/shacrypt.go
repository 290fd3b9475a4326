package crypt

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"encoding/binary"
	"hash"
	"strconv"
)

// sha256crypt ("$5$") and sha512crypt ("$6$") as PostgreSQL 18's pgcrypto
// (crypt-sha.c) computes them: Drepper's SHA-crypt algorithm, but with
// pgcrypto's own, stricter and partly odd setting parser. The parser, not
// the hashing, is where PostgreSQL differs from libxcrypt; see
// parseShaSetting.

// Limits of PostgreSQL 18's sha-crypt.
const (
	shaRoundsDefault = 5000
	shaRoundsMin     = 1000
	shaRoundsMax     = 999999999
	shaSaltMax       = 16 // salt bytes examined after the magic and rounds=
)

// shaSetting is a parsed "$5$"/"$6$" setting.
type shaSetting struct {
	magic  byte // '5' or '6'
	rounds int
	// custom: "rounds=" was given, so the output repeats it (normalised).
	custom bool
	// salt is what the output shows and digest A hashes; raw is what
	// digest B and the S sequence hash. They differ only when the salt was
	// preceded by '$' characters (see parseShaSetting).
	salt, raw []byte
}

// parseShaSetting parses setting as PostgreSQL 18 does. A rounds value
// outside 1000..999999999 is clamped and reported through notice (if not
// nil) before any error is returned, in the server's order.
func parseShaSetting(setting []byte, notice func(Notice), enc dbEncoding) (shaSetting, error) {
	// Callers guarantee the "$5$"/"$6$" prefix; PostgreSQL's own checks for
	// anything else cannot be reached from crypt().
	if len(setting) < 3 || setting[0] != '$' || (setting[1] != '5' && setting[1] != '6') || setting[2] != '$' {
		return shaSetting{}, ErrInvalidSalt
	}
	s := shaSetting{magic: setting[1], rounds: shaRoundsDefault}
	rest := setting[3:]
	if bytes.HasPrefix(rest, []byte("rounds=")) {
		v, end := strtolInt32(rest[len("rounds="):])
		end += len("rounds=")
		if end >= len(rest) || rest[end] != '$' {
			return shaSetting{}, ErrSaltOptions
		}
		rest = rest[end+1:]
		s.custom = true
		switch {
		case v > shaRoundsMax:
			s.rounds = shaRoundsMax
			if notice != nil {
				notice(Notice{Code: "22003", Message: "rounds=" + strconv.Itoa(int(v)) +
					" exceeds maximum supported value (999999999), using 999999999 instead"})
			}
		case v < shaRoundsMin:
			s.rounds = shaRoundsMin
			if notice != nil {
				notice(Notice{Code: "22003", Message: "rounds=" + strconv.Itoa(int(v)) +
					" is below supported value (1000), using 1000 instead"})
			}
		default:
			s.rounds = int(v)
		}
	}
	// PostgreSQL re-checks the whole rest of the setting (hash part
	// included) on every salt byte it looks at, so any later "$5$", "$6$"
	// or "rounds=" is an error, even past the 16-byte window; an empty rest
	// is never checked.
	if len(rest) > 0 {
		if bytes.Contains(rest, []byte("$5$")) || bytes.Contains(rest, []byte("$6$")) {
			return shaSetting{}, ErrBogusMagic
		}
		if bytes.Contains(rest, []byte("rounds=")) {
			return shaSetting{}, ErrInvalidRoundsOption
		}
	}
	lead, n := 0, 0 // skipped leading '$', salt bytes collected
scan:
	for i := 0; i < len(rest) && i < shaSaltMax; i++ {
		switch c := rest[i]; {
		case isCryptAlphabet(c):
			n++
		case c == '$' && n == 0:
			// Bug-compatible: a '$' before the salt is skipped, yet it
			// counts toward the 16-byte window and shifts the bytes digest B
			// and the S sequence read (they start at rest[0]).
			lead++
		case c == '$':
			break scan
		default:
			return shaSetting{}, ErrInvalidSaltChar.With(`invalid character in salt string: "` +
				string(rest[i:i+enc.charLen(rest[i:])]) + `"`)
		}
	}
	s.salt = rest[lead : lead+n]
	s.raw = rest[:n]
	return s, nil
}

// isCryptAlphabet reports whether c is one of ./0-9A-Za-z.
func isCryptAlphabet(c byte) bool {
	return c >= '.' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// strtolInt32 parses s as C's strtol(s, &end, 10) on a 64-bit platform
// followed by PostgreSQL's strtoint cast to int: leading white space, a sign
// and leading zeros are accepted, overflow saturates at the 64-bit limits,
// and the result is then truncated to 32 bits (bug-compatible: 4294968296
// becomes 1000). end is the index after the digits, or 0 when there are none.
func strtolInt32(s []byte) (v int32, end int) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64 // magnitude, saturated just above the limit
	const limit = 1 << 63
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if d := uint64(s[i] - '0'); u > (limit-d)/10 {
			u = limit + 1 // beyond every 64-bit value: saturate
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, 0
	}
	var l int64
	switch {
	case neg && u >= limit:
		l = -1 << 63
	case neg:
		l = -int64(u)
	case u >= limit:
		l = 1<<63 - 1
	default:
		l = int64(u)
	}
	return int32(l), i
}

// shaCrypt is PostgreSQL 18's crypt() for a setting starting with "$5$"
// (sha256crypt) or "$6$" (sha512crypt).
func shaCrypt(key, setting []byte, notice func(Notice), enc dbEncoding) ([]byte, error) {
	s, err := parseShaSetting(setting, notice, enc)
	if err != nil {
		return nil, err
	}
	w := new(shaWork) // one allocation for all scratch space
	var order []uint8
	if s.magic == '5' {
		shaCryptSum(w, sha256.New(), key, &s, sha256.Size)
		order = sha256cryptOrder[:]
	} else {
		shaCryptSum(w, sha512.New(), key, &s, sha512.Size)
		order = sha512cryptOrder[:]
	}
	sum := &w.c
	out := make([]byte, 0, 3+len("rounds=999999999$")+len(s.salt)+1+86)
	out = append(out, '$', s.magic, '$')
	if s.custom {
		out = append(out, "rounds="...)
		out = strconv.AppendInt(out, int64(s.rounds), 10)
		out = append(out, '$')
	}
	out = append(out, s.salt...)
	out = append(out, '$')
	// Full groups of three bytes give 4 characters; the final group holds
	// what is left (2 bytes → 3 characters, 1 byte → 2).
	full := len(order) / 3 * 3
	for i := 0; i < full; i += 3 {
		v := uint32(sum[order[i]])<<16 | uint32(sum[order[i+1]])<<8 | uint32(sum[order[i+2]])
		out = appendCrypt64(out, v, 4)
	}
	if rest := order[full:]; len(rest) == 2 {
		out = appendCrypt64(out, uint32(sum[rest[0]])<<8|uint32(sum[rest[1]]), 3)
	} else {
		out = appendCrypt64(out, uint32(sum[rest[0]]), 2)
	}
	return out, nil
}

// Byte order of the output encoding (Drepper's specification): groups of
// three digest bytes, most significant first, then the remainder.
var sha256cryptOrder = [32]uint8{
	0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5,
	6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29, 31, 30,
}

var sha512cryptOrder = [64]uint8{
	0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26,
	6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32,
	12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38,
	18, 39, 60, 40, 61, 19, 62, 20, 41, 63,
}

// shaWork is the scratch space of one sha-crypt computation.
type shaWork struct {
	b, dp, ds, c [64]byte
	stack        [512]byte // round messages of passwords up to ~100 bytes
	raw          shaRaw
}

// shaCryptSum computes the final digest C of Drepper's algorithm into w.c,
// with h a fresh hash of n-byte digests.
func shaCryptSum(w *shaWork, h hash.Hash, pw []byte, s *shaSetting, n int) {
	b, dp, ds, c := &w.b, &w.dp, &w.ds, w.c[:n]

	// Digest B = H(pw ‖ salt ‖ pw), with the raw salt bytes.
	h.Write(pw)
	h.Write(s.raw)
	h.Write(pw)
	h.Sum(b[:0])

	// Digest A = H(pw ‖ salt ‖ B repeated over len(pw) bytes ‖ for each bit
	// of len(pw), lowest first: B if set, pw if clear).
	h.Reset()
	h.Write(pw)
	h.Write(s.salt)
	l := len(pw)
	for ; l > n; l -= n {
		h.Write(b[:n])
	}
	h.Write(b[:l])
	for l := len(pw); l > 0; l >>= 1 {
		if l&1 != 0 {
			h.Write(b[:n])
		} else {
			h.Write(pw)
		}
	}
	h.Sum(c[:0])

	// DP = H(pw repeated len(pw) times); DS = H(salt repeated 16+A[0]
	// times), with the raw salt bytes.
	h.Reset()
	for range pw {
		h.Write(pw)
	}
	h.Sum(dp[:0])
	h.Reset()
	for range 16 + int(c[0]) {
		h.Write(s.raw)
	}
	h.Sum(ds[:0])

	// The round input is at most P ‖ S ‖ P ‖ C; P and S are DP and DS
	// repeated over len(pw) and len(salt) bytes. Build them once in buf.
	pl, sl := len(pw), len(s.raw)
	buf := w.stack[:0]
	if need := 3*pl + 2*sl + n + 2*shaMaxBlock; need > len(w.stack) {
		buf = make([]byte, 0, need)
	}
	buf = buf[:pl+sl]
	p, sseq := buf[:pl], buf[pl:pl+sl]
	for i := 0; i < pl; i += n {
		copy(p[i:], dp[:n])
	}
	for i := 0; i < sl; i += n {
		copy(sseq[i:], ds[:n])
	}
	msg := buf[pl+sl : pl+sl]

	raw := &w.raw
	raw.init(h, n == sha256.Size && shaRawFast256 || n == sha512.Size && shaRawFast512)
	for i := 0; i < s.rounds; i++ {
		m := msg[:0]
		if i&1 != 0 {
			m = append(m, p...)
		} else {
			m = append(m, c...)
		}
		if i%3 != 0 {
			m = append(m, sseq...)
		}
		if i%7 != 0 {
			m = append(m, p...)
		}
		if i&1 != 0 {
			m = append(m, c...)
		} else {
			m = append(m, p...)
		}
		raw.sum(c, m)
	}
}

// shaMaxBlock is the SHA-512 block size, the larger of the two.
const shaMaxBlock = 128

// shaRaw hashes messages in the round loop with less overhead than
// Sum256/Sum512 (a quarter of sha512crypt's time): the caller's buffer gets
// the SHA-2 padding appended in place, so hash.Write runs the block function
// on it directly, and the state is read back through the hash's
// AppendBinary, whose chaining values are the digest. Whether this gives the
// standard digest is checked once per hash at start-up; if not (another Go
// release, a different hash implementation), Sum256/Sum512 are used.
type shaRaw struct {
	h     hash.Hash
	app   encoding.BinaryAppender
	size  int // digest bytes
	block int // block bytes
	fast  bool
	state [4 + 64 + shaMaxBlock + 8]byte
}

var (
	shaRawFast256 = shaRawSelfCheck(sha256.New)
	shaRawFast512 = shaRawSelfCheck(sha512.New)
)

func shaRawSelfCheck(newHash func() hash.Hash) bool {
	r := new(shaRaw)
	r.init(newHash(), true)
	if r.app == nil {
		return false
	}
	msg := append(make([]byte, 0, 3*shaMaxBlock), "sha-crypt self-check: padding, block, state"...)
	for range 2 { // one and two blocks
		var got, want [64]byte
		r.sum(got[:r.size], msg)
		r.fast = false
		r.sum(want[:r.size], msg)
		r.fast = true
		if got != want {
			return false
		}
		msg = append(msg, make([]byte, shaMaxBlock)...)
	}
	return true
}

func (r *shaRaw) init(h hash.Hash, fast bool) {
	r.h, r.size, r.block = h, h.Size(), h.BlockSize()
	r.app, _ = h.(encoding.BinaryAppender)
	r.fast = fast && r.app != nil
}

// sum writes the digest of m into dst. m must have room for the padding
// (up to two blocks) in its capacity; its bytes beyond len(m) are clobbered.
func (r *shaRaw) sum(dst, m []byte) {
	if !r.fast {
		if r.size == sha256.Size {
			d := sha256.Sum256(m)
			copy(dst, d[:])
		} else {
			d := sha512.Sum512(m)
			copy(dst, d[:])
		}
		return
	}
	lenBytes := 8 // the bit length field: 64 bits for SHA-256, 128 for SHA-512
	if r.block == 128 {
		lenBytes = 16
	}
	padded := (len(m) + 1 + lenBytes + r.block - 1) / r.block * r.block
	p := m[:padded]
	p[len(m)] = 0x80
	clear(p[len(m)+1 : padded-8])
	binary.BigEndian.PutUint64(p[padded-8:], uint64(len(m))<<3)
	r.h.Reset()
	r.h.Write(p)
	st, _ := r.app.AppendBinary(r.state[:0])
	copy(dst, st[4:4+r.size]) // after the 4-byte magic: the chaining values
}
