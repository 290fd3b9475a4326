// Package auth brings PostgREST's "SQL User Management" and its JWT
// authentication to Go services, interoperable in both directions with the
// SQL and with PostgREST: users created in SQL log in through Go and the
// other way round, Go issues the very tokens the SQL login() issues, and
// requests are authenticated as PostgREST authenticates them.
//
// # Users and login
//
// The design is the seed's: a private schema basic_auth with a users table
// (email primary key with a check, a bcrypt-hashed password, a database
// role), a constraint trigger that the role exists, a trigger that hashes
// passwords, basic_auth.user_role(email, pass), and login(email, pass) in the
// exposed schema, returning a JWT signed with the database setting
// app.jwt_secret.
//
//   - InstallSchema installs all of it into a live database, in one
//     transaction, idempotently, with PostgREST's anon and authenticator
//     roles. pgcrypto is required; where the pgjwt extension is not
//     installed (managed databases), login() signs with this project's own
//     pgjwt-compatible SQL (jwt.CompatSQL), installed into the private
//     schema, so plain PostgreSQL suffices.
//   - A Store keeps the users: PGStore works on the installed table (sign-ups
//     go through it, so its triggers hash and check exactly as for SQL
//     callers; logins only read the hash, so bcrypt runs in Go, not in the
//     database); MemStore applies the same rules in memory, with the same
//     errors, for tests, examples and small services.
//   - Service signs users up, changes passwords, deletes users, and logs them
//     in. Login returns byte for byte the token SQL login() returns at the
//     same instant: the payload {"role":…,"email":…,"exp":…} as row_to_json
//     renders it, exp = extract(epoch from now())::integer + 3600 (rounded
//     half away from zero), HS256 with the same secret. Lifetime, extra
//     claims and algorithm are options.
//   - NewLoginHandler serves POST /rpc/login as PostgREST serves the SQL
//     login(): 200 {"token":"…"}, 403 with PostgREST's error body for wrong
//     credentials, PostgREST's codes for malformed bodies, content types and
//     methods. GET with the password in the URL, and array bodies that log
//     in once per element, are refused unless WithLoginGET and
//     WithBulkLogin allow them.
//
// Safe use:
//
//   - Every failure carries a SQLSTATE and PostgreSQL's message (errors.Is
//     with ErrDuplicateEmail, ErrUnknownRole, ErrCheckViolation,
//     ErrInvalidPassword, …; the code through SQLState(), the message
//     through Error()). Wrong passwords and unknown emails give the same
//     ErrInvalidPassword after the same bcrypt work (an unknown email is
//     checked against a dummy hash of the same cost), so responses do not
//     reveal which emails exist.
//   - bcrypt is expensive on purpose. Service runs at most
//     WithHashConcurrency hashing operations at once (default the CPU
//     count); at most WithHashQueue more wait (default 1,000), giving up
//     when their context ends, and the rest fail at once with
//     ErrHashQueueFull (503 with Retry-After from the login handler), so a
//     burst of logins cannot exhaust the machine. Put a rate limit in front
//     of the login handler all the same.
//   - Keep app.jwt_secret at 32 bytes or more (NewService refuses less with
//     ErrShortSecret, as PostgREST does) and out of source code: ALTER
//     DATABASE … SET "app.jwt_secret" TO '…', and PGStore.Secret to read it
//     (ErrNoSecret, 42704, when it is not set: the SQL login() fails alike
//     then).
//   - Text is checked and converted as PostgreSQL would: NUL bytes and
//     invalid UTF-8 fail with 22021; in a LATIN1 database passwords and the
//     secret are hashed in LATIN1 bytes, as crypt() and hmac() there see them.
//   - Behaviour kept bug-compatible with the SQL, on purpose: the table's
//     password length check applies to the hash (bcrypt reads only the
//     first 72 bytes of a password; the Service's own limit is
//     WithMaxPasswordLength); a role longer than 63 bytes is cut to 63 (it
//     is of type name); setting a password to the stored hash keeps the old
//     password.
//
// # Request authentication
//
// NewMiddleware (or NewAuthenticator, for its Middleware, Authenticate and
// AuthenticateToken methods) authenticates requests as PostgREST v16.2 and
// v14 do, configured with PostgREST's settings:
//
//   - WithJWTSecret is jwt-secret: a plain secret of at least 32 bytes
//     (accepting HS256 tokens only, as in PostgREST v13+), a JWK, or a JWKS
//     {"keys":[…]} with oct, RSA, EC or OKP (Ed25519) keys; "@path" reads the
//     value from a file, minus one trailing newline. WithJWTSecretIsBase64
//     decodes it first. The text is tried as a JWKS, then as one JWK, then as
//     a plain secret; text that starts with '{' or '[' but is no valid JWK
//     or non-empty JWKS is refused (ErrInvalidJWK), where PostgREST would
//     make it an HMAC secret anyone who has seen the JWKS could sign with
//     (WithUnsafeJSONSecretAsHMAC restores that). A token with a kid
//     matches only keys with that kid (a plain secret has none), and a key's
//     own alg must equal the token's.
//   - WithJWTAud is jwt-aud: a token's aud (string or array) must name it;
//     tokens without aud, or with an empty array, pass.
//   - WithJWTRoleClaimKey is jwt-role-claim-key, default "$.role": "$…" is
//     an RFC 9535 JSONPath (`$.realm_access.roles[0]`,
//     `$.roles[?search(@, "^app_")]`), anything else the older syntax of
//     PostgREST v13/v14 (".role", `."https://x".role`), which v16.2 still
//     takes. The first match is the role; a non-string match becomes its
//     JSON text.
//   - WithDBAnonRole is db-anon-role: the role of requests without a token
//     and of tokens without a role claim. Without it such requests get 401
//     PGRST302.
//   - WithJWTCacheMaxEntries is jwt-cache-max-entries (default 1000, 0 turns
//     the cache off); WithClientErrorVerbosity is client-error-verbosity;
//     WithMiddlewareClock replaces the clock, for tests.
//
// A configuration PostgREST would refuse to start with (a short secret, bad
// base64, an unreadable file, an invalid jwt-aud URI or role-claim key) is
// an error from the constructor, never at a request.
//
// Per request, in PostgREST's order, the first failure answering:
//
//  1. The first Authorization header is read; a scheme other than Bearer
//     (any case) counts as no token. No token: the request runs as
//     db-anon-role, or gets 401 PGRST302.
//  2. A token without any configured secret: 500 PGRST300.
//  3. Structure, header, key choice and signature (401 PGRST301, e.g.
//     "Expected 3 parts in JWT; got 2"; alg "none" is refused); then the
//     payload must be a JSON object (401 PGRST303 "Parsing claims failed").
//  4. exp, nbf and iat, each checked for type and then value, with
//     PostgREST's 30-second skew: a token is expired once now − 30 s > exp,
//     not yet valid while now + 30 s < nbf, and issued in the future while
//     now + 30 s < iat (401 PGRST303). Like PostgREST, a token without exp
//     never expires: issue tokens with one (Service.Login does).
//  5. aud against jwt-aud, then the role claim; a token without one runs as
//     db-anon-role (or gets 401 PGRST302).
//
// Failures are answered by the middleware itself (the wrapped handler does
// not run; neither the body nor the database is touched): PostgREST's
// status, its JSON body {"code","details","hint","message"} (Minimal
// verbosity drops details and hint), the header
// Proxy-Status: PostgREST; error=<code>, and for 401 the header
// WWW-Authenticate: Bearer error="invalid_token", error_description="…" for
// a rejected token, plain "Bearer" when a token is required. The handler
// reads the result with IdentityFrom (a copy of the whole Identity), RoleFrom
// (the database role) and ClaimsFrom (the exact request.jwt.claims text: the
// token's claims with "role" set to that role); Identity.Authenticated is
// PostgREST's "the role is not db-anon-role". An Identity is read-only (its
// methods return strings and a bool), so a handler cannot change the role
// another request with the same cached token, or without a token, runs as.
//
// The token cache holds only tokens whose signature verified, with their
// parsed claims, never a verdict: exp, nbf and iat are checked against the
// clock on every request, so a cached token gets exactly the answer an
// uncached one would, and is never accepted after exp (plus the skew) or
// before nbf (minus it). Expired tokens leave the cache; a full cache
// evicts by SIEVE. The configuration is fixed for an Authenticator's life:
// to change keys build a new one, whose cache starts empty.
//
// # Security: safe defaults, and the options that restore upstream
//
// Where PostgREST, pgjwt or the seed's SQL behave unsafely, this package's
// default is safe, and an option with a plain name restores the exact
// upstream behaviour for those who must reproduce it:
//
//   - A jwt-secret that looks like JSON must be a valid JWK or a non-empty
//     JWKS, and oct JWKs need 32 bytes (ErrInvalidJWK).
//     WithUnsafeJSONSecretAsHMAC(true) restores PostgREST's reading, where
//     a JWKS with one malformed key becomes an HMAC secret: the document is
//     public, so anyone could sign tokens for any role.
//   - POST /rpc/login takes one JSON object. WithBulkLogin(n) allows arrays
//     of up to n (PostgREST's bulk RPC: one 64 KiB array is some 1,400
//     bcrypt runs); GET with the password in the query string needs
//     WithLoginGET(true) (URLs end up in access logs, proxies and browser
//     history).
//   - At most 1,000 calls wait for a hashing slot (WithHashQueue); beyond,
//     ErrHashQueueFull, answered 503 with Retry-After, where unbounded
//     waiting would hold a goroutine, a body and a connection each.
//   - Passwords longer than 1,024 bytes are refused before any hashing
//     (ErrPasswordTooLong); WithMaxPasswordLength(0) restores the SQL's any
//     length, with which one request naming a sha512crypt user can hold a
//     slot for seconds.
//
// Safe without an option to undo it, since upstream has no such behaviour
// to reproduce: the installers (InstallSchema, jwt.CompatSQL) take every
// name verbatim as one quoted name and give function bodies a delimiter no
// name holds, and refuse names PostgreSQL would truncate (ErrInvalidName,
// ErrNameTooLong); NewPGStore refuses a database without the users table,
// its columns or its triggers (ErrSchemaNotInstalled); errors of both
// stores never carry the password or its hash (PostgreSQL's "Failing row
// contains …" detail, error context and internal query are dropped);
// emails of new users have at most MaxEmailLength characters in both
// stores (ErrEmailTooLong), safely under what the primary-key index holds;
// an Identity is read-only; and Service, Authenticator, the login handler,
// MemStore, PGStore and User print through fmt and log/slog with secrets,
// keys and hashes redacted.
//
// # Handing the request to the database
//
// Behind the middleware, run each request's queries in one transaction that
// starts with SetRequestContext(ctx, tx, id, r), PostgREST's prologue in one
// statement: the role switch (set_config('role', …, true), which is SET
// LOCAL ROLE) and request.jwt.claims, request.method, request.path,
// request.headers and request.cookies. Every setting is transaction-local,
// so it must run inside the transaction that runs the queries (it takes a
// pgx.Tx for that reason), and ends with it: a pooled connection goes back
// to the pool as the login role with nothing set, whether the transaction
// committed or rolled back. Row-level-security policies then read
// current_setting('request.jwt.claims', true)::json->>'email'.
//
// A database failure of the switch comes back as the *APIError PostgREST
// sends (a role that does not exist 401 with WWW-Authenticate: Bearer; a role
// the login role may not become 403, or 401 for the anonymous role); map
// errors of the later queries with FromDBError(err, id.Authenticated()), which
// applies PostgREST's SQLSTATE table (42501 is 403, or 401 as the anonymous
// role; an error without SQLSTATE, such as a broken connection, is 503
// PGRST001 without the driver's text). SetRequestContext refuses, with
// plain errors and before setting anything, a connection whose
// client_encoding is not UTF8 (ErrClientEncoding) and a transaction that
// does not run as its session user (ErrSessionRole).
//
// Connect as PostgREST's authenticator: a NOINHERIT login role with no
// privileges of its own, granted exactly the anonymous and user roles. The
// switch is only as safe as that role:
//
//   - PostgreSQL checks SET ROLE against the session user, not the role in
//     effect. A pool that logs in as a superuser and then runs SET ROLE
//     authenticator at session level could become any role a token names;
//     SetRequestContext therefore compares session_user with current_user
//     in its one statement and returns ErrSessionRole, setting nothing.
//     SET SESSION AUTHORIZATION authenticator, which changes the session
//     user, is fine (examples/rls does it). For the same reason call
//     SetRequestContext once per transaction, before any SET ROLE.
//   - A pool that logs in as a superuser without SET ROLE cannot be told
//     apart: every role, superusers included, is then reachable, and the
//     role "none" (which PostgreSQL reads as "back to the session user")
//     runs as the superuser. Never do that.
//   - A pool that logs in as a user role itself gains nothing from the
//     switch, and cannot become roles that role is not granted.
//
// A request, end to end:
//
//	mw, err := auth.NewMiddleware(auth.WithJWTSecret(secret), auth.WithDBAnonRole("web_anon"))
//	…
//	http.Handle("/todos", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		id, _ := auth.IdentityFrom(r.Context())
//		err := pgx.BeginFunc(r.Context(), pool, func(tx pgx.Tx) error {
//			if err := auth.SetRequestContext(r.Context(), tx, id, r); err != nil {
//				return err
//			}
//			return tx.QueryRow(r.Context(), "select …").Scan(&body)
//		})
//		var apiErr *auth.APIError
//		if err != nil && !errors.As(err, &apiErr) {
//			apiErr = auth.FromDBError(err, id.Authenticated())
//		}
//		if apiErr != nil {
//			apiErr.Respond(w, auth.Verbose)
//			return
//		}
//		…
//	})))
package auth
