package crypt

// Notice is a PostgreSQL NOTICE that crypt() raises without failing: in
// PostgreSQL 18, a sha-crypt "rounds=" value outside 1000..999999999 is
// clamped and reported this way (SQLSTATE 22003).
type Notice struct {
	Code    string // SQLSTATE of the notice, e.g. "22003"
	Message string // PostgreSQL's notice text, verbatim
}
