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
//     methods.
//
// Safe use:
//
//   - Every failure carries a SQLSTATE and PostgreSQL's message (errors.Is
//     with ErrDuplicateEmail, ErrUnknownRole, ErrCheckViolation,
//     ErrInvalidPassword, …; pgtest.ErrorOf-style code and message through
//     SQLState()). Wrong passwords and unknown emails give the same
//     ErrInvalidPassword after the same bcrypt work (an unknown email is
//     checked against a dummy hash of the same cost), so responses do not
//     reveal which emails exist.
//   - bcrypt is expensive on purpose. Service runs at most
//     WithHashConcurrency hashing operations at once (default the CPU
//     count); the rest wait, and give up when their context ends, so a burst
//     of logins cannot exhaust the machine. Put a rate limit in front of the
//     login handler all the same.
//   - Keep app.jwt_secret at 32 bytes or more (NewService refuses less, as
//     PostgREST does) and out of source code: ALTER DATABASE … SET
//     "app.jwt_secret" TO '…', and PGStore.Secret to read it.
//   - Text is checked and converted as PostgreSQL would: NUL bytes and
//     invalid UTF-8 fail with 22021; in a LATIN1 database passwords and the
//     secret are hashed in LATIN1 bytes, as crypt() and hmac() there see them.
//   - Behaviour kept bug-compatible with the SQL, on purpose: the password
//     length check applies to the hash (so any password length is accepted,
//     and bcrypt reads only its first 72 bytes); a role longer than 63 bytes
//     is cut to 63 (it is of type name); setting a password to the stored
//     hash keeps the old password.
//
// # Request authentication
//
// (The PostgREST-compatible middleware: see Authenticator, NewMiddleware,
// APIError and FromDBError.)
package auth
