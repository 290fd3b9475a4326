package postgrest

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads JSON with aeson's semantics (the Haskell library PostgREST
// decodes JWT headers and claims with), not PostgreSQL's. It decides, as
// PostgREST does before any database is asked, whether a token's JSON is
// acceptable at all: a text is valid or not, a failure becomes PGRST301 or
// PGRST303, every string is decoded (\u0000 is an ordinary character), and
// the first of duplicate member names wins (aeson ≥ 2.2's Data.Aeson.Decoding,
// which PostgREST v13+ is built with; aeson's parser has kept the first since
// 1.0, aeson issue #531, so older PostgREST likely agrees, unverified).
// PostgreSQL's json input grammar,
// which jwt, jwt/pgjson and auth's login handler reproduce, answers other
// questions: SQLSTATE 22P02 with the server's message and DETAIL, rules for
// \u0000 and unpaired surrogates that depend on whether the text is only
// checked or also de-escaped, behaviour that changes between majors. The
// two accept different texts and fail differently, so they stay apart: a
// shared lexer would make one of them answer unlike its upstream.

// parseJSON parses one RFC 8259 JSON text (surrounding whitespace allowed) into
// map[string]any, []any, json.Number (the number's text), string, bool and
// nil; the first of duplicate member names wins, as in aeson ≥ 2.2's decoder
// (Data.Aeson.Decoding), so a later "role", "exp", "alg" or "kid" cannot
// override what PostgREST reads; later duplicates must still be valid JSON
// and are then dropped. It is the strict grammar
// aeson parses JWT headers and claims with (no leading zeros, no raw control
// characters in strings, valid UTF-8) and several times faster than
// encoding/json's reflection-driven decoder, which dominated the cost of an
// uncached token. Nesting deeper than maxJSONDepth is refused.
func parseJSON(data []byte) (any, bool) {
	if !utf8.Valid(data) {
		return nil, false
	}
	// One copy of the text; strings without escapes and numbers are then
	// substrings of it, with no further allocation.
	p := jsonParser{src: string(data)}
	p.space()
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	return v, p.pos == len(p.src)
}

const maxJSONDepth = 10000

type jsonParser struct {
	src string // the text; holding no []byte keeps the caller's buffer off the heap
	pos int
}

func (p *jsonParser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, bool) {
	if p.pos >= len(p.src) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case p.literal("true"):
		return true, true
	case p.literal("false"):
		return false, true
	case p.literal("null"):
		return nil, true
	}
	return nil, false
}

func (p *jsonParser) literal(word string) bool {
	if strings.HasPrefix(p.src[p.pos:], word) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) (any, bool) {
	p.pos++ // '{'
	m := make(map[string]any, 8)
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return m, true
	}
	for {
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
		if done, ok := p.commaOr('}'); !ok {
			return nil, false
		} else if done {
			return m, true
		}
	}
}

func (p *jsonParser) array(depth int) (any, bool) {
	p.pos++ // '['
	a := []any{}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return a, true
	}
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if done, ok := p.commaOr(']'); !ok {
			return nil, false
		} else if done {
			return a, true
		}
	}
}

// commaOr reads what follows a member or an element: "," (more to come)
// or closer (done); anything else is not JSON.
func (p *jsonParser) commaOr(closer byte) (done, ok bool) {
	p.space()
	if p.pos >= len(p.src) {
		return false, false
	}
	switch p.src[p.pos] {
	case ',':
		p.pos++
		return false, true
	case closer:
		p.pos++
		return true, true
	}
	return false, false
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and keeps the text.
func (p *jsonParser) number() (any, bool) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.src[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, false
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, false
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return json.Number(p.src[start:p.pos]), true
}

// str reads a string; the common case without escapes allocates nothing
// (the string is the source's), a value boxed into any once.
func (p *jsonParser) str() (string, bool) {
	p.pos++ // '"'
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			s := p.src[start:p.pos]
			p.pos++
			return s, true
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return "", false
		}
		p.pos++
	}
	return "", false
}

func (p *jsonParser) escapedStr(start int) (string, bool) {
	b := []byte(p.src[start:p.pos])
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(p.src) {
			return "", false
		}
		e := p.src[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one code point; a lone half becomes U+FFFD
				// (as in encoding/json; aeson's handling is unverified).
				save := p.pos
				if p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
					p.pos += 2
					if r2, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							continue
						}
					}
				}
				p.pos = save
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}
