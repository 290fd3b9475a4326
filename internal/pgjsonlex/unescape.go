package pgjsonlex

import "unicode/utf8"

// AppendText appends the de-escaped text of the string token tok (quotes
// included) in UTF-8. tok must be a token the parser accepted in Unescape
// mode (or in InputThenUnescape mode with no EscapeErr): a lone surrogate
// escape, which those refuse, would be written as U+FFFD.
func AppendText(dst, tok []byte) []byte {
	s := tok[1 : len(tok)-1]
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			dst = append(dst, s[i])
			continue
		}
		i++
		if e := s[i]; e != 'u' {
			dst = append(dst, unescaped[e])
			continue
		}
		r := hex4(s[i+1:])
		i += 4
		if r >= 0xd800 && r <= 0xdbff && i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
			if lo := hex4(s[i+3:]); lo >= 0xdc00 && lo <= 0xdfff {
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				i += 6
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// unescaped is what the one-letter escapes stand for.
var unescaped = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(s []byte) rune {
	return rune(hexDigit[s[0]])<<12 | rune(hexDigit[s[1]])<<8 | rune(hexDigit[s[2]])<<4 | rune(hexDigit[s[3]])
}
