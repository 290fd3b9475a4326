package postgrest

import "errors"

// ErrShortSecret: a plain HMAC secret under 32 bytes, which NewAuthenticator
// refuses, as PostgREST (v13+) refuses to start with one. It counts the
// bytes of jwt-secret after any base64 decoding, as PostgREST does, whose
// own message ("The JWT secret must be at least 32 characters long.") says
// characters: sixteen two-byte characters are enough. An oct JWK needs 32
// bytes too (ErrInvalidJWK otherwise), where PostgREST sets JWKs no minimum.
// auth.NewService refuses a short signing secret with this same value
// (auth.ErrShortSecret), so errors.Is matches under either name.
var ErrShortSecret = errors.New("the JWT secret must be at least 32 bytes long")

// ErrInvalidJWK: a jwt-secret that looks like JSON (its first non-blank
// character is '{' or '[') but is no valid JWK or non-empty JWKS: invalid
// JSON, neither "keys" nor "kty", a key with a missing or malformed member,
// a curve name no registry knows. NewAuthenticator refuses it; PostgREST
// would use the text as a plain HMAC secret, and as a JWKS is public, anyone
// could then sign tokens. Instances say what is wrong (which key of the set,
// by index and kid, and which member), never key material.
// WithUnsafeJSONSecretAsHMAC restores PostgREST's fallback.
var ErrInvalidJWK = errors.New("the JWT secret looks like JSON but is not a usable JWK or JWKS")
