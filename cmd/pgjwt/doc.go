// Command pgjwt issues and checks, from a shell and without a database, the
// same password hashes and JWTs that PostgreSQL issues with pgcrypto's
// crypt()/gen_salt() and pgjwt's sign()/verify(), byte for byte. Typical
// uses: mint a token to curl a PostgREST API, inspect a token, or hash a
// password to insert into a users table.
//
// Usage:
//
//	pgjwt [--pg MAJOR] COMMAND [flags] [arguments]
//
// The commands:
//
//	sign      sign a JWT as sign(payload, secret, alg) does
//	verify    decode and check a JWT as verify(token, secret, alg) does, or
//	          with --jwks FILE|URL as PostgREST does with that jwt-secret
//	keygen    generate an ES256, ES384, EdDSA or RS256 key: PREFIX.jwk
//	          (private, mode 0600) and PREFIX.jwks.json (public JWKS);
//	          "sign --key PREFIX.jwk" signs with it
//	crypt     hash a password as crypt(password, setting) does, or check one
//	gen-salt  print a new salt as gen_salt(type [, rounds]) does
//	help      show help for a command ("pgjwt COMMAND --help" too)
//
// --pg selects the PostgreSQL major (13–18, default 18) whose behaviour to
// follow. It matters for crypt and gen-salt, where PostgreSQL 18 added
// sha256crypt/sha512crypt ("$5$"/"$6$") that earlier majors hash as DES,
// for sign's --exp on 13, whose extract() rounds half seconds to even, and
// for verify's message on an invalid base64 symbol, worded differently on 13.
// Every command also accepts --pg after its name.
//
// # Database encoding
//
// pgcrypto hashes the bytes of text in the database encoding, so a password
// or secret with non-ASCII characters gives other hashes and signatures in a
// LATIN1 database than in a UTF8 one. By default pgjwt uses the bytes it is
// given as they are, which is a UTF8 database for UTF-8 input. crypt and sign
// take --encoding LATIN1 (or UTF8) to treat their input as UTF-8 text sent to
// such a database: it is converted as PostgreSQL converts it, with the same
// errors for text the database cannot hold. verify has no --encoding: to check
// a token signed in a LATIN1 database, give the secret's LATIN1 bytes in
// --secret-file.
//
// # Secrets
//
// sign and verify take the HMAC secret from the file named by --secret-file
// (one trailing newline dropped) or from the PGJWT_SECRET environment
// variable. A --secret flag exists for throwaway use, but it prints a warning:
// a command line is visible to every local user in ps and is kept in shell
// history. pgjwt never prints the secret. An empty secret is refused, and sign
// warns when the secret is shorter than the 32 bytes PostgREST requires of a
// jwt-secret (the token is still the one pgjwt would make). Both warn when
// the secret looks like a JWK or JWKS (it starts with '{' or '['): pgjwt, as
// SQL, uses its text as a plain HMAC key, so a public JWKS would let anyone
// sign.
//
// Passwords for crypt come from stdin or, when stdin is a terminal, from a
// prompt that does not echo (asked twice when a new hash is made), never from
// the command line.
//
// # Minting a token for PostgREST
//
// The claim flags of sign build the payload exactly as PostgREST's SQL login()
// recipe does, sign(row_to_json(r), secret) over (role, email,
// extract(epoch from now())::integer + 3600 as exp), so the token is the one
// the database would have returned at that second:
//
//	export PGJWT_SECRET=reallyreallyreallyreallyverysafe
//	TOKEN=$(pgjwt sign --role web_user --email alice@example.com --exp 1h)
//	curl -H "Authorization: Bearer $TOKEN" http://localhost:3000/todos
//
// --claim KEY=VALUE (a string) and --claim-json KEY=JSON (verbatim) add
// claims after those three, in command-line order, as further columns of the
// row would.
//
// A payload can also be given verbatim, as an argument or on stdin; like
// PostgreSQL's json type, its text is signed exactly as written:
//
//	pgjwt sign '{"role":"web_anon"}'
//	pgjwt sign --alg HS512 < claims.json
//
// --now fixes the clock (RFC 3339 or unix seconds) for reproducible tokens.
//
// # Checking a token
//
//	pgjwt verify "$TOKEN"
//
// prints {"header":…,"payload":…,"valid":…} with the decoded parts verbatim
// and pgjwt 0.2.0's three-valued verdict (signature and [nbf, exp) window;
// null when the token has no signature part). The exit status is 0 when
// valid, 1 when invalid or null, 2 on an error, so scripts can branch on it.
// --at checks the time window at another instant.
//
// # Passwords
//
//	pgjwt crypt --type bf --rounds 10            # prompts, prints $2a$10$…
//	pgjwt crypt --check "$HASH" < password.txt   # exit 0 if it matches
//	pgjwt gen-salt md5
//
// # Errors
//
// Where PostgreSQL would raise an error, pgjwt prints PostgreSQL's message and
// SQLSTATE and exits with status 2, for example:
//
//	pgjwt: invalid salt (SQLSTATE 22023)
//
// PostgreSQL's NOTICEs (PostgreSQL 18 clamping sha-crypt rounds) and pgjwt's
// own warnings go to stderr and do not change the exit status.
package main
