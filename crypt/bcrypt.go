package crypt

import "strings"

//go:generate go run gen_blowfish_pi.go

// bcrypt as pgcrypto implements it: an old crypt_blowfish that knows only
// "$2a$" (the correct algorithm, WITHOUT the later Openwall "safety"
// countermeasure) and "$2x$" (the historical sign-extension bug). It has its
// own Blowfish core because the cost loop is all there is to bcrypt's speed:
// fixed-size S-boxes indexed by bytes compile without bounds checks.

const (
	// bcryptAlphabet is bcrypt's own base64 ordering (digits last).
	bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

	bcryptSettingLen = 29 // "$2a$" + 2 cost digits + "$" + 22 salt characters
	bcryptSaltChars  = 22
	bcryptSaltBytes  = 16
	bcryptMinCost    = 4
	bcryptMaxCost    = 31
	bcryptKeyWords   = 18 // 72 bytes of key stream
	bcryptHashLen    = 60
)

// bcryptIndex maps a byte to its value in bcryptAlphabet, or -1.
var bcryptIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bcryptAlphabet); i++ {
		t[bcryptAlphabet[i]] = int8(i)
	}
	return t
}()

// bcryptMagic is "OrpheanBeholderScryDoubt" as six big-endian words.
var bcryptMagic = [6]uint32{0x4f727068, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274}

// bcryptCrypt hashes password with a "$2a$" or "$2x$" setting (signBug
// selects "$2x$"). The setting must have at least 29 bytes: the prefix, a
// two-digit cost 04..31, '$' and 22 salt characters from bcryptAlphabet;
// anything after them is ignored.
func bcryptCrypt(password, setting string, signBug bool) ([]byte, error) {
	job, err := bcryptPrepare(password, setting, signBug)
	if err != nil {
		return nil, err
	}
	sum := bcryptHash(job.key, job.salt, job.cost)
	return bcryptResult(setting, &sum), nil
}

// bcryptVariant reports whether crypt() hashes setting with bcrypt (the
// prefixes its dispatch tests first), and whether as the bug-compatible
// "$2x$".
func bcryptVariant(setting string) (signBug, ok bool) {
	switch {
	case strings.HasPrefix(setting, "$2a$"):
		return false, true
	case strings.HasPrefix(setting, "$2x$"):
		return true, true
	}
	return false, false
}

// bcryptJob is one bcrypt computation, as bcryptHash and bcryptHashInterleaved take
// it.
type bcryptJob struct {
	key  [bcryptKeyWords]uint32
	salt [4]uint32
	cost int
}

// bcryptPrepare checks a "$2a$"/"$2x$" setting as bcryptCrypt describes
// and returns the computation it asks for, or ErrInvalidSalt.
func bcryptPrepare(password, setting string, signBug bool) (bcryptJob, error) {
	cost, salt, ok := bcryptParse(setting)
	if !ok {
		return bcryptJob{}, ErrInvalidSalt
	}
	return bcryptJob{key: bcryptKey(password, signBug), salt: salt, cost: cost}, nil
}

// bcryptParse returns the cost and the salt words of a valid setting.
func bcryptParse(setting string) (cost int, salt [4]uint32, ok bool) {
	cost, ok = bcryptCost(setting)
	if !ok {
		return 0, salt, false
	}
	var raw [bcryptSaltBytes]byte
	if !bcryptDecodeSalt(&raw, setting[7:bcryptSettingLen]) {
		return 0, salt, false
	}
	return cost, saltWords(&raw), true
}

// bcryptCost returns the cost of a setting long enough for bcrypt, if its
// cost field is valid; the salt characters are not checked.
func bcryptCost(setting string) (int, bool) {
	if len(setting) < bcryptSettingLen {
		return 0, false
	}
	d4, d5 := setting[4], setting[5]
	if d4 < '0' || d4 > '3' || d5 < '0' || d5 > '9' || (d4 == '3' && d5 > '1') || setting[6] != '$' {
		return 0, false
	}
	cost := int(d4-'0')*10 + int(d5-'0')
	return cost, cost >= bcryptMinCost
}

// bcryptResult is crypt()'s output for a valid setting and the hash sum.
func bcryptResult(setting string, sum *[6]uint32) []byte {
	out := make([]byte, 0, bcryptHashLen)
	out = append(out, setting[:bcryptSettingLen-1]...)
	// The 22nd salt character carries only two bits; pgcrypto rewrites it
	// to the character of those bits alone, so "…q0P" comes out "…q0O".
	out = append(out, bcryptAlphabet[bcryptIndex[setting[bcryptSettingLen-1]]&0x30])
	var raw [24]byte
	for i, w := range sum {
		raw[4*i], raw[4*i+1], raw[4*i+2], raw[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	}
	return bcryptEncode(out, raw[:23])
}

// bcryptDecodeSalt decodes 22 characters into 16 bytes, most significant
// bits first; the low four bits of the last character are discarded. It
// reports false if a character is outside bcryptAlphabet.
func bcryptDecodeSalt(dst *[bcryptSaltBytes]byte, src string) bool {
	var v [bcryptSaltChars]byte
	for i := range v {
		c := bcryptIndex[src[i]]
		if c < 0 {
			return false
		}
		v[i] = byte(c)
	}
	for i, j := 0, 0; j < bcryptSaltBytes; i += 4 {
		dst[j] = v[i]<<2 | v[i+1]>>4
		j++
		if j == bcryptSaltBytes {
			break
		}
		dst[j] = v[i+1]<<4 | v[i+2]>>2
		dst[j+1] = v[i+2]<<6 | v[i+3]
		j += 2
	}
	return true
}

// bcryptEncode appends src in base64 with bcryptAlphabet, most significant
// bits first, without padding.
func bcryptEncode(dst, src []byte) []byte {
	for len(src) >= 3 {
		v := uint32(src[0])<<16 | uint32(src[1])<<8 | uint32(src[2])
		dst = append(dst, bcryptAlphabet[v>>18], bcryptAlphabet[v>>12&0x3f], bcryptAlphabet[v>>6&0x3f], bcryptAlphabet[v&0x3f])
		src = src[3:]
	}
	switch len(src) {
	case 1:
		dst = append(dst, bcryptAlphabet[src[0]>>2], bcryptAlphabet[src[0]<<4&0x3f])
	case 2:
		v := uint32(src[0])<<8 | uint32(src[1])
		dst = append(dst, bcryptAlphabet[v>>10], bcryptAlphabet[v>>4&0x3f], bcryptAlphabet[v<<2&0x3f])
	}
	return dst
}

func saltWords(salt *[bcryptSaltBytes]byte) (w [4]uint32) {
	for i := range w {
		w[i] = uint32(salt[4*i])<<24 | uint32(salt[4*i+1])<<16 | uint32(salt[4*i+2])<<8 | uint32(salt[4*i+3])
	}
	return w
}

// bcryptKey builds the 18 key words from the byte stream password, NUL,
// password, NUL, …: only the first 72 bytes count, so longer passwords are
// cut silently and a 71-byte one still sees its NUL.
func bcryptKey(password string, signBug bool) (key [bcryptKeyWords]uint32) {
	pos := 0
	for i := range key {
		var w uint32
		for range 4 {
			var b byte
			if pos < len(password) {
				b = password[pos]
				pos++
			} else {
				pos = 0 // the NUL terminator, then start over
			}
			if signBug {
				// Bug-compatible "$2x$": the byte was read as a signed char,
				// so a byte >= 0x80 sets every higher bit of the word.
				w = w<<8 | uint32(int32(int8(b)))
			} else {
				w = w<<8 | uint32(b)
			}
		}
		key[i] = w
	}
	return key
}

// bcryptHash is EksBlowfish with 2^cost rounds followed by 64 encryptions
// of "OrpheanBeholderScryDoubt".
func bcryptHash(key [bcryptKeyWords]uint32, salt [4]uint32, cost int) [6]uint32 {
	var st bfState
	st.p = bfInitP
	st.s = bfInitS
	for i := range st.p {
		st.p[i] ^= key[i]
	}
	st.rekeySalted(&salt)

	var saltKey [bcryptKeyWords]uint32
	for i := range saltKey {
		saltKey[i] = salt[i&3]
	}
	for n := uint64(1) << cost; n > 0; n-- {
		st.xorP(&key)
		st.rekey()
		st.xorP(&saltKey)
		st.rekey()
	}

	sum := bcryptMagic
	for i := 0; i < len(sum); i += 2 {
		l, r := sum[i], sum[i+1]
		for range 64 {
			l, r = st.encrypt(l, r)
		}
		sum[i], sum[i+1] = l, r
	}
	return sum
}

// bfState is a Blowfish key schedule.
type bfState struct {
	p [18]uint32
	s [4][256]uint32
}

func (st *bfState) xorP(k *[bcryptKeyWords]uint32) {
	for i := range st.p {
		st.p[i] ^= k[i]
	}
}

// rekey replaces P and the S-boxes with a chain of encryptions starting from
// a zero block. The cost loop's rekeys use no salt.
func (st *bfState) rekey() {
	var l, r uint32
	for i := 0; i < len(st.p); i += 2 {
		l, r = st.encrypt(l, r)
		st.p[i], st.p[i+1] = l, r
	}
	for b := range st.s {
		box := &st.s[b]
		for i := 0; i < len(box); i += 2 {
			l, r = st.encrypt(l, r)
			box[i], box[i+1] = l, r
		}
	}
}

// rekeySalted is the initial, salted rekey: before each encryption the
// block is XORed with salt words (0,1), then (2,3), alternately.
func (st *bfState) rekeySalted(salt *[4]uint32) {
	var l, r uint32
	n := 0
	next := func() (uint32, uint32) {
		k := n & 1 * 2
		n++
		return st.encrypt(l^salt[k], r^salt[k+1])
	}
	for i := 0; i < len(st.p); i += 2 {
		l, r = next()
		st.p[i], st.p[i+1] = l, r
	}
	for b := range st.s {
		box := &st.s[b]
		for i := 0; i < len(box); i += 2 {
			l, r = next()
			box[i], box[i+1] = l, r
		}
	}
}

// encrypt is one Blowfish block encryption (16 rounds, unrolled).
func (st *bfState) encrypt(l, r uint32) (uint32, uint32) {
	s0, s1, s2, s3 := &st.s[0], &st.s[1], &st.s[2], &st.s[3]
	p := &st.p
	l ^= p[0]
	r = r ^ p[1] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[2] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[3] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[4] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[5] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[6] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[7] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[8] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[9] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[10] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[11] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[12] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[13] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[14] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	r = r ^ p[15] ^ (((s0[l>>24] + s1[uint8(l>>16)]) ^ s2[uint8(l>>8)]) + s3[uint8(l)])
	l = l ^ p[16] ^ (((s0[r>>24] + s1[uint8(r>>16)]) ^ s2[uint8(r>>8)]) + s3[uint8(r)])
	return r ^ p[17], l
}
