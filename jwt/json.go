package jwt

import (
	"encoding/binary"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// This file restates PostgreSQL's JSON lexer and recursive-descent parser
// (the json type's input check, and the de-escaping pass of ->>) closely
// enough to accept and reject exactly the same texts and to give the same
// DETAIL lines. The parser is iterative, so hostile nesting cannot exhaust
// the Go stack.

type tokenKind uint8

const (
	tokEnd tokenKind = iota
	tokString
	tokNumber
	tokObjectStart
	tokObjectEnd
	tokArrayStart
	tokArrayEnd
	tokComma
	tokColon
	tokTrue
	tokFalse
	tokNull
)

// parse contexts, which decide the DETAIL of an unexpected token.
type parseContext uint8

const (
	ctxValue parseContext = iota
	ctxString
	ctxArrayNext
	ctxObjectStart
	ctxObjectLabel
	ctxObjectNext
	ctxEnd
)

type jsonLexer struct {
	in         []byte
	pos        int // next byte to read
	start, end int // span of the current token
	kind       tokenKind
	// unescape makes the lexer check escapes as PostgreSQL does when it
	// de-escapes strings (->>, json_each...), which rejects \u0000 and
	// unpaired surrogates that the json type's input check lets pass.
	unescape bool
	// escaped reports whether the current string token holds a backslash.
	escaped bool
	// deferEscapes makes the unescape checks record their first failure in
	// escapeErr and go on as a syntax check, so that one pass serves both
	// the json input check and the later de-escaping parse (whose errors
	// PostgreSQL raises at a later step).
	deferEscapes bool
	escapeErr    error
}

// escapeFailure reports an error of the de-escaping parse: at once, or
// recorded for later when deferEscapes is set.
func (l *jsonLexer) escapeFailure(err error) error {
	if !l.deferEscapes {
		return err
	}
	l.escapeErr = err
	l.unescape = false // the first failure is the one reported
	return nil
}

var punctuation = [...]tokenKind{'{': tokObjectStart, '}': tokObjectEnd, '[': tokArrayStart, ']': tokArrayEnd, ',': tokComma, ':': tokColon}

// plainStringByte marks the bytes a string token holds without a closer
// look: not a quote, backslash or control character.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether none of the eight bytes of x is '"', '\\' or
// below 0x20.
func plainWord(x uint64) bool { return specialBytes(x) == 0 }

// specialBytes flags with bit 7 the bytes of x that are '"', '\\' or below
// 0x20 (the classic "has zero byte" and "has byte less than" tests). A
// borrow can flag more bytes above a flagged one, never below: the lowest
// flagged byte is exactly the first special one.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	found := (quote - ones) &^ quote
	found |= (backslash - ones) &^ backslash
	found |= (x - ones*0x20) &^ x
	return found & highs
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isJSONWordByte is PostgreSQL's JSON_ALPHANUMERIC_CHAR: what it gathers into
// one token for error messages (every byte >= 0x80 included).
func isJSONWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func jsonSyntaxError(detail string) error { return ErrInvalidJSON.WithDetail(detail) }

func (l *jsonLexer) invalidToken() error {
	return jsonSyntaxError(`Token "` + string(l.in[l.start:l.end]) + `" is invalid.`)
}

// next reads the next token.
func (l *jsonLexer) next() error {
	in := l.in
	for l.pos < len(in) && isJSONSpace(in[l.pos]) {
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
	case '-':
		return l.lexNumber(l.pos + 1)
	}
	if isDigit(c) {
		return l.lexNumber(l.pos)
	}
	p := l.pos
	for p < len(in) && isJSONWordByte(in[p]) {
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

// lexNumber reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? starting
// after the optional minus at s. Like PostgreSQL it swallows any following
// word characters into the token, so "01" or "1.x" is one invalid token.
func (l *jsonLexer) lexNumber(s int) error {
	in := l.in
	bad := false
	switch {
	case s < len(in) && in[s] == '0':
		s++
	case s < len(in) && in[s] >= '1' && in[s] <= '9':
		for s < len(in) && isDigit(in[s]) {
			s++
		}
	default:
		bad = true
	}
	if s < len(in) && in[s] == '.' {
		s++
		if s == len(in) || !isDigit(in[s]) {
			bad = true
		} else {
			for s < len(in) && isDigit(in[s]) {
				s++
			}
		}
	}
	if s < len(in) && (in[s] == 'e' || in[s] == 'E') {
		s++
		if s < len(in) && (in[s] == '+' || in[s] == '-') {
			s++
		}
		if s == len(in) || !isDigit(in[s]) {
			bad = true
		} else {
			for s < len(in) && isDigit(in[s]) {
				s++
			}
		}
	}
	for s < len(in) && isJSONWordByte(in[s]) {
		s++
		bad = true
	}
	l.end, l.pos, l.kind = s, s, tokNumber
	if bad {
		return l.invalidToken()
	}
	return nil
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func (l *jsonLexer) lexString() error {
	in := l.in
	s := l.start
	hiSurrogate := -1
	l.escaped = false
	for {
		s++
		if hiSurrogate == -1 {
			// Eight bytes at a time while none is a quote, a backslash or
			// a control character, then byte by byte.
			for s+8 <= len(in) && plainWord(binary.LittleEndian.Uint64(in[s:])) {
				s += 8
			}
			for s < len(in) && plainStringByte[in[s]] {
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
				if err := l.escapeFailure(unicodeLowSurrogate()); err != nil {
					return err
				}
			}
			l.kind, l.end, l.pos = tokString, s+1, s+1
			return nil
		case c < 0x20:
			return jsonSyntaxError("Character with value 0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]) + " must be escaped.")
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
					h := hexValue(in[s])
					if h < 0 {
						return jsonSyntaxError(`"\u" must be followed by four hexadecimal digits.`)
					}
					ch = ch<<4 | h
				}
				if !l.unescape {
					continue
				}
				var failure error
				switch {
				case ch >= 0xd800 && ch <= 0xdbff:
					if hiSurrogate != -1 {
						failure = jsonSyntaxError("Unicode high surrogate must not follow a high surrogate.")
						break
					}
					hiSurrogate = ch
					continue
				case ch >= 0xdc00 && ch <= 0xdfff:
					if hiSurrogate == -1 {
						failure = unicodeLowSurrogate()
						break
					}
					hiSurrogate, ch = -1, 0x10000
				}
				switch {
				case failure != nil:
				case hiSurrogate != -1:
					failure = unicodeLowSurrogate()
				case ch == 0:
					failure = ErrUnicodeEscape.WithDetail(`\u0000 cannot be converted to text.`)
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
				if err := l.escapeFailure(unicodeLowSurrogate()); err != nil {
					return err
				}
				hiSurrogate = -1
			}
			switch in[s] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			default:
				n := min(pgtext.LeadLen(in[s]), len(in)-s)
				return jsonSyntaxError(`Escape sequence "\` + string(in[s:s+n]) + `" is invalid.`)
			}
		default:
			if l.unescape && hiSurrogate != -1 {
				if err := l.escapeFailure(unicodeLowSurrogate()); err != nil {
					return err
				}
				hiSurrogate = -1
			}
		}
	}
}

func unicodeLowSurrogate() error {
	return jsonSyntaxError("Unicode low surrogate must follow a high surrogate.")
}

// unexpected is PostgreSQL's report_parse_error: the DETAIL names what the
// context expected and the token found, or says the input ended.
func (l *jsonLexer) unexpected(ctx parseContext) error {
	if l.kind == tokEnd {
		return jsonSyntaxError("The input string ended unexpectedly.")
	}
	tok := string(l.in[l.start:l.end])
	switch ctx {
	case ctxEnd:
		return jsonSyntaxError(`Expected end of input, but found "` + tok + `".`)
	case ctxString:
		return jsonSyntaxError(`Expected string, but found "` + tok + `".`)
	case ctxArrayNext:
		return jsonSyntaxError(`Expected "," or "]", but found "` + tok + `".`)
	case ctxObjectStart:
		return jsonSyntaxError(`Expected string or "}", but found "` + tok + `".`)
	case ctxObjectLabel:
		return jsonSyntaxError(`Expected ":", but found "` + tok + `".`)
	case ctxObjectNext:
		return jsonSyntaxError(`Expected "," or "}", but found "` + tok + `".`)
	}
	return jsonSyntaxError(`Expected JSON value, but found "` + tok + `".`)
}

// parseJSON checks in as PostgreSQL's json input (or, with unescape, its
// de-escaping parse) does, reporting the top-level members to v when v is
// not nil. With v, the de-escaping failures are deferred into v.escapeErr.
func parseJSON(in []byte, unescape bool, v *claimFinder) error {
	l := jsonLexer{in: in, unescape: unescape, deferEscapes: v != nil}
	err := l.parse(v)
	if v != nil {
		v.escapeErr = l.escapeErr
	}
	return err
}

func (l *jsonLexer) parse(v *claimFinder) error {
	var stackBuf [32]byte
	stack := stackBuf[:0] // '{' or '[' per open container
	if err := l.next(); err != nil {
		return err
	}
	// State machine equivalent to PostgreSQL's parse_object/parse_array/
	// parse_scalar: each label is what the recursive version would do next.
value:
	switch l.kind {
	case tokObjectStart:
		if v != nil {
			v.value(l, len(stack), true)
		}
		if err := l.next(); err != nil {
			return err
		}
		switch l.kind {
		case tokString:
			stack = append(stack, '{')
			goto field
		case tokObjectEnd:
			if err := l.next(); err != nil {
				return err
			}
			goto after
		}
		return l.unexpected(ctxObjectStart)
	case tokArrayStart:
		if v != nil {
			v.value(l, len(stack), true)
		}
		if err := l.next(); err != nil {
			return err
		}
		if l.kind != tokArrayEnd {
			stack = append(stack, '[')
			goto value
		}
		if err := l.next(); err != nil {
			return err
		}
		goto after
	case tokString, tokNumber, tokTrue, tokFalse, tokNull:
		if v != nil {
			v.value(l, len(stack), false)
		}
		if err := l.next(); err != nil {
			return err
		}
		goto after
	}
	return l.unexpected(ctxValue)

field: // at a token that must be an object key
	if l.kind != tokString {
		return l.unexpected(ctxString)
	}
	if v != nil {
		v.key(l, len(stack))
	}
	if err := l.next(); err != nil {
		return err
	}
	if l.kind != tokColon {
		return l.unexpected(ctxObjectLabel)
	}
	if err := l.next(); err != nil {
		return err
	}
	goto value

after: // a value is complete
	if len(stack) == 0 {
		if l.kind != tokEnd {
			return l.unexpected(ctxEnd)
		}
		return nil
	}
	if l.kind == tokComma {
		if err := l.next(); err != nil {
			return err
		}
		if stack[len(stack)-1] == '{' {
			goto field
		}
		goto value
	}
	closer, ctx := tokArrayEnd, ctxArrayNext
	if stack[len(stack)-1] == '{' {
		closer, ctx = tokObjectEnd, ctxObjectNext
	}
	if l.kind != closer {
		return l.unexpected(ctx)
	}
	stack = stack[:len(stack)-1]
	if err := l.next(); err != nil {
		return err
	}
	goto after
}

// validateJSON is the json type's input check (json_in): syntax only.
func validateJSON(in []byte) error { return parseJSON(in, false, nil) }
