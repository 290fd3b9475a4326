package postgrest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// APIError is an error response exactly as PostgREST (v13 and later) sends
// it: an HTTP status, the four-member JSON body and the headers that go with
// it. The middleware answers every authentication failure with one, and
// FromDBError turns a PostgreSQL error into the one PostgREST would send.
type APIError struct {
	Status  int     // HTTP status code
	Code    string  // "PGRST301", or a SQLSTATE such as "42501"
	Message string  // the body's "message"
	Details *string // the body's "details"; nil is JSON null
	Hint    *string // the body's "hint"; nil is JSON null

	// WWWAuthenticate is the WWW-Authenticate header value, "" for none.
	WWWAuthenticate string
	// Header holds further headers, those a RAISE SQLSTATE 'PGRST' asked for.
	Header http.Header
}

// clone returns a copy the caller may change, down to the strings Details
// and Hint point to and the Header map: the middleware's errors are shared
// values, and a handler that edits its copy must not change what other
// requests are told.
func (e *APIError) clone() *APIError {
	c := *e
	if e.Details != nil {
		d := *e.Details
		c.Details = &d
	}
	if e.Hint != nil {
		h := *e.Hint
		c.Hint = &h
	}
	c.Header = e.Header.Clone()
	return &c
}

// Verbosity mirrors PostgREST's client-error-verbosity (v16+).
type Verbosity int

const (
	// Verbose bodies carry code, details, hint and message (the default).
	Verbose Verbosity = iota
	// Minimal bodies carry only code and message.
	Minimal
)

// Error returns the code and the message, e.g. "PGRST303: JWT expired".
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Body returns the JSON body byte for byte as PostgREST renders it: compact,
// members in aeson's sorted order (code, details, hint, message), absent
// details and hint as null, no HTML escaping.
func (e *APIError) Body(v Verbosity) []byte {
	b := make([]byte, 0, 64+len(e.Message))
	b = append(b, `{"code":`...)
	b = appendJSONString(b, e.Code)
	if v != Minimal {
		b = append(b, `,"details":`...)
		b = appendJSONNullable(b, e.Details)
		b = append(b, `,"hint":`...)
		b = appendJSONNullable(b, e.Hint)
	}
	b = append(b, `,"message":`...)
	b = appendJSONString(b, e.Message)
	return append(b, '}')
}

// Respond writes the error response: status, Content-Type
// "application/json; charset=utf-8", Content-Length, Proxy-Status
// "PostgREST; error=<code>", WWW-Authenticate when the case has one, then the
// body. Date, Server and CORS headers are the surrounding server's business,
// as in PostgREST they come from Warp and wai-cors.
func (e *APIError) Respond(w http.ResponseWriter, v Verbosity) {
	body := e.Body(v)
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = append([]string(nil), vs...)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Proxy-Status", "PostgREST; error="+e.Code)
	if e.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", e.WWWAuthenticate)
	}
	status := e.Status
	if status < 100 || status > 999 {
		// net/http cannot write such a status; PostgREST would send it
		// verbatim. Only a RAISE SQLSTATE 'PT0xx' or a bad PGRST status
		// gets here.
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FromDBError returns the response PostgREST sends for an error raised by
// PostgreSQL while serving a request (Error.hs mapSQLtoHTTP, v16.2).
// authenticated is PostgREST's notion: the request's role differs from
// db-anon-role (see Authenticated); it decides 401 versus 403 for 42501.
//
// err may be a *pgconn.PgError, a *sqlerr.Error, or any error with a
// SQLState() string method (whose own Error() then is the message). An error with
// no SQLSTATE at all (a broken connection, a cancelled context) becomes
// PostgREST's 503 PGRST001 "Database client error. Retrying the connection.",
// without the driver's text, which could reveal internals.
//
// Any resulting 401 carries "WWW-Authenticate: Bearer", except for a
// RAISE SQLSTATE 'PGRST', whose headers are exactly those it asked for.
func FromDBError(err error, authenticated bool) *APIError {
	code, msg, detail, hint, ok := sqlFields(err)
	if !ok {
		return &APIError{Status: http.StatusServiceUnavailable, Code: "PGRST001",
			Message: "Database client error. Retrying the connection."}
	}
	if code == "PGRST" {
		return fromRaisePGRST(msg, detail)
	}
	e := &APIError{Status: sqlStateStatus(code, msg, authenticated), Code: code, Message: msg,
		Details: detail, Hint: hint}
	if e.Status == http.StatusUnauthorized {
		e.WWWAuthenticate = "Bearer"
	}
	return e
}

// sqlFields extracts SQLSTATE, message, detail and hint. PostgreSQL reports an
// absent DETAIL/HINT as empty, which PostgREST shows as null.
func sqlFields(err error) (code, msg string, detail, hint *string, ok bool) {
	var pg *pgconn.PgError
	var se *sqlerr.Error
	var st interface{ SQLState() string }
	switch {
	case errors.As(err, &pg):
		return pg.Code, pg.Message, optional(pg.Detail), optional(pg.Hint), true
	case errors.As(err, &se):
		return se.Code, se.Message, optional(se.Detail), optional(se.Hint), true
	case errors.As(err, &st) && st.SQLState() != "":
		msg := err.Error()
		if e, ok := st.(error); ok {
			msg = e.Error() // the error itself, without the text of wrappers
		}
		return st.SQLState(), msg, nil, nil, true
	}
	return "", "", nil, nil, false
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// sqlStateStatus is PostgREST's SQLSTATE → HTTP status table.
func sqlStateStatus(code, msg string, authenticated bool) int {
	switch code {
	case "23503", "23505":
		return 409
	case "25006":
		return 405
	case "21000":
		// pg-safeupdate's error counts as the client's fault.
		if strings.HasSuffix(msg, "requires a WHERE clause") {
			return 400
		}
		return 500
	case "22023":
		// A JWT role that does not exist is an authentication problem
		// (PostgREST #3601, v13.0.1); other 22023 errors stay 400.
		if strings.HasPrefix(msg, "role") && strings.HasSuffix(msg, "does not exist") {
			return 401
		}
		return 400
	case "53400":
		return 500
	case "57P01":
		return 503
	case "P0001":
		return 400
	case "42883":
		if strings.HasPrefix(msg, "function xmlagg(") {
			return 406
		}
		return 404
	case "42P01":
		return 404
	case "42P17":
		return 500
	case "42501":
		if authenticated {
			return 403
		}
		return 401
	}
	if len(code) < 2 {
		return 400
	}
	switch code[:2] {
	case "08", "53":
		return 503
	case "0L", "0P", "28":
		return 403
	case "09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX":
		return 500
	case "PT":
		// RAISE SQLSTATE 'PTnnn' picks the status (Haskell readMaybe of
		// the rest, so a leading space is tolerated and non-numbers give
		// 500).
		n, err := strconv.Atoi(strings.TrimLeft(code[2:], " \t\n\r\f\v"))
		if err != nil {
			return 500
		}
		return n
	}
	return 400
}

// fromRaisePGRST handles RAISE SQLSTATE 'PGRST' USING MESSAGE = '{json}',
// DETAIL = '{json}': the function dictates code, message, details, hint,
// status and headers. Unparsable JSON gives PGRST121 (500).
func fromRaisePGRST(msg string, detail *string) *APIError {
	var m struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
		Details *string `json:"details"`
		Hint    *string `json:"hint"`
	}
	var d struct {
		Status  *int              `json:"status"`
		Headers map[string]string `json:"headers"`
	}
	parseErr := func(details, hint string) *APIError {
		return &APIError{Status: 500, Code: "PGRST121",
			Message: `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
			Details: &details, Hint: &hint}
	}
	const hintMsg = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
	const hintDet = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
	if json.Unmarshal([]byte(msg), &m) != nil || m.Code == nil || m.Message == nil {
		return parseErr("Invalid JSON value for MESSAGE: '"+msg+"'", hintMsg)
	}
	if detail == nil {
		return parseErr("DETAIL is missing in the RAISE statement", hintDet)
	}
	if json.Unmarshal([]byte(*detail), &d) != nil || d.Status == nil || d.Headers == nil {
		return parseErr("Invalid JSON value for DETAIL: '"+*detail+"'", hintDet)
	}
	e := &APIError{Status: *d.Status, Code: *m.Code, Message: *m.Message, Details: m.Details, Hint: m.Hint,
		Header: http.Header{}}
	for k, v := range d.Headers {
		e.Header.Set(k, v)
	}
	return e
}

// JWT errors (PostgREST's PGRST30x). Their messages are fixed ASCII.
func jwtSecretMissing() *APIError {
	return &APIError{Status: http.StatusInternalServerError, Code: "PGRST300", Message: "Server lacks JWT secret"}
}

func jwtDecodeError(message string, details *string) *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "PGRST301", Message: message, Details: details,
		WWWAuthenticate: invalidTokenChallenge(message)}
}

func jwtClaimsError(message string) *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "PGRST303", Message: message,
		WWWAuthenticate: invalidTokenChallenge(message)}
}

func jwtTokenRequired() *APIError {
	return &APIError{Status: http.StatusUnauthorized, Code: "PGRST302", Message: "Anonymous access is disabled",
		WWWAuthenticate: "Bearer"}
}

// invalidTokenChallenge is the RFC 6750 challenge PostgREST sends; the
// description is quoted by Haskell's show, not by RFC 7230 rules.
func invalidTokenChallenge(message string) string {
	return `Bearer error="invalid_token", error_description=` + haskellShow(message)
}

// haskellShow renders s as Haskell's show does for a String: in double
// quotes, '"' and '\' escaped, control characters by their ASCII names, and
// everything from DEL up as a decimal escape, with "\&" wherever the next
// character would otherwise extend the escape.
func haskellShow(s string) string {
	names := [...]string{"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "a", "b", "t", "n", "v", "f", "r",
		"SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
		"FS", "GS", "RS", "US"}
	var b strings.Builder
	b.WriteByte('"')
	numeric, so := false, false // did the previous escape end in digits / in \SO?
	for _, r := range s {
		if numeric && r >= '0' && r <= '9' || so && r == 'H' {
			b.WriteString(`\&`)
		}
		numeric, so = false, false
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20:
			b.WriteString(`\` + names[r])
			so = r == 0x0e
		case r == 0x7f:
			b.WriteString(`\DEL`)
		case r > 0x7f:
			b.WriteString(`\` + strconv.Itoa(int(r)))
			numeric = true
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func appendJSONNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONString quotes s as aeson does: only '"', '\' and control
// characters are escaped (\n, \r, \t by name, the rest as lower-case \u00xx);
// '<', '>', '&', U+2028 and U+2029 stay literal. Invalid UTF-8 becomes U+FFFD,
// as it would on its way into a Haskell Text.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch {
		case c == '"':
			b = append(b, '\\', '"')
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
