package jwt

import (
	"encoding/binary"
	"math/bits"

	"github.com/pgjwt-go/pgjwt/internal/pgjsonlex"
)

// scanPlain is the fast path of the json check for the texts tokens carry:
// JSON without escapes, with whitespace and nesting up to 64 levels. It
// walks the text once, with no token structure and no error values, and
// gathers the top-level nbf and exp as scanPayload does.
//
// ok is true only when the full parser (scanPayload: internal/pgjsonlex)
// would accept the text with no error and no deferred de-escaping failure,
// and then f holds exactly the claims it would gather. Anything else - a
// backslash, a syntax error, a byte >= 0x80 outside a string, deeper
// nesting - is ok == false, and the caller runs the full checks, which
// give PostgreSQL's verdict and message. FuzzScanPlain holds it to that.
//
// ascii is true when no byte is >= 0x80 (false may also mean "not sure"):
// with ok, the text is then valid UTF-8 without a separate check (a NUL can
// only fail the scan).
func scanPlain(in []byte) (f claimFinder, ascii, ok bool) {
	var (
		open   uint64 // one bit per open container, 1 for an object
		depth  int
		high   uint64 // OR of the words strings were read in: bit 7 of a byte set means maybe non-ASCII
		target int    // the claim the next top-level value belongs to
		i      int
	)

value:
	i = skipJSONSpace(in, i)
	if i >= len(in) {
		return f, false, false
	}
	switch c := in[i]; c {
	case '"':
		end, seen := scanPlainString(in, i+1)
		if end < 0 {
			return f, false, false
		}
		high |= seen
		if depth == 1 && target != 0 {
			f.claims[target] = claim{kind: pgjsonlex.String, raw: in[i:end]}
		}
		i = end
	case '{', '[':
		if depth == 1 && target != 0 {
			f.claims[target] = claim{}
		}
		if depth == 64 {
			return f, false, false
		}
		depth++
		open <<= 1
		closer := byte(']')
		if c == '{' {
			open |= 1
			closer = '}'
		}
		i = skipJSONSpace(in, i+1)
		if i < len(in) && in[i] == closer { // empty
			i++
			depth--
			open >>= 1
			break
		}
		if c == '[' {
			goto value
		}
		goto key
	case 't', 'f', 'n':
		// The literal must end at a byte that is not a word byte; "after"
		// below accepts only such bytes.
		var word string
		switch c {
		case 't':
			word = "true"
		case 'f':
			word = "false"
		default:
			word = "null"
		}
		if len(in)-i < len(word) || string(in[i:i+len(word)]) != word {
			return f, false, false
		}
		if depth == 1 && target != 0 {
			f.claims[target] = claim{}
		}
		i += len(word)
	default:
		// A word byte right after the number, which the full lexer would
		// swallow into an invalid token, fails the next step.
		end, ok := pgjsonlex.NumberEnd(in, i)
		if !ok {
			return f, false, false
		}
		if depth == 1 && target != 0 {
			f.claims[target] = claim{kind: pgjsonlex.Number, raw: in[i:end]}
		}
		i = end
	}
	target = 0

after: // a value is complete; only whitespace, "," or a closer may follow
	i = skipJSONSpace(in, i)
	if depth == 0 {
		return f, high&0x8080808080808080 == 0, i == len(in)
	}
	if i >= len(in) {
		return f, false, false
	}
	switch in[i] {
	case ',':
		i++
		if open&1 == 1 {
			goto key
		}
		goto value
	case '}':
		if open&1 != 1 {
			return f, false, false
		}
	case ']':
		if open&1 != 0 {
			return f, false, false
		}
	default:
		return f, false, false
	}
	i++
	depth--
	open >>= 1
	goto after

key:
	i = skipJSONSpace(in, i)
	if i >= len(in) || in[i] != '"' {
		return f, false, false
	}
	{
		end, seen := scanPlainString(in, i+1)
		if end < 0 {
			return f, false, false
		}
		high |= seen
		target = 0
		if depth == 1 {
			// No escapes, so the key's bytes are its de-escaped text.
			switch string(in[i+1 : end-1]) {
			case "nbf":
				target = targetNBF
			case "exp":
				target = targetEXP
			}
		}
		i = skipJSONSpace(in, end)
	}
	if i >= len(in) || in[i] != ':' {
		return f, false, false
	}
	i++
	goto value
}

// skipJSONSpace returns the index of the first byte at or after i that is
// not JSON whitespace.
func skipJSONSpace(in []byte, i int) int {
	for i < len(in) && pgjsonlex.IsSpace(in[i]) {
		i++
	}
	return i
}

// scanPlainString reads the rest of a string whose opening quote is at i-1:
// end is the index after the closing quote, or -1 for anything the fast path
// leaves to the full lexer (a backslash, a control character, no closing
// quote). seen is the OR of the words read, which cover the string and may
// reach past it: a high bit in it means "maybe not ASCII".
func scanPlainString(in []byte, i int) (end int, seen uint64) {
	for i+8 <= len(in) {
		x := binary.LittleEndian.Uint64(in[i:])
		seen |= x
		if m := pgjsonlex.SpecialBytes(x); m != 0 {
			// The lowest flagged byte is the first special one.
			i += bits.TrailingZeros64(m) / 8
			if in[i] == '"' {
				return i + 1, seen
			}
			return -1, 0
		}
		i += 8
	}
	for ; i < len(in); i++ {
		c := in[i]
		seen |= uint64(c)
		if !pgjsonlex.PlainStringByte[c] {
			if c == '"' {
				return i + 1, seen
			}
			return -1, 0
		}
	}
	return -1, 0
}
