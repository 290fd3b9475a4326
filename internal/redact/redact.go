// Package redact is how the values of crypt, jwt, auth and auth/postgrest
// that hold a secret print: the secret's length in place of its bytes, and
// one description for every fmt verb.
package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Bytes stands in for a secret of n bytes.
func Bytes(n int) string { return "[REDACTED " + strconv.Itoa(n) + " bytes]" }

// Write writes desc for verb: quoted for %q, as is otherwise (hex of a
// description would help nobody). A Format method calls it with its String.
func Write(f fmt.State, verb rune, desc string) {
	if verb == 'q' {
		desc = strconv.Quote(desc)
	}
	io.WriteString(f, desc)
}
