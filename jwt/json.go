package jwt

import "github.com/pgjwt-go/pgjwt/internal/pgjsonlex"

// PostgreSQL's json grammar is internal/pgjsonlex; its errors are this
// package's.
var jsonErrors = pgjsonlex.Errors{Syntax: ErrInvalidJSON, Escape: ErrUnicodeEscape}

// validateJSON is the json type's input check (json_in): syntax only.
func validateJSON(in []byte) error {
	return pgjsonlex.Validate(in, pgjsonlex.Options{Errors: jsonErrors})
}
