package main

import (
	"fmt"
	"io"
)

// maxInput bounds what a command reads from stdin (a payload, a token or a
// password). PostgreSQL would take up to 1 GB of text, but nothing sensible
// here comes near 1 MiB, and an accidental pipe of a large file should fail
// with a clear message rather than be hashed or signed.
const maxInput = 1 << 20

// readStdin reads all of stdin and drops one trailing line end (see
// trimNewline). what names the input in error messages.
func readStdin(e *env, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxInput+1))
	if err != nil {
		return "", fmt.Errorf("reading the %s from stdin: %w", what, err)
	}
	if len(b) > maxInput {
		return "", fmt.Errorf("the %s on stdin is larger than %d bytes", what, maxInput)
	}
	return trimNewline(string(b)), nil
}

// stdinIsTerminal reports whether stdin is an interactive terminal, where
// waiting for input that nobody will type would just hang.
func stdinIsTerminal(e *env) bool {
	return e.stdinTerminal != nil && e.stdinTerminal()
}
