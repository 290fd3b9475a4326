package jwt

import (
	"encoding/json"
	"unsafe"
)

// The base64url texts of headerJSON, as constants so that Verify can
// recognise them with a switch (TestHeaderConstants checks them).
const (
	hs256HeaderB64 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
	hs384HeaderB64 = "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9"
	hs512HeaderB64 = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9"
)

// headerJSON are the only headers pgjwt can sign with:
// {"alg":"<name>","typ":"JWT"}, written literally (no spaces, alg before
// typ); headerB64 their base64url texts.
var (
	headerJSON = [...]string{
		algHS256: `{"alg":"HS256","typ":"JWT"}`,
		algHS384: `{"alg":"HS384","typ":"JWT"}`,
		algHS512: `{"alg":"HS512","typ":"JWT"}`,
	}
	headerB64 = [...]string{algHS256: hs256HeaderB64, algHS384: hs384HeaderB64, algHS512: hs512HeaderB64}
)

// Sign is pgjwt's sign(payload json, secret text, algorithm text): the token
// header.payload.signature where header is {"alg":"<algorithm>","typ":"JWT"},
// payload is the payload text VERBATIM (whitespace, key order, duplicate keys
// and number spelling are kept, as PostgreSQL's json type keeps them) and the
// signature is the HMAC of "header.payload" in base64url.
//
// payload must be JSON as PostgreSQL's json input accepts it (any JSON value,
// not only objects), else the error is the 22P02 PostgreSQL raises when the
// text is cast to json (Detail says why). algorithm must be HS256, HS384 or
// HS512 exactly; anything else is ErrUnknownAlgorithm, as in pgjwt.
//
// secret is used as raw bytes, as pgcrypto uses the bytes of the text in the
// database encoding: a UTF-8 string matches a UTF8 database; for a LATIN1
// database pass the LATIN1 bytes. An empty secret is allowed (as in pgjwt),
// but never safe.
func Sign(payload json.RawMessage, secret, algorithm string) (string, error) {
	// The order of PostgreSQL's checks: the arguments' text input, then
	// the cast to json, then sign() itself.
	if err := checkPayload(payload, secret); err != nil {
		return "", err
	}
	alg := algorithmOf(algorithm)
	if alg == algUnknown {
		return "", ErrUnknownAlgorithm
	}
	return signValid(payload, alg, macs.get(alg, secret)), nil
}

// checkPayload is Sign's check of its text arguments in PostgreSQL's order:
// the payload's and the secret's text input (the secret is "" for a
// Signer, checked when it was made), then the payload's cast to json. The
// fast scan answers the UTF-8 and json checks at once for a plain ASCII
// payload.
func checkPayload(payload []byte, secret string) error {
	_, ascii, plain := scanPlain(payload)
	if !plain || !ascii {
		if err := checkBytes(payload); err != nil {
			return err
		}
	}
	if err := checkNoNUL(secret); err != nil {
		return err
	}
	if !plain {
		return validateJSON(payload)
	}
	return nil
}

// signValid builds the token in one allocation: the signing input is
// written into the buffer that then receives the signature, by keyed.
func signValid(payload []byte, alg algorithm, keyed *keyedMACs) string {
	head := headerB64[alg]
	size := len(head) + 1 + encodedLen(len(payload)) + 1 + alg.macLen()
	buf := make([]byte, 0, size)
	buf = append(buf, head...)
	buf = append(buf, '.')
	buf = appendURLEncode(buf, payload)
	input := buf
	buf = append(buf, '.')
	buf = keyed.appendMAC(buf, input)
	// buf is never written again: share its bytes instead of copying them.
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// AlgorithmSign is pgjwt's algorithm_sign(signables, secret, algorithm): the
// unpadded base64url HMAC of signables under secret, with SHA-256, SHA-384 or
// SHA-512 for HS256, HS384, HS512. Any other algorithm name is
// ErrUnknownAlgorithm. Both strings are used as raw bytes (the bytes of the
// text in the database encoding); PostgreSQL text cannot hold NUL, so a NUL
// byte is an ErrInvalidEncoding.
func AlgorithmSign(signables, secret, algorithm string) (string, error) {
	if err := checkNoNUL(signables); err != nil {
		return "", err
	}
	if err := checkNoNUL(secret); err != nil {
		return "", err
	}
	alg := algorithmOf(algorithm)
	if alg == algUnknown {
		return "", ErrUnknownAlgorithm
	}
	buf := appendMAC(make([]byte, 0, alg.macLen()), []byte(signables), secret, alg)
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}
