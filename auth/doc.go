// Package auth brings PostgREST's "SQL User Management" to Go services,
// interoperable in both directions with the SQL and with PostgREST: users
// created in SQL log in through Go and the other way round, and Go issues
// the very tokens the SQL login() issues. Requests that carry those tokens
// are authenticated as PostgREST authenticates them by package
// [github.com/pgjwt-go/pgjwt/auth/postgrest], which also hands each request
// to the database for row-level security.
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
//     half away from zero; to even on PostgreSQL 13: WithServerMajor), HS256
//     with the same secret. Lifetime, extra
//     claims and algorithm are options.
//   - NewLoginHandler serves POST /rpc/login as PostgREST serves the SQL
//     login(): 200 {"token":"…"}, 403 with PostgREST's error body for wrong
//     credentials, PostgREST's codes for malformed bodies, content types and
//     methods ([postgrest.APIError] is the envelope; WithLoginVerbosity
//     takes its [postgrest.Verbosity]). GET with the password in the URL, and array bodies that log
//     in once per element, are refused unless WithLoginGET and
//     WithBulkLogin allow them.
//
// Safe use:
//
//   - Every failure carries a SQLSTATE and PostgreSQL's message (errors.Is
//     with ErrDuplicateEmail, ErrUnknownRole, ErrCheckViolation,
//     ErrInvalidPassword, …; the code through SQLState(), the message
//     through Error(), every field through errors.As with *Error). Wrong passwords and unknown emails give the same
//     ErrInvalidPassword after the same bcrypt work (an unknown email is
//     checked against a dummy hash of the same cost), so responses do not
//     reveal which emails exist.
//   - bcrypt is expensive on purpose. Service runs at most
//     WithHashConcurrency hashing operations at once (default the CPU
//     count); at most WithHashQueue more wait (default 1,000), giving up
//     when their context ends, and the rest fail at once with
//     ErrHashQueueFull (503 with Retry-After from the login handler), so a
//     burst of logins cannot exhaust the machine. Limit guessing too, with
//     the login handler's throttling (see "Accounts and throttling").
//   - Keep app.jwt_secret at 32 bytes or more (NewService refuses less with
//     ErrShortSecret, as PostgREST and [postgrest.NewAuthenticator] do) and
//     out of source code: ALTER
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
// # Hash cost, rehashing and migrated hashes
//
// New hashes are bcrypt of cost 6, the seed trigger's gen_salt('bf'), in SQL
// and in Go alike. To raise the cost, raise it where hashes are made (the
// trigger, through InstallSchema's WithTriggerHashPolicy or the SQL shown at
// HashPolicy; MemStore.SetHashPolicy) and give the Service the same policy
// (WithHashPolicy, WithHashCost). The Service then rehashes, after a right
// password, every stored hash below the policy: lower bcrypt costs, and
// md5-crypt, DES, extended-DES, sha-crypt hashes migrated from elsewhere. It
// does so in the same call, through the store's trigger, with a
// compare-and-swap on the old hash (Rehasher) so that a concurrent password
// change wins. Hashes from other systems go through crypt.ImportHash first:
// it rewrites bcrypt "$2b$"/"$2y$" to the "$2a$" pgcrypto knows, and refuses
// formats crypt() can never check (argon2, scrypt, yescrypt, PBKDF2, …).
//
// # Requests that carry the token
//
// The token Service.Login returns is checked on later requests by
// [github.com/pgjwt-go/pgjwt/auth/postgrest], configured with the same
// secret; put the login handler behind it too, so that a stale token sent
// along with a login fails as in PostgREST:
//
//	mw, err := postgrest.NewMiddleware(postgrest.WithJWTSecret(secret), postgrest.WithAnonRole("web_anon"))
//	…
//	http.Handle("/rpc/login", mw(auth.NewLoginHandler(svc)))
//	http.Handle("/todos", mw(todos)) // postgrest.IdentityFrom, postgrest.SetRequestContext
//
// # Logging and metrics
//
// A Service is silent unless given a logger: WithLogger(slog.Default())
// logs each login (success at Info with the email and role; invalid
// credentials at Info without the email and without saying whether the
// user is unknown or the password wrong; other errors at Warn) and, at
// most once a second, a full hashing queue; the login handler logs through
// its Service. No record holds a password, hash, secret or token.
// Service.Stats returns counters (logins by outcome, hashing operations,
// waits, refusals, wait and hash time) and gauges (queue depth, slots in
// use) for any metrics system; examples/login serves them to Prometheus.
//
// # Accounts and throttling
//
// InstallSchema(…, WithUserRole("webuser")) adds signup(email, pass) and
// change_password(pass, new_pass) to the exposed schema, as PostgREST users
// write them: signup() for the anonymous role, giving every new user the
// configured role; change_password() for that role, changing the password
// of the token's email claim after checking the current one. The handlers
// NewSignupHandler and NewChangePasswordHandler answer exactly as PostgREST
// answers for those functions (204 on success; 409 23505 for a taken
// email; 403 28P01 for a wrong current password; 401 42501 without a
// token), so clients see one API whether Go or the database serves it:
//
//	http.Handle("/rpc/signup", mw(auth.NewSignupHandler(svc, "webuser")))
//	http.Handle("/rpc/change_password", mw(auth.NewChangePasswordHandler(svc, "webuser")))
//
// Login throttling is off by default. WithAccountThrottle and
// WithAddressThrottle spend one attempt of the email and of the client
// address (r.RemoteAddr; X-Forwarded-For only with WithForwardedFor) per
// login, before any hashing, and answer 429 {"code":"PT429",…} with
// Retry-After beyond a Limit (a token bucket: Burst at once, one more
// every Every). NewMemThrottle keeps the buckets of one process, at most a
// given number of keys; NewPGThrottle keeps them in a table
// (InstallThrottleSchema) that all replicas on one database share, with
// one statement per attempt:
//
//	acct, _ := auth.NewPGThrottle(pool, "login-account", auth.Limit{Every: time.Minute, Burst: 10})
//	addr, _ := auth.NewPGThrottle(pool, "login-address", auth.Limit{Every: 2 * time.Second, Burst: 30})
//	auth.NewLoginHandler(svc, auth.WithAccountThrottle(acct), auth.WithAddressThrottle(addr))
//
// # Signing keys, rotation, and asymmetric tokens
//
// By default the Service signs with the secret, HS256, as SQL login() does.
// WithSigningKeys makes it sign with the current key of a KeySet instead:
// an HMAC key (NewHMACSigningKey: the same pgjwt tokens, byte for byte) or
// a private key, ES256, ES384, EdDSA (Ed25519) or RS256 (2048 bits or
// more), read from a JWK or PEM file or bytes (LoadSigningKey,
// ParseSigningKey; never from a command line) or made by GenerateSigningKey
// or "pgjwt keygen". Asymmetric tokens carry the key's kid in their header
// ({"alg":…,"kid":…,"typ":"JWT"}), so verifiers pick its public key from a
// JWKS. Asymmetric signatures use golang-jwt's signing methods (the library
// the verifying side already uses) over header and payload texts built here,
// so the payload is row_to_json's text exactly, as for HMAC tokens.
//
// A KeySet is one current key and retired keys whose tokens still verify;
// Rotate, Add, Remove and Set swap the whole set atomically (readers take
// no lock), so keys change without a restart. JWKSHandler serves the public
// keys at JWKSPath (GET /.well-known/jwks.json) with kid, alg and
// "use":"sig", a Cache-Control max-age and an ETag; HMAC and private keys
// are never in it. The document is a valid PostgREST jwt-secret as it is.
// KeySet.JWTSecret is the set with its HMAC keys too, for a verifier that
// must also accept HMAC tokens (keep it as secret as app.jwt_secret).
//
// Rotating without refusing anyone: Add the next key (it is published at
// once), wait at least the JWKS max-age (and until PostgREST re-read its
// jwt-secret), Rotate to it, and Remove the old key once the last token it
// signed expired (the token lifetime after Rotate).
//
// Moving from SQL login() HS256 tokens to asymmetric Go tokens, with no
// downtime:
//
//  1. Make a key: pgjwt keygen --alg ES256 --out login (login.jwk is
//     private, mode 0600; login.jwks.json is its public JWKS).
//  2. Let verifiers accept both: give PostgREST (and the Go middleware) as
//     jwt-secret a JWKS file holding the HS256 secret as an oct key
//     without kid and the public key, which is what
//     KeySet.JWTSecret returns for NewKeySet(esKey, hmacKey); reload
//     PostgREST. SQL tokens (no kid) match the oct key, Go tokens (kid)
//     the public key.
//  3. Sign in Go with the new key: NewService(store, "",
//     WithSigningKeys(ks)) with ks = NewKeySet(esKey, hmacKey). Logins now
//     get ES256 tokens; HS256 tokens already issued stay valid.
//  4. Stop issuing HS256 tokens: route logins to the Go handler and drop
//     or revoke the SQL login() (REVOKE EXECUTE … FROM anon).
//  5. After the token lifetime (default one hour), remove the HMAC key:
//     ks.Remove(""), and give PostgREST the public JWKS alone (the file
//     from step 1, or what JWKSHandler serves). Rotate app.jwt_secret so the
//     old secret signs nothing PostgREST accepts.
//
// # Security: safe defaults, and the options that restore upstream
//
// Where PostgREST, pgjwt or the seed's SQL behave unsafely, this package's
// default is safe, and an option with a plain name restores the exact
// upstream behaviour for those who must reproduce it (the request side's,
// for a jwt-secret that looks like JSON, is in
// [github.com/pgjwt-go/pgjwt/auth/postgrest]):
//
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
// and Service, the login handler, MemStore, PGStore and User print through
// fmt and log/slog with the secret and hashes redacted.
package auth
