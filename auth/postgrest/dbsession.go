package postgrest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrClientEncoding is returned by SetRequestContext on a connection whose
// client_encoding is not UTF8.
var ErrClientEncoding = errors.New("postgrest: the connection's client_encoding must be UTF8")

// ErrSessionRole is returned by SetRequestContext when the transaction does
// not run as the session user: a SET ROLE is in effect (at session level on
// the pooled connection, or earlier in the transaction). PostgreSQL decides
// which roles SET ROLE may take by the session user, not by the role in
// effect, so the switch would not be limited to the roles granted to the
// role the caller sees. Nothing is set; roll the transaction back.
var ErrSessionRole = errors.New("postgrest: SetRequestContext: a SET ROLE is in effect (current_user is not session_user)")

// setRequestSQL is PostgREST's transaction prologue (Query/PreQuery.hs): one
// statement, every setting transaction-local. set_config('role', …, true) is
// SET LOCAL ROLE: PostgreSQL itself checks the role (22023 "role … does not
// exist", 42501 "permission denied to set role …"), and the value "none"
// resets to the session user, a quirk PostgREST passes through unchanged.
//
// The WHERE clause is this package's own (PostgREST's connections never SET
// ROLE at session level). It is evaluated before the select list, so it sees
// the role the transaction runs as before the switch; when that is not the
// session user nothing is set and no row comes back (see ErrSessionRole).
const setRequestSQL = `select set_config('role', $1, true),
	set_config('request.jwt.claims', $2, true),
	set_config('request.method', $3, true),
	set_config('request.path', $4, true),
	set_config('request.headers', $5, true),
	set_config('request.cookies', $6, true)
	where session_user = current_user`

// SetRequestContext hands the request to the database as PostgREST does
// before running it: inside tx it switches to id.Role() and sets
// request.jwt.claims (id.Claims()), request.method, request.path (the raw path
// without query string), request.headers (all headers but Cookie, names
// lower-cased, the last of duplicates, including authorization and host) and
// request.cookies (from the first Cookie header), in one statement, all
// transaction-local. Policies then read them with
// current_setting('request.jwt.claims', true)::json->>'email'. id is the
// request's Identity from IdentityFrom; the zero Identity is refused.
//
// The connection should log in as PostgREST's "authenticator": a NOINHERIT
// role granted the anonymous and user roles, so that the switch is what
// grants privileges. Call SetRequestContext first in the transaction, with
// no SET ROLE in effect: the transaction must run as the session user, or
// SetRequestContext returns ErrSessionRole and sets nothing. (SET SESSION
// AUTHORIZATION changes the session user too and is fine.) It cannot detect
// a connection that logs in as a superuser: the switch then succeeds for
// every role, superusers included.
//
// The connection must use client_encoding UTF8 (pgx does not set it; in a
// non-UTF8 database add client_encoding=UTF8 to the connection string);
// otherwise SetRequestContext returns ErrClientEncoding and sets nothing.
//
// A database failure is returned as an *APIError carrying PostgREST's
// response: an
// unknown role is 401 (with WWW-Authenticate: Bearer), a role the
// authenticator may not become is 403, or 401 when it is the anonymous role.
// Map later query errors with FromDBError(err, id.Authenticated()).
//
// Not reproduced: search_path, the role's ALTER ROLE … SET settings and
// app.settings.* (PostgREST sets them in the same statement; set them in
// the transaction yourself if you rely on them); PostgREST emits the header
// object in hash order, this emits it sorted.
func SetRequestContext(ctx context.Context, tx pgx.Tx, id Identity, r *http.Request) error {
	if id.claims == "" || r == nil { // the zero Identity: every real one has claims text
		return errors.New("postgrest: SetRequestContext needs the request and its Identity")
	}
	// Claims are UTF-8. Under another client_encoding PostgreSQL would take
	// their bytes as that encoding and store mojibake without an error.
	if c := tx.Conn(); c != nil && c.PgConn() != nil {
		if enc := c.PgConn().ParameterStatus("client_encoding"); enc != "" && !strings.EqualFold(enc, "UTF8") {
			return fmt.Errorf("%w (it is %s)", ErrClientEncoding, enc)
		}
	}
	tag, err := tx.Exec(ctx, setRequestSQL, id.role, id.claims, r.Method, rawPath(r),
		string(headersJSON(r)), string(cookiesJSON(r)))
	if err != nil {
		return FromDBError(err, id.authenticated)
	}
	if tag.RowsAffected() == 0 {
		// Only on misuse: name the two roles for the log.
		var sessionUser, currentUser string
		if err := tx.QueryRow(ctx, "select session_user::text, current_user::text").Scan(&sessionUser, &currentUser); err != nil {
			return fmt.Errorf("%w: %w", ErrSessionRole, err)
		}
		return fmt.Errorf("%w: session_user %q, current_user %q", ErrSessionRole, sessionUser, currentUser)
	}
	return nil
}

// rawPath is the path as the client sent it, without the query string.
func rawPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// headersJSON renders the request headers as PostgREST's request.headers.
// net/http moves Host out of the header map; it is put back.
func headersJSON(r *http.Request) []byte {
	m := make(map[string]any, len(r.Header)+1)
	for name, vals := range r.Header {
		if len(vals) == 0 || strings.EqualFold(name, "Cookie") {
			continue
		}
		m[strings.ToLower(name)] = vals[len(vals)-1]
	}
	if r.Host != "" {
		if _, ok := m["host"]; !ok {
			m["host"] = r.Host
		}
	}
	return appendAeson(nil, m)
}

// cookiesJSON parses the first Cookie header as wai's parseCookies does: pairs
// split at ';', leading spaces dropped, name and value split at the first
// '='; the last of duplicate names wins. Values are kept verbatim.
func cookiesJSON(r *http.Request) []byte {
	m := map[string]any{}
	if vals := r.Header["Cookie"]; len(vals) > 0 {
		for _, pair := range strings.Split(vals[0], ";") {
			pair = strings.TrimLeft(pair, " ")
			if pair == "" {
				continue
			}
			name, value, _ := strings.Cut(pair, "=")
			m[name] = value
		}
	}
	return appendAeson(nil, m)
}
