package pgjsonlex

import (
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Errors names the caller's sentinels; the parser's errors are instances of
// them (errors.Is matches), carrying the server's message and DETAIL.
type Errors struct {
	// Syntax: 22P02 "invalid input syntax for type json", also for
	// unpaired surrogates.
	Syntax *sqlerr.Error
	// Escape: 22P05 "unsupported Unicode escape sequence": \u0000, or
	// (not UTF8) a character the encoding lacks.
	Escape *sqlerr.Error
}

// Mode is what the server does with the text.
type Mode uint8

const (
	// Input is the json type's input check (json_in): escapes are checked
	// for their form only.
	Input Mode = iota
	// Unescape is the de-escaping parse (jsonb input, ->>,
	// json_to_recordset): every string is de-escaped as it is read, so
	// \u0000, an unpaired surrogate or (not UTF8) a character the encoding
	// lacks fails where it stands, among the syntax errors.
	Unescape
	// InputThenUnescape is Input followed by a de-escaping parse of the
	// same text, in one pass: syntax errors are returned, while the first
	// de-escaping failure, which the server raises only at the later step,
	// is kept for EscapeErr.
	InputThenUnescape
)

// Options configure a Parser. The zero value is json_in in a UTF8
// database.
type Options struct {
	Mode Mode
	// Errors are the caller's sentinels; a nil one stands for a sentinel
	// of this package with the same SQLSTATE and message.
	Errors Errors
	// Encoding is the server encoding, pgtext.UTF8 (also "") or
	// pgtext.Latin1; it matters only when de-escaping. The input is UTF-8
	// text either way.
	Encoding string
	// Major is the PostgreSQL major whose messages to give where they
	// differ (a \u escape LATIN1 lacks, a control character right after a
	// lone high surrogate escape); 0 means the latest.
	Major int
}

// Event is what Next found.
type Event uint8

const (
	// Done: the text is complete and valid.
	Done Event = iota
	BeginObject
	EndObject
	BeginArray
	EndArray
	// Key: an object key; Token and AppendText give it.
	Key
	// Scalar: a string, number, true, false or null; Kind, Token and (for
	// strings) AppendText give it.
	Scalar
)

// Kind is the kind of a scalar.
type Kind uint8

const (
	String Kind = Kind(tokString)
	Number Kind = Kind(tokNumber)
	True   Kind = Kind(tokTrue)
	False  Kind = Kind(tokFalse)
	Null   Kind = Kind(tokNull)
)

// Parser reads a json text as PostgreSQL's recursive-descent parser does,
// without recursion: Next returns its semantic actions one by one, in text
// order. An event comes only after the tokens the server reads before it
// calls the matching action (a scalar's action runs once the token after it
// is lexed), so that a caller's own failure at an event, such as jsonb's
// numeric conversion, and a lexing error come in the server's order.
type Parser struct {
	l     lexer
	state state
	lex   bool // the next token is still to be read
	depth int  // open containers
	kinds uint64
	more  []uint64 // kinds beyond 64 levels: bit set for an object
	// the last event's depth and (Key, Scalar) token
	evKind         kind
	evStart, evEnd int
	evEscaped      bool
	evDepth        int
}

type state uint8

const (
	stValue       state = iota // the current token must start a value
	stObjectFirst              // after '{': a key or '}'
	stArrayFirst               // after '[': a value or ']'
	stField                    // the current token must be a key
	stAfter                    // a value is complete
	stDone
)

var defaultErrors = Errors{
	Syntax: sqlerr.New("json", "22P02", "invalid input syntax for type json"),
	Escape: sqlerr.New("json", "22P05", "unsupported Unicode escape sequence"),
}

// NewParser returns a parser of in.
func NewParser(in []byte, o Options) Parser {
	if o.Errors.Syntax == nil {
		o.Errors.Syntax = defaultErrors.Syntax
	}
	if o.Errors.Escape == nil {
		o.Errors.Escape = defaultErrors.Escape
	}
	p := Parser{lex: true}
	p.l = lexer{
		in:           in,
		errs:         o.Errors,
		unescape:     o.Mode != Input,
		deferEscapes: o.Mode == InputThenUnescape,
		latin1:       o.Encoding == pgtext.Latin1,
		major:        o.Major,
	}
	return p
}

// Validate checks in as the server does in mode o.Mode, and returns the
// first error; with InputThenUnescape, the de-escaping failure comes after
// every syntax error.
func Validate(in []byte, o Options) error {
	p := NewParser(in, o)
	for {
		ev, err := p.Next()
		if err != nil {
			return err
		}
		if ev == Done {
			return p.EscapeErr()
		}
	}
}

// EscapeErr is the first de-escaping failure of an InputThenUnescape parse
// (nil in the other modes).
func (p *Parser) EscapeErr() error { return p.l.escapeErr }

// Depth is the number of containers around the last event's token: 0 for
// a top-level value, 1 for a top-level object's keys and values.
func (p *Parser) Depth() int { return p.evDepth }

// Kind is the kind of the last Scalar (String for a Key).
func (p *Parser) Kind() Kind { return Kind(p.evKind) }

// Token is the text of the last Key or Scalar, quotes and escapes included.
func (p *Parser) Token() []byte { return p.l.in[p.evStart:p.evEnd] }

// Escaped reports whether the last Key or Scalar string holds a backslash.
func (p *Parser) Escaped() bool { return p.evEscaped }

// AppendText appends the de-escaped text of the last Key or String scalar
// (see AppendText).
func (p *Parser) AppendText(dst []byte) []byte {
	tok := p.Token()
	if !p.evEscaped {
		return append(dst, tok[1:len(tok)-1]...)
	}
	return AppendText(dst, tok)
}

func (p *Parser) push(object bool) {
	d := p.depth
	p.depth++
	var bit uint64
	if object {
		bit = 1
	}
	if d < 64 {
		p.kinds = p.kinds&^(1<<d) | bit<<d
		return
	}
	d -= 64
	if d/64 >= len(p.more) {
		p.more = append(p.more, 0)
	}
	p.more[d/64] = p.more[d/64]&^(1<<(d%64)) | bit<<(d%64)
}

// inObject reports whether the innermost open container is an object.
func (p *Parser) inObject() bool {
	d := p.depth - 1
	if d < 64 {
		return p.kinds>>d&1 == 1
	}
	d -= 64
	return p.more[d/64]>>(d%64)&1 == 1
}

// saveToken makes the current token the event's.
func (p *Parser) saveToken() {
	p.evKind, p.evStart, p.evEnd, p.evEscaped, p.evDepth = p.l.kind, p.l.start, p.l.end, p.l.escaped, p.depth
}

// Next returns the next event, or the error that ends the parse. After
// Done or an error there is nothing more to read.
func (p *Parser) Next() (Event, error) {
	l := &p.l
	if p.lex {
		p.lex = false
		if err := l.next(); err != nil {
			return Done, err
		}
	}
	for {
		switch p.state {
		case stValue:
			switch l.kind {
			case tokObjectStart, tokArrayStart:
				p.evDepth = p.depth
				obj := l.kind == tokObjectStart
				p.push(obj)
				p.lex = true
				if obj {
					p.state = stObjectFirst
					return BeginObject, nil
				}
				p.state = stArrayFirst
				return BeginArray, nil
			case tokString, tokNumber, tokTrue, tokFalse, tokNull:
				p.saveToken()
				if err := l.next(); err != nil {
					return Done, err
				}
				p.state = stAfter
				return Scalar, nil
			}
			return Done, p.unexpected(ctxValue)
		case stObjectFirst:
			if l.kind == tokObjectEnd {
				return p.close()
			}
			if l.kind != tokString {
				return Done, p.unexpected(ctxObjectStart)
			}
			p.state = stField
		case stArrayFirst:
			if l.kind == tokArrayEnd {
				return p.close()
			}
			p.state = stValue
		case stField:
			if l.kind != tokString {
				return Done, p.unexpected(ctxString)
			}
			p.saveToken()
			if err := l.next(); err != nil {
				return Done, err
			}
			if l.kind != tokColon {
				return Done, p.unexpected(ctxObjectLabel)
			}
			if err := l.next(); err != nil {
				return Done, err
			}
			p.state = stValue
			return Key, nil
		case stAfter:
			if p.depth == 0 {
				if l.kind != tokEnd {
					return Done, p.unexpected(ctxEnd)
				}
				p.state = stDone
				return Done, nil
			}
			obj := p.inObject()
			if l.kind == tokComma {
				if err := l.next(); err != nil {
					return Done, err
				}
				p.state = stValue
				if obj {
					p.state = stField
				}
				continue
			}
			if obj && l.kind != tokObjectEnd {
				return Done, p.unexpected(ctxObjectNext)
			}
			if !obj && l.kind != tokArrayEnd {
				return Done, p.unexpected(ctxArrayNext)
			}
			return p.close()
		default:
			return Done, nil
		}
	}
}

// close ends the innermost container at its closing token; the server runs
// the end action once the token after it is lexed.
func (p *Parser) close() (Event, error) {
	obj := p.inObject()
	p.depth--
	p.evDepth = p.depth
	if err := p.l.next(); err != nil {
		return Done, err
	}
	p.state = stAfter
	if obj {
		return EndObject, nil
	}
	return EndArray, nil
}

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

// unexpected is PostgreSQL's report_parse_error: the DETAIL names what the
// context expected and the token found, or says the input ended.
func (p *Parser) unexpected(ctx parseContext) error {
	l := &p.l
	if l.kind == tokEnd {
		return l.syntax("The input string ended unexpectedly.")
	}
	tok := string(l.in[l.start:l.end])
	switch ctx {
	case ctxEnd:
		return l.syntax(`Expected end of input, but found "` + tok + `".`)
	case ctxString:
		return l.syntax(`Expected string, but found "` + tok + `".`)
	case ctxArrayNext:
		return l.syntax(`Expected "," or "]", but found "` + tok + `".`)
	case ctxObjectStart:
		return l.syntax(`Expected string or "}", but found "` + tok + `".`)
	case ctxObjectLabel:
		return l.syntax(`Expected ":", but found "` + tok + `".`)
	case ctxObjectNext:
		return l.syntax(`Expected "," or "}", but found "` + tok + `".`)
	}
	return l.syntax(`Expected JSON value, but found "` + tok + `".`)
}
