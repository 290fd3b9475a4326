package pgjson

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// jsonParser reads json text by PostgreSQL's json grammar (RFC 8259: white
// space is space, tab, newline and carriage return; no NaN, no leading
// zeros, no single quotes). With build set it also de-escapes strings and
// normalises numbers into a jsonb tree, which is when PostgreSQL rejects
// \u0000 and unpaired surrogates; plain json input keeps escapes verbatim
// and does not look at them.
type jsonParser struct {
	s     []byte
	i     int
	build bool
}

// validateJSON checks raw as json input would in a UTF8 database.
func validateJSON(raw []byte, depth int) error {
	_, err := parseJSON(raw, false, depth)
	return err
}

func parseJSON(raw []byte, build bool, depth int) (jbValue, error) {
	if err := pgtext.CheckUTF8(raw, ErrInvalidUTF8); err != nil {
		return jbValue{}, err
	}
	p := jsonParser{s: raw, build: build}
	p.skipSpace()
	v, err := p.value(depth)
	if err != nil {
		return v, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return v, p.syntax(`Expected end of input, but found "` + p.token() + `".`)
	}
	return v, nil
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) syntax(detail string) error {
	return ErrJSONSyntax.WithDetail(detail)
}

// token returns the text of the token at p.i for error details.
func (p *jsonParser) token() string {
	j := p.i
	for j < len(p.s) && isWordByte(p.s[j]) {
		j++
	}
	if j == p.i && j < len(p.s) {
		_, n := utf8.DecodeRune(p.s[j:])
		j += n
	}
	return string(p.s[p.i:j])
}

func isWordByte(c byte) bool {
	return c >= 0x80 || c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func (p *jsonParser) value(depth int) (jbValue, error) {
	if depth >= MaxDepth {
		return jbValue{}, ErrTooDeep
	}
	if p.i >= len(p.s) {
		return jbValue{}, p.syntax("The input string ended unexpectedly.")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		return jbValue{kind: jbString, text: s}, err
	case c == '-' || isDigit(c):
		return p.number()
	default:
		word := p.token()
		p.i += len(word)
		switch word {
		case "true", "false":
			return jbValue{kind: jbBool, text: word}, nil
		case "null":
			return jbValue{kind: jbNull}, nil
		}
		return jbValue{}, p.syntax(`Token "` + word + `" is invalid.`)
	}
}

func (p *jsonParser) object(depth int) (jbValue, error) {
	p.i++ // {
	v := jbValue{kind: jbObject}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return v, p.syntax("The input string ended unexpectedly.")
		}
		if p.s[p.i] != '"' {
			return v, p.syntax(`Expected string, but found "` + p.token() + `".`)
		}
		key, err := p.str()
		if err != nil {
			return v, err
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return v, p.syntax("The input string ended unexpectedly.")
		}
		if p.s[p.i] != ':' {
			return v, p.syntax(`Expected ":", but found "` + p.token() + `".`)
		}
		p.i++
		p.skipSpace()
		val, err := p.value(depth + 1)
		if err != nil {
			return v, err
		}
		if p.build {
			v.pairs = append(v.pairs, jbPair{key: key, val: val})
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return v, p.syntax("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			if p.build {
				v.pairs = normaliseObject(v.pairs)
			}
			return v, nil
		default:
			return v, p.syntax(`Expected "," or "}", but found "` + p.token() + `".`)
		}
	}
}

func (p *jsonParser) array(depth int) (jbValue, error) {
	p.i++ // [
	v := jbValue{kind: jbArray}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth + 1)
		if err != nil {
			return v, err
		}
		if p.build {
			v.items = append(v.items, item)
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return v, p.syntax("The input string ended unexpectedly.")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return v, p.syntax(`Expected "," or "]", but found "` + p.token() + `".`)
		}
	}
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, not followed
// by a letter or digit.
func (p *jsonParser) number() (jbValue, error) {
	start := p.i
	bad := func() (jbValue, error) {
		for p.i < len(p.s) && isWordByte(p.s[p.i]) || p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '-' || p.s[p.i] == '+') {
			p.i++
		}
		return jbValue{}, p.syntax(`Token "` + string(p.s[start:p.i]) + `" is invalid.`)
	}
	digits := func() int {
		j := p.i
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
		return p.i - j
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return bad()
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return bad()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return bad()
		}
	}
	if p.i < len(p.s) && isWordByte(p.s[p.i]) {
		return bad()
	}
	text := string(p.s[start:p.i])
	if !p.build {
		return jbValue{kind: jbNumber}, nil
	}
	out, _, err := appendNumeric(nil, text)
	return jbValue{kind: jbNumber, text: string(out)}, err
}

// str reads a string token at p.i (on its opening quote) and returns its
// de-escaped text when building.
func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	var out []byte
	hi := rune(-1) // pending high surrogate
	start := p.i
	for {
		if p.i >= len(p.s) {
			return "", p.syntax("The input string ended unexpectedly.")
		}
		c := p.s[p.i]
		if c == '"' {
			if p.build && hi >= 0 {
				return "", p.syntax("Unicode low surrogate must follow a high surrogate.")
			}
			p.i++
			if !p.build {
				return "", nil
			}
			if out == nil {
				return string(p.s[start : p.i-1]), nil
			}
			return string(out), nil
		}
		if c < 0x20 {
			return "", p.syntax(`Character with value 0x` + string(hexDigits[c>>4]) + string(hexDigits[c&0xf]) + ` must be escaped.`)
		}
		if c != '\\' {
			if p.build && hi >= 0 {
				return "", p.syntax("Unicode low surrogate must follow a high surrogate.")
			}
			if out != nil {
				out = append(out, c)
			}
			p.i++
			continue
		}
		if out == nil && p.build {
			out = append([]byte{}, p.s[start:p.i]...)
		}
		p.i++
		if p.i >= len(p.s) {
			return "", p.syntax("The input string ended unexpectedly.")
		}
		e := p.s[p.i]
		p.i++
		if e == 'u' {
			if p.i+4 > len(p.s) {
				return "", p.syntax(`"\u" must be followed by four hexadecimal digits.`)
			}
			r, err := strconv.ParseUint(string(p.s[p.i:p.i+4]), 16, 32)
			if err != nil || p.s[p.i] == '+' {
				return "", p.syntax(`"\u" must be followed by four hexadecimal digits.`)
			}
			p.i += 4
			if !p.build {
				continue
			}
			ch := rune(r)
			switch {
			case utf16.IsSurrogate(ch) && ch < 0xdc00:
				if hi >= 0 {
					return "", p.syntax("Unicode high surrogate must not follow a high surrogate.")
				}
				hi = ch
				continue
			case utf16.IsSurrogate(ch):
				if hi < 0 {
					return "", p.syntax("Unicode low surrogate must follow a high surrogate.")
				}
				ch = utf16.DecodeRune(hi, ch)
				hi = -1
			case hi >= 0:
				return "", p.syntax("Unicode low surrogate must follow a high surrogate.")
			case ch == 0:
				// jsonb holds text, and text cannot hold NUL.
				return "", ErrUnicodeEscape.WithDetail(`\u0000 cannot be converted to text.`)
			}
			out = utf8.AppendRune(out, ch)
			continue
		}
		if p.build && hi >= 0 {
			return "", p.syntax("Unicode low surrogate must follow a high surrogate.")
		}
		var b byte
		switch e {
		case '"', '\\', '/':
			b = e
		case 'b':
			b = '\b'
		case 'f':
			b = '\f'
		case 'n':
			b = '\n'
		case 'r':
			b = '\r'
		case 't':
			b = '\t'
		default:
			p.i--
			return "", p.syntax(`Escape sequence "\` + p.token() + `" is invalid.`)
		}
		if p.build {
			out = append(out, b)
		}
	}
}
