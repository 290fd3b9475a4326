// Package sqlname puts caller-chosen names (schemas, roles) into generated
// SQL scripts so that no name can change what a script does: every name is
// taken verbatim, as one quoted identifier or one string literal, and the
// dollar-quoted function bodies get a delimiter that provably occurs nowhere
// in the finished script, so that no name can end a body early.
//
// Quoted names are printable ASCII (other characters, control characters
// too, become Unicode escapes), so a script means the same whatever the
// client_encoding and a quoted name never spans lines; the server converts
// the escapes to its own encoding, or fails with 22P05 when a character has
// no equivalent there.
package sqlname

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest identifier PostgreSQL keeps, in bytes of the
// database encoding (NAMEDATALEN-1); it truncates longer ones with only a
// NOTICE.
const MaxLen = 63

// Check says why PostgreSQL cannot take name verbatim as an identifier, or
// returns "" when it can; tooLong reports that the length (in UTF-8) is the
// only reason. A name may hold any other character: quoting makes "$$",
// quotes, semicolons and spaces part of the name.
func Check(name string) (why string, tooLong bool) {
	switch {
	case name == "":
		return "is empty", false
	case strings.IndexByte(name, 0) >= 0:
		return "contains a NUL byte", false
	case !utf8.ValidString(name):
		return "is not valid UTF-8", false
	case len(name) > MaxLen:
		return fmt.Sprintf("is %d bytes long; PostgreSQL would silently truncate it to %d", len(name), MaxLen), true
	}
	return "", false
}

// QuoteIdent quotes name as one identifier: "name" with inner double quotes
// doubled, or U&"…" with Unicode escapes (and backslashes doubled) when
// name has other than printable ASCII characters. Invalid UTF-8 is kept as
// it is, for the server to refuse: nothing is dropped or replaced.
func QuoteIdent(name string) string {
	if isPrintableASCII(name) {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	var b strings.Builder
	b.WriteString(`U&"`)
	writeEscaped(&b, name, '"', `\`, `\%04X`, `\+%06X`)
	b.WriteByte('"')
	return b.String()
}

// QuoteLiteral quotes s as an escape-string literal (E'…', which reads the
// same whatever standard_conforming_strings says), with \u escapes for
// other than printable ASCII characters.
func QuoteLiteral(s string) string {
	var b strings.Builder
	b.WriteString("E'")
	writeEscaped(&b, s, '\'', `\`, `\u%04X`, `\U%08X`)
	b.WriteByte('\'')
	return b.String()
}

func writeEscaped(b *strings.Builder, s string, quote byte, esc, bmp, astral string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case s[i] == quote:
			b.WriteString(string(quote) + string(quote))
		case s[i] == '\\':
			b.WriteString(esc + esc)
		case (r >= 0x20 && r < 0x7F) || (r == utf8.RuneError && size == 1):
			b.WriteByte(s[i]) // printable ASCII, or an invalid byte the server will refuse
		case r <= 0xFFFF:
			fmt.Fprintf(b, bmp, r)
		default:
			fmt.Fprintf(b, astral, r)
		}
		i += size
	}
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7F {
			return false
		}
	}
	return true
}

// Fill fills in a script template: r replaces the placeholders (with quoted
// names), then every "$tag$" of the template, the delimiters of its
// dollar-quoted bodies, becomes "$t$" for the first t of tag, tag_1,
// tag_2, … that occurs nowhere else in the result. A name holding "$tag$"
// thus stays inside its body. The template must use "$tag$" only as
// delimiters, in pairs (Fill panics otherwise: a defect of the template,
// not of the input), and must not nest them.
func Fill(template, tag string, r *strings.Replacer) string {
	pieces := strings.Split(template, "$"+tag+"$")
	delims := len(pieces) - 1
	if delims%2 != 0 {
		panic("sqlname: template has an odd number of $" + tag + "$")
	}
	for i := range pieces {
		pieces[i] = r.Replace(pieces[i])
	}
	for n := 0; ; n++ {
		d := "$" + tag + "$"
		if n > 0 {
			d = "$" + tag + "_" + strconv.Itoa(n) + "$"
		}
		s := strings.Join(pieces, d)
		if occurrences(s, d) == delims {
			return s
		}
	}
}

// occurrences counts the places where sub starts in s, overlapping ones
// included ("$a$a$" holds "$a$" twice).
func occurrences(s, sub string) int {
	n := 0
	for i := 0; ; i++ {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return n
		}
		n++
		i += j
	}
}
