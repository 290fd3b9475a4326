package main

import (
	"errors"
	"fmt"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// usageError is a mistake in the command line; it is reported with a hint
// to the command's help.
type usageError struct {
	cmd *command // nil for global usage errors
	msg string
}

func (e *usageError) Error() string { return e.msg }

// falseResult is returned by a command whose answer is "no" (verify: the
// token is not valid): nothing is printed for it, the exit code is 1.
var falseResult = errors.New("false")

// report prints err the way pgjwt reports errors and returns the exit code
// for it. A PostgreSQL error (with an SQLSTATE) is printed with PostgreSQL's
// message verbatim, as psql would show it:
//
//	pgjwt: invalid salt (SQLSTATE 22023)
func report(e *env, err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	if errors.Is(err, falseResult) {
		return exitFalse
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.cmd != nil {
			fmt.Fprintf(e.stderr, "pgjwt %s: %s\nRun 'pgjwt %s --help' for usage.\n", ue.cmd.name, ue.msg, ue.cmd.name)
		} else {
			fmt.Fprintf(e.stderr, "pgjwt: %s\nRun 'pgjwt help' for usage.\n", ue.msg)
		}
		return exitError
	}
	var pe *sqlerr.Error
	if errors.As(err, &pe) {
		fmt.Fprintf(e.stderr, "pgjwt: %s (SQLSTATE %s)\n", pe.Message, pe.Code)
		if pe.Detail != "" {
			fmt.Fprintf(e.stderr, "DETAIL: %s\n", pe.Detail)
		}
		if pe.Hint != "" {
			fmt.Fprintf(e.stderr, "HINT: %s\n", pe.Hint)
		}
		return exitError
	}
	fmt.Fprintf(e.stderr, "pgjwt: %v\n", err)
	return exitError
}
