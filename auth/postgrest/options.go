package postgrest

import (
	"log/slog"
	"time"
)

// Option configures an Authenticator. The names mirror PostgREST's
// configuration keys (WithJWTSecret is jwt-secret, WithAnonRole
// db-anon-role, …); WithClock and WithUnsafeJSONSecretAsHMAC are this
// package's own.
type Option func(*config)

type config struct {
	secret       string
	secretBase64 bool
	jsonAsHMAC   bool
	aud          string
	roleKey      string
	anonRole     string
	cacheMax     int
	now          func() time.Time
	verbosity    Verbosity
	logger       *slog.Logger
	serverTiming bool
	remote       *remoteConfig
}

// WithJWTSecret sets jwt-secret: a plain secret of at least 32 bytes
// (ErrShortSecret; HS256 only), a JWK, or a JWKS ({"keys":[...]}); "@path"
// reads it from a file (one trailing newline removed). Unset or "":
// requests carrying a token get PGRST300 (500), requests without one still
// pass. A secret whose first non-blank character is '{' or '[' must be a
// valid JWK or a non-empty JWKS (else ErrInvalidJWK), where PostgREST would
// quietly use such text as an HMAC secret; see WithUnsafeJSONSecretAsHMAC.
// An oct JWK needs 32 bytes too, where PostgREST sets JWKs no minimum.
// Valid keys this package cannot verify with (say Ed448, "use":"enc") are
// kept and never match, as in PostgREST; an OKP (Ed25519) key verifies
// whatever its "use", as jose-jwt keeps no use for OKP keys.
func WithJWTSecret(secret string) Option {
	return func(c *config) { c.secret = secret }
}

// WithJWTSecretIsBase64 sets jwt-secret-is-base64: the secret is base64
// (URL-safe characters allowed, padding required) and decoded before use.
func WithJWTSecretIsBase64(on bool) Option {
	return func(c *config) { c.secretBase64 = on }
}

// WithUnsafeJSONSecretAsHMAC(true) restores PostgREST's reading of a
// jwt-secret that looks like JSON but is no valid JWK or JWKS (a key missing
// a member or with bad base64, a typo such as "KEYS" or "P256", any other
// text starting with '{' or '['): the text itself silently becomes a plain
// HMAC secret (if at least 32 bytes). It also accepts an empty JWKS
// {"keys":[]}, which then refuses every token, and oct JWKs shorter than 32
// bytes (even "k":"", an empty key), as PostgREST does.
//
// Unsafe: a JWKS is public (identity providers serve it to anyone), so when
// one key of it is malformed, anyone who has seen the document can sign
// HS256 tokens with its text and choose any role. Use it only to reproduce
// PostgREST exactly, with a secret you know to be a plain secret.
func WithUnsafeJSONSecretAsHMAC(on bool) Option {
	return func(c *config) { c.jsonAsHMAC = on }
}

// WithJWTAud sets jwt-aud: tokens with an aud claim must name it (a value
// containing ':' must be a valid URI). "" means unset.
func WithJWTAud(aud string) Option {
	return func(c *config) { c.aud = aud }
}

// WithJWTRoleClaimKey sets jwt-role-claim-key. The default is "$.role". A
// value starting with "$" is an RFC 9535 JSONPath (PostgREST v16); anything
// else is read in the older DSL of PostgREST v13/v14 (".role",
// `."https://x".role`, ".roles[0]", `.roles[?(@ ^== "app_")]`), which v16.2
// still accepts as deprecated (v16.0/v16.1 refused it). Note that in
// PostgREST's config *file* "$" is written "$$"; here it is written once.
func WithJWTRoleClaimKey(key string) Option {
	return func(c *config) { c.roleKey = key }
}

// WithAnonRole sets db-anon-role, the role of requests without a token and
// of tokens whose role claim is missing. "" means unset: such requests get
// PGRST302 "Anonymous access is disabled".
func WithAnonRole(role string) Option {
	return func(c *config) { c.anonRole = role }
}

// WithJWTCacheMaxEntries sets jwt-cache-max-entries (default 1000; 0 or less
// disables the cache).
func WithJWTCacheMaxEntries(n int) Option {
	return func(c *config) { c.cacheMax = n }
}

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithClientErrorVerbosity sets client-error-verbosity (PostgREST v16):
// Minimal drops details and hint from error bodies.
func WithClientErrorVerbosity(v Verbosity) Option {
	return func(c *config) { c.verbosity = v }
}
