package pgjsonlex

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// kind is the kind of a token.
type kind uint8

const (
	tokEnd kind = iota
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
	tokObjectStart
	tokObjectEnd
	tokArrayStart
	tokArrayEnd
	tokComma
	tokColon
)

var punctuation = [...]kind{'{': tokObjectStart, '}': tokObjectEnd, '[': tokArrayStart, ']': tokArrayEnd, ',': tokComma, ':': tokColon}

// lexer reads tokens as PostgreSQL's json_lex does.
type lexer struct {
	in         []byte
	pos        int // next byte to read
	start, end int // span of the current token
	kind       kind
	escaped    bool // the current string token holds a backslash
	// unescape checks escapes as the de-escaping parse does: \u0000,
	// unpaired surrogates and characters the encoding lacks fail.
	unescape bool
	// deferEscapes records the first de-escaping failure in escapeErr and
	// goes on as a syntax check.
	deferEscapes bool
	escapeErr    error
	latin1       bool // the server encoding is LATIN1 (else UTF8)
	major        int
	errs         Errors
}

// IsSpace reports whether c is json white space.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isWordByte is PostgreSQL's JSON_ALPHANUMERIC_CHAR: what it gathers into
// one token for error messages (every byte >= 0x80 included).
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) syntax(detail string) error { return l.errs.Syntax.WithDetail(detail) }

func (l *lexer) invalidToken() error {
	return l.syntax(`Token "` + string(l.in[l.start:l.end]) + `" is invalid.`)
}

// next reads the next token.
func (l *lexer) next() error {
	in := l.in
	for l.pos < len(in) && IsSpace(in[l.pos]) {
		l.pos++
	}
	l.start = l.pos
	if l.pos >= len(in) {
		l.kind, l.end = tokEnd, l.pos
		return nil
	}
	c := in[l.pos]
	switch c {
	case '{', '}', '[', ']', ',', ':':
		l.kind = punctuation[c]
		l.pos++
		l.end = l.pos
		return nil
	case '"':
		return l.lexString()
	}
	if c == '-' || isDigit(c) {
		return l.lexNumber()
	}
	p := l.pos
	for p < len(in) && isWordByte(in[p]) {
		p++
	}
	if p == l.pos {
		// A lone punctuation character is reported by itself.
		l.end = l.pos + 1
		return l.invalidToken()
	}
	l.end, l.pos = p, p
	switch string(in[l.start:p]) {
	case "true":
		l.kind = tokTrue
	case "false":
		l.kind = tokFalse
	case "null":
		l.kind = tokNull
	default:
		return l.invalidToken()
	}
	return nil
}

// lexNumber reads the number token at l.pos. Like PostgreSQL it swallows
// any following word bytes into the token, so "01" or "1.x" is one invalid
// token.
func (l *lexer) lexNumber() error {
	in := l.in
	s, ok := NumberEnd(in, l.pos)
	for s < len(in) && isWordByte(in[s]) {
		s++
		ok = false
	}
	l.end, l.pos, l.kind = s, s, tokNumber
	if !ok {
		return l.invalidToken()
	}
	return nil
}

// NumberEnd reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at in[i:]
// as PostgreSQL's json_lex_number does, going on through each part after
// a malformed one: end is where the token's number part ends, ok whether
// it is a well-formed number (what follows it is the caller's to judge).
func NumberEnd(in []byte, i int) (end int, ok bool) {
	ok = true
	if i < len(in) && in[i] == '-' {
		i++
	}
	switch {
	case i < len(in) && in[i] == '0':
		i++
	case i < len(in) && in[i] >= '1' && in[i] <= '9':
		i = skipDigits(in, i+1)
	default:
		ok = false
	}
	if i < len(in) && in[i] == '.' {
		end := skipDigits(in, i+1)
		ok = ok && end > i+1
		i = end
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		end := skipDigits(in, i)
		ok = ok && end > i
		i = end
	}
	return i, ok
}

func skipDigits(in []byte, i int) int {
	for i < len(in) && isDigit(in[i]) {
		i++
	}
	return i
}

// hexDigit is the value of a hexadecimal digit, -1 for other bytes.
var hexDigit = func() (t [256]int8) {
	for c := range t {
		t[c] = -1
	}
	for i, c := range "0123456789abcdef" {
		t[c] = int8(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = int8(10 + i)
	}
	return t
}()

// escapeFailure reports a failure of the de-escaping parse: at once, or
// recorded for later when deferEscapes is set.
func (l *lexer) escapeFailure(err error) error {
	if !l.deferEscapes {
		return err
	}
	l.escapeErr = err
	l.unescape = false // the first failure is the one reported
	return nil
}

func (l *lexer) lexString() error {
	in := l.in
	s := l.start
	hiSurrogate := -1
	l.escaped = false
	for {
		s++
		if hiSurrogate == -1 {
			// Eight bytes at a time while none is a quote, a backslash or
			// a control character, then byte by byte.
			for s+8 <= len(in) && SpecialBytes(binary.LittleEndian.Uint64(in[s:])) == 0 {
				s += 8
			}
			for s < len(in) && PlainStringByte[in[s]] {
				s++
			}
		}
		if s >= len(in) {
			l.end = s
			return l.invalidToken()
		}
		c := in[s]
		switch {
		case c == '"':
			if hiSurrogate != -1 {
				if err := l.escapeFailure(l.lowSurrogate()); err != nil {
					return err
				}
			}
			l.kind, l.end, l.pos = tokString, s+1, s+1
			return nil
		case c < 0x20:
			if l.unescape && hiSurrogate != -1 && l.surrogateBeforeControl() {
				if err := l.escapeFailure(l.lowSurrogate()); err != nil {
					return err
				}
			}
			return l.syntax("Character with value 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]) + " must be escaped.")
		case c == '\\':
			l.escaped = true
			s++
			if s >= len(in) {
				l.end = s
				return l.invalidToken()
			}
			if in[s] == 'u' {
				ch := 0
				for i := 0; i < 4; i++ {
					s++
					if s >= len(in) {
						l.end = s
						return l.invalidToken()
					}
					h := hexDigit[in[s]]
					if h < 0 {
						return l.syntax(`"\u" must be followed by four hexadecimal digits.`)
					}
					ch = ch<<4 | int(h)
				}
				if !l.unescape {
					continue
				}
				var failure error
				switch {
				case ch >= 0xd800 && ch <= 0xdbff:
					if hiSurrogate != -1 {
						failure = l.syntax("Unicode high surrogate must not follow a high surrogate.")
						break
					}
					hiSurrogate = ch
					continue
				case ch >= 0xdc00 && ch <= 0xdfff:
					if hiSurrogate == -1 {
						failure = l.lowSurrogate()
						break
					}
					hiSurrogate, ch = -1, 0x10000+(hiSurrogate-0xd800)<<10+(ch-0xdc00)
				}
				switch {
				case failure != nil:
				case hiSurrogate != -1:
					failure = l.lowSurrogate()
				case ch == 0:
					failure = l.errs.Escape.WithDetail(`\u0000 cannot be converted to text.`)
				case l.latin1 && ch > 0xff:
					failure = l.untranslatable(rune(ch))
				default:
					continue
				}
				if err := l.escapeFailure(failure); err != nil {
					return err
				}
				hiSurrogate = -1
				continue
			}
			if l.unescape && hiSurrogate != -1 {
				if err := l.escapeFailure(l.lowSurrogate()); err != nil {
					return err
				}
				hiSurrogate = -1
			}
			switch in[s] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			default:
				n := min(pgtext.LeadLen(in[s]), len(in)-s)
				return l.syntax(`Escape sequence "\` + string(in[s:s+n]) + `" is invalid.`)
			}
		default:
			if l.unescape && hiSurrogate != -1 {
				if err := l.escapeFailure(l.lowSurrogate()); err != nil {
					return err
				}
				hiSurrogate = -1
			}
		}
	}
}

// surrogateBeforeControl reports whether a pending high surrogate fails
// before a control character that follows it is refused: so since
// PostgreSQL 16, whose lexer checks the surrogate at the start of every run
// of plain bytes; 13 to 15 refuse the control character first.
func (l *lexer) surrogateBeforeControl() bool { return l.major == 0 || l.major >= 16 }

func (l *lexer) lowSurrogate() error {
	return l.syntax("Unicode low surrogate must follow a high surrogate.")
}

// untranslatable is the failure of a \u escape naming a character LATIN1
// lacks. PostgreSQL 13 to 15 raise the conversion's own error; 16 and later
// report it as a json error.
func (l *lexer) untranslatable(ch rune) error {
	if l.major != 0 && l.major < 16 {
		return l.errs.Escape.With(pgtext.NoEquivalentMessage(string(utf8.AppendRune(nil, ch)), pgtext.UTF8, pgtext.Latin1))
	}
	return l.errs.Escape.WithDetail("Unicode escape value could not be translated to the server's encoding " + pgtext.Latin1 + ".")
}

// PlainStringByte marks the bytes a string token holds without a closer
// look: not a quote, backslash or control character.
var PlainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// SpecialBytes flags with bit 7 the bytes of the little-endian word x that
// are '"', '\\' or below 0x20 (the classic "has zero byte" and "has byte
// less than" tests). A borrow can flag more bytes above a flagged one,
// never below: the lowest flagged byte is exactly the first special one,
// and x holds none when the result is 0.
func SpecialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	found := (quote - ones) &^ quote
	found |= (backslash - ones) &^ backslash
	found |= (x - ones*0x20) &^ x
	return found & highs
}
