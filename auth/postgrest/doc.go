// Package postgrest authenticates HTTP requests exactly as PostgREST v16.2
// and v14 do, and hands each request to PostgreSQL as PostgREST does (the
// role switch and request.jwt.claims for row-level security), so that a Go
// service in front of the same database accepts, rejects and answers like
// PostgREST. It accepts the tokens of any issuer PostgREST accepts; package
// [github.com/pgjwt-go/pgjwt/auth] issues the SQL login()'s own (users,
// Service.Login and the /rpc/login handler) and answers its failures with
// this package's APIError.
//
// # Request authentication
//
// NewMiddleware (or NewAuthenticator, for its Middleware, Authenticate and
// AuthenticateToken methods) is configured with PostgREST's settings:
//
//   - WithJWTSecret is jwt-secret: a plain secret of at least 32 bytes
//     (accepting HS256 tokens only, as in PostgREST v13+), a JWK, or a JWKS
//     {"keys":[…]} with oct, RSA, EC or OKP (Ed25519) keys; "@path" reads the
//     value from a file, minus one trailing newline. WithJWTSecretIsBase64
//     decodes it first. The text is tried as a JWKS, then as one JWK, then as
//     a plain secret; text that starts with '{' or '[' but is no valid JWK
//     or non-empty JWKS is refused (ErrInvalidJWK; see Security below). A
//     token with a kid matches only keys with that kid (a plain secret has
//     none), and a key's own alg must equal the token's.
//   - WithJWTAud is jwt-aud: a token's aud (string or array) must name it;
//     tokens without aud, or with an empty array, pass.
//   - WithJWTRoleClaimKey is jwt-role-claim-key, default "$.role": "$…" is
//     an RFC 9535 JSONPath (`$.realm_access.roles[0]`,
//     `$.roles[?search(@, "^app_")]`), anything else the older syntax of
//     PostgREST v13/v14 (".role", `."https://x".role`), which v16.2 still
//     takes. The first match is the role; a non-string match becomes its
//     JSON text.
//   - WithAnonRole is db-anon-role: the role of requests without a token
//     and of tokens without a role claim. Without it such requests get 401
//     PGRST302.
//   - WithJWTCacheMaxEntries is jwt-cache-max-entries (default 1000, 0 turns
//     the cache off); WithClientErrorVerbosity is client-error-verbosity;
//     WithClock replaces the clock, for tests.
//
// A configuration PostgREST would refuse to start with (a short secret,
// ErrShortSecret; bad base64, an unreadable file, an invalid jwt-aud URI or
// role-claim key) is an error from the constructor, never at a request.
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
//     Header and claims are read as PostgREST's aeson reads them, not as
//     PostgreSQL's json type would.
//  4. exp, nbf and iat, each checked for type and then value, with
//     PostgREST's 30-second skew: a token is expired once now − 30 s > exp,
//     not yet valid while now + 30 s < nbf, and issued in the future while
//     now + 30 s < iat (401 PGRST303). Like PostgREST, a token without exp
//     never expires: issue tokens with one
//     ([github.com/pgjwt-go/pgjwt/auth.Service.Login] does).
//  5. aud against jwt-aud, then the role claim; a token without one runs as
//     db-anon-role (or gets 401 PGRST302).
//
// Failures are answered by the middleware itself (the wrapped handler does
// not run; neither the body nor the database is touched) with an APIError:
// PostgREST's status, its JSON body {"code","details","hint","message"}
// (Minimal verbosity drops details and hint), the header
// Proxy-Status: PostgREST; error=<code>, and for 401 the header
// WWW-Authenticate: Bearer error="invalid_token", error_description="…" for
// a rejected token, plain "Bearer" when a token is required. The handler
// reads the result with IdentityFrom (a copy of the whole Identity), RoleFrom
// (the database role) and ClaimsFrom (the exact request.jwt.claims text: the
// token's claims with "role" set to that role); Identity.Authenticated is
// PostgREST's "the role is not db-anon-role".
//
// The token cache holds only tokens whose signature verified, with their
// parsed claims, never a verdict: exp, nbf and iat are checked against the
// clock on every request, so a cached token gets exactly the answer an
// uncached one would, and is never accepted after exp (plus the skew) or
// before nbf (minus it). Expired tokens leave the cache; a full cache
// evicts by SIEVE.
//
// # Keys that change: rotation and remote JWKS
//
// The keys can change while the Authenticator runs, and each request reads
// them with one atomic load. SetJWTSecret swaps in a new jwt-secret (say
// the JWKS of a rotated auth.KeySet). WithRemoteJWKS(url) takes the keys
// from a JWKS URL, which PostgREST cannot: Supabase's
// https://<project>.supabase.co/auth/v1/.well-known/jwks.json, Auth0,
// Keycloak, Google, or auth.JWKSHandler. The document is fetched at start
// (NewAuthenticator fails when it cannot be fetched within
// WithJWKSStartTimeout, or is no valid JWKS), refreshed as its
// Cache-Control max-age says (within WithJWKSRefreshInterval's bounds),
// refetched once for a token with an unknown kid (at most once per minimum
// interval, so a flood of random kids cannot make it flood the provider),
// and kept when a refresh fails or fetches garbage. Fetched keys follow the
// jwt-secret rules above (kid matching, alg and key type, the strict JSON
// checks), and a fetched HMAC key is refused: a JWKS is public. Close stops
// the refresh. Either way, a cached token is verified again after a key
// change, so a removed key's tokens are refused from the next request on.
//
// Verifying Supabase's asymmetric tokens:
//
//	mw, err := postgrest.NewMiddleware(
//		postgrest.WithRemoteJWKS("https://PROJECT.supabase.co/auth/v1/.well-known/jwks.json"),
//		postgrest.WithJWTAud("authenticated"), postgrest.WithAnonRole("anon"))
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
//	mw, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(secret), postgrest.WithAnonRole("web_anon"))
//	…
//	http.Handle("/todos", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		id, _ := postgrest.IdentityFrom(r.Context())
//		err := pgx.BeginFunc(r.Context(), pool, func(tx pgx.Tx) error {
//			if err := postgrest.SetRequestContext(r.Context(), tx, id, r); err != nil {
//				return err
//			}
//			return tx.QueryRow(r.Context(), "select …").Scan(&body)
//		})
//		var apiErr *postgrest.APIError
//		if err != nil && !errors.As(err, &apiErr) {
//			apiErr = postgrest.FromDBError(err, id.Authenticated())
//		}
//		if apiErr != nil {
//			apiErr.Respond(w, postgrest.Verbose)
//			return
//		}
//		…
//	})))
//
// # Logging, metrics and Server-Timing
//
// An Authenticator is silent unless given a logger: WithLogger logs each
// refused request with its PostgREST code (Info for PGRST301/302/303, Warn
// for PGRST300), never the token or the secret. Authenticator.Stats
// returns the token cache counters PostgREST's admin server exports
// (pgrst_jwt_cache_requests_total, _hits_total, _evictions_total: same
// meaning), the cache size, and requests by outcome (accepted, anonymous,
// each PGRST code); counting costs a request an atomic add per counter it
// touches, no lock. WithServerTiming(true) is PostgREST's
// server-timing-enabled: "Server-Timing: jwt;dur=0.1" (milliseconds, one
// decimal) on requests that pass.
//
// # Security: safe defaults, and the option that restores upstream
//
// Where PostgREST behaves unsafely, this package's default is safe, and an
// option with a plain name restores the exact upstream behaviour for those
// who must reproduce it:
//
//   - A jwt-secret that looks like JSON must be a valid JWK or a non-empty
//     JWKS, and oct JWKs need 32 bytes (ErrInvalidJWK).
//     WithUnsafeJSONSecretAsHMAC(true) restores PostgREST's reading, where
//     a JWKS with one malformed key becomes an HMAC secret: the document is
//     public, so anyone could sign tokens for any role.
//   - A remote JWKS (WithRemoteJWKS, which PostgREST lacks) is always read
//     strictly and may hold no HMAC key; documents over 1 MiB are refused.
//
// Two permissive rules of PostgREST are kept, because the other choice
// refuses tokens PostgREST accepts, which this middleware exists to match:
// a token without exp never expires, and a token without aud passes
// jwt-aud. Issue tokens with both (the login side does set exp), or check
// them in the handler.
//
// Safe without an option to undo it, since upstream has no such behaviour
// to reproduce: an Identity is read-only (unexported fields, handed out by
// value, read through methods that return strings and a bool), so a handler
// cannot change the role another request with the same cached token, or
// without a token, runs as; and an Authenticator and its keys print
// through fmt and log/slog with HMAC keys redacted (public keys by type,
// size or curve, and kid only).
//
// Users, passwords and logins, with the safe defaults of that side (bulk
// login, GET login, the hashing queue, password length), are package
// [github.com/pgjwt-go/pgjwt/auth].
package postgrest
