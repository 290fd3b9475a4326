package jwt

import (
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// URLEncode is pgjwt's url_encode(bytea): PostgreSQL's base64 with "+/"
// turned into "-_" and the "=" padding and line breaks deleted, which is
// exactly unpadded base64url (RFC 4648 §5).
func URLEncode(data []byte) string {
	buf := make([]byte, encodedLen(len(data)))
	encodeURL(buf, data)
	// buf is never written again: share its bytes instead of copying them.
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// URLDecode is pgjwt's url_decode(text): "-_" become "+/", the text is padded
// with "=" to a multiple of four CHARACTERS (whitespace and "=" included),
// and the result goes through PostgreSQL's own base64 decoder, whose rules
// differ from encoding/base64: space, TAB, LF and CR are skipped; both
// alphabets are accepted; unused low bits of the last symbol are ignored
// ("QR" → "A"); after the first padding "=" later "=" count as zero symbols
// and every later group yields at most two bytes ("QQ==QUJD" → "AA").
// Errors carry PostgreSQL's SQLSTATE 22023 and message. s must be text a UTF8
// database can hold.
func URLDecode(s string) ([]byte, error) {
	return latest.URLDecode(s)
}

// URLDecode is URLDecode on this major: the message of an invalid symbol
// differs on 13 (see ForVersion).
func (v Version) URLDecode(s string) ([]byte, error) {
	if err := checkText(s); err != nil {
		return nil, err
	}
	b, err := v.urlDecode(nil, s)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// urlDecode appends the decoded bytes of the valid UTF-8 text s to dst.
func (v Version) urlDecode(dst []byte, s string) ([]byte, error) {
	if out, ok := decodePlain(dst, s); ok {
		return out, nil
	}
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			n = utf8.RuneCountInString(s)
			break
		}
	}
	return v.decodeBase64(dst, s, (4-n%4)%4)
}

// base64Value maps a standard-alphabet byte to its value; noSymbol
// elsewhere. url_decode has already turned "-" and "_" into "+" and "/", so
// both alphabets are accepted here, even mixed.
var base64Value = func() (t [256]uint8) {
	t = urlValue
	t['+'], t['/'] = 62, 63
	return t
}()

// decodeBase64 restates PostgreSQL's base64 decoder over s followed by pad
// "=" characters, appending to dst. Its rules, all bug-compatible:
//   - space, TAB, LF and CR are skipped (but url_decode counted them);
//   - "=" is allowed at the third or fourth symbol of a group the first
//     time; afterwards it is never checked again and counts as a zero symbol;
//   - once padding was seen, every later group also yields only one or two
//     bytes (the flag is never reset): "QQ==QUJD" → "AA";
//   - unused low bits of the last symbol are ignored: "QR" → "A";
//   - the first offending character in scan order decides the error.
func (ver Version) decodeBase64(dst []byte, s string, pad int) ([]byte, error) {
	var (
		acc  uint32
		pos  int
		stop int // 0: no "=" yet; 1: first "=" at the third symbol; 2: at the fourth
	)
	total := len(s) + pad
	for i := 0; i < total; i++ {
		c := byte('=')
		if i < len(s) {
			c = s[i]
		}
		var v uint8
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '=':
			if stop == 0 {
				switch pos {
				case 2:
					stop = 1
				case 3:
					stop = 2
				default:
					return dst, ErrBase64Padding
				}
			}
		default:
			if v = base64Value[c]; v == noSymbol {
				return dst, ver.invalidSymbol(s[i:])
			}
		}
		acc = acc<<6 | uint32(v)
		if pos++; pos == 4 {
			dst = append(dst, byte(acc>>16))
			if stop != 1 {
				dst = append(dst, byte(acc>>8))
			}
			if stop == 0 {
				dst = append(dst, byte(acc))
			}
			acc, pos = 0, 0
		}
	}
	if pos != 0 {
		return dst, ErrBase64End
	}
	return dst, nil
}

// decodePlain decodes s when it holds only alphabet symbols (no "=", no
// whitespace, nothing invalid) and its length leaves 0, 2 or 3 symbols in
// the last group: then PostgreSQL's decoder gives exactly the bytes of
// standard base64 with the unused bits of the last symbol ignored. ok is
// false when s needs the full rules of decodeBase64.
func decodePlain(dst []byte, s string) (out []byte, ok bool) {
	if len(s)%4 == 1 {
		return dst, false
	}
	start, n := len(dst), decodedLen(len(s))
	out = slices.Grow(dst, n)[:start+n]
	if !decodeSymbols(out[start:], s, &base64Value) {
		return dst, false
	}
	return out, true
}

// invalidSymbol names the character at the start of rest as PostgreSQL
// prints it: 14+ quote the whole character (pg_mblen bytes of the database
// encoding) and say "found"; 13 quotes one byte, without "found" - in a UTF8
// database the raw lead byte of a multi-byte character, in a LATIN1 one the
// whole character (which the client receives converted to UTF-8).
func (v Version) invalidSymbol(rest string) error {
	n := min(pgtext.LeadLen(rest[0]), len(rest))
	if v.Major() < 14 {
		if !v.latin1 {
			n = 1
		}
		return ErrBase64Symbol.With(`invalid symbol "` + rest[:n] + `" while decoding base64 sequence`)
	}
	return ErrBase64Symbol.With(`invalid symbol "` + rest[:n] + `" found while decoding base64 sequence`)
}
