// Package sqlerr is the one error type that packages crypt, jwt and auth
// return: an error as PostgreSQL would report it, with its SQLSTATE and its
// message text kept verbatim, so that a Go caller can branch on the same
// codes a SQL caller would see.
//
// Sentinels are created once with New; a call that needs a message with
// variable text (for example "unknown database role: alice") returns
// sentinel.With(text), which still matches the sentinel under errors.Is.
package sqlerr

// Error is an error as PostgreSQL reports it.
type Error struct {
	// Op names the Go package or PostgreSQL function that failed
	// ("crypt", "gen_salt", "jwt", ...). It prefixes Error() only.
	Op string
	// Code is the SQLSTATE, five characters, e.g. "22023".
	Code string
	// Message is PostgreSQL's primary message, byte for byte.
	Message string
	// Detail and Hint are PostgreSQL's optional DETAIL and HINT lines.
	Detail string
	Hint   string

	kind *Error // the sentinel this error is an instance of, or nil
}

// New returns a sentinel error.
func New(op, code, message string) *Error {
	return &Error{Op: op, Code: code, Message: message}
}

// With returns an instance of the sentinel e that carries another message.
// errors.Is(instance, e) reports true.
func (e *Error) With(message string) *Error {
	return &Error{Op: e.Op, Code: e.Code, Message: message, kind: e.root()}
}

// WithDetail returns an instance of the sentinel e with the same message and
// the given DETAIL line.
func (e *Error) WithDetail(detail string) *Error {
	n := e.With(e.Message)
	n.Detail = detail
	n.Hint = e.Hint
	return n
}

func (e *Error) root() *Error {
	if e.kind != nil {
		return e.kind
	}
	return e
}

// Error returns "op: message"; the text always ends with PostgreSQL's
// message.
func (e *Error) Error() string {
	if e.Op == "" {
		return e.Message
	}
	return e.Op + ": " + e.Message
}

// SQLState returns the SQLSTATE code, as pgconn.PgError does.
func (e *Error) SQLState() string { return e.Code }

// Is reports whether target is a sentinel of the same condition: one with
// the same SQLSTATE and the same sentinel message, whichever package made
// it. So errors.Is(err, pgjson.ErrInvalidJSON) holds for jwt's invalid-json
// errors too, and crypt's, jwt's, pgjson's and auth's ErrInvalidEncoding
// match one another, while two conditions that share a SQLSTATE (22023 is
// "invalid salt" and "invalid base64 end sequence") stay apart. Instances
// (made by With) match their own sentinel through Unwrap.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.kind != nil {
		return false
	}
	r := e.root()
	return r.Code == t.Code && r.Message == t.Message
}

// Unwrap returns the sentinel this error is an instance of, so that
// errors.Is matches it.
func (e *Error) Unwrap() error {
	if e.kind == nil {
		return nil
	}
	return e.kind
}
