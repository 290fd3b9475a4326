package pgtext

import "strings"

// InvalidSequenceMessage is PostgreSQL's message for text that is not valid
// in encoding: `invalid byte sequence for encoding "UTF8": 0xe2 0x28`, seq
// being what InvalidUTF8 returns.
func InvalidSequenceMessage[T ~string | ~[]byte](encoding string, seq T) string {
	return `invalid byte sequence for encoding "` + encoding + `": ` + hexList(seq)
}

// NoEquivalentMessage is PostgreSQL's message for a character, seq in
// encoding from, that encoding to lacks.
func NoEquivalentMessage(seq, from, to string) string {
	return `character with byte sequence ` + hexList(seq) + ` in encoding "` + from +
		`" has no equivalent in encoding "` + to + `"`
}

// hexList writes bytes as PostgreSQL's messages do: "0x%02x", space-separated.
func hexList[T ~string | ~[]byte](seq T) string {
	const digits = "0123456789abcdef"
	var out strings.Builder
	out.Grow(5 * len(seq))
	for i := 0; i < len(seq); i++ {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString("0x")
		out.WriteByte(digits[seq[i]>>4])
		out.WriteByte(digits[seq[i]&0xf])
	}
	return out.String()
}
