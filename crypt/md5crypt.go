package crypt

import (
	"crypto/md5"
	"strings"
)

const (
	md5Magic      = "$1$"
	md5MaxSalt    = 8
	md5Iterations = 1000
)

// md5Crypt is Poul-Henning Kamp's md5-crypt for a setting that starts with
// "$1$". The salt is every byte after the magic up to the first '$', the end
// of the setting or 8 bytes, whichever comes first; it is used raw, with no
// alphabet check, and echoed raw (so the result may be invalid UTF-8, as in
// PostgreSQL). Bytes after the salt are ignored.
func md5Crypt(password, setting string) []byte {
	salt := setting[len(md5Magic):]
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > md5MaxSalt {
		salt = salt[:md5MaxSalt]
	}

	// Every digest input below fits in 2*len(password)+88 bytes; hashing
	// whole buffers with md5.Sum keeps the 1002 digests allocation-free.
	var stack [256]byte
	buf := stack[:0]
	if need := 2*len(password) + len(md5Magic) + md5MaxSalt + 80; need > len(stack) {
		buf = make([]byte, 0, need)
	}

	alt := md5.Sum(append(append(append(buf, password...), salt...), password...))

	buf = append(append(append(buf[:0], password...), md5Magic...), salt...)
	for n := len(password); n > 0; n -= md5.Size {
		buf = append(buf, alt[:min(n, md5.Size)]...)
	}
	// One byte per bit of the length, lowest bit first: a set bit adds a
	// zero byte, a clear bit the password's first byte.
	for n := len(password); n > 0; n >>= 1 {
		if n&1 != 0 {
			buf = append(buf, 0)
		} else {
			buf = append(buf, password[0])
		}
	}
	final := md5.Sum(buf)

	for i := range md5Iterations {
		buf = buf[:0]
		if i&1 != 0 {
			buf = append(buf, password...)
		} else {
			buf = append(buf, final[:]...)
		}
		if i%3 != 0 {
			buf = append(buf, salt...)
		}
		if i%7 != 0 {
			buf = append(buf, password...)
		}
		if i&1 != 0 {
			buf = append(buf, final[:]...)
		} else {
			buf = append(buf, password...)
		}
		final = md5.Sum(buf)
	}

	out := make([]byte, 0, len(md5Magic)+len(salt)+1+22)
	out = append(append(append(out, md5Magic...), salt...), '$')
	f := &final
	for _, t := range [...][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = appendCrypt64(out, uint32(f[t[0]])<<16|uint32(f[t[1]])<<8|uint32(f[t[2]]), 4)
	}
	return appendCrypt64(out, uint32(f[11]), 2)
}
