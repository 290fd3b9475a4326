package jwt

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"time"
	"unsafe"

	"github.com/pgjwt-go/pgjwt/internal/redact"
)

// Signer is Sign and Verify for one secret and algorithm, with the HMAC
// keyed once, when the Signer is made: a program that signs or verifies
// many tokens with one secret (a login service, a request middleware)
// saves the per-call lookup of the keyed HMAC that Sign and Verify do.
// Results and errors are exactly those of Sign and VerifyAt with the
// Signer's secret and algorithm. A Signer is safe for concurrent use;
// printing it shows the algorithm and the secret's length, never the
// secret.
type Signer struct {
	alg  algorithm
	macs *keyedMACs
}

// NewSigner returns a Signer for secret and algorithm (HS256, HS384 or
// HS512 exactly, as Sign takes them). It fails with the errors Sign would
// give for them: ErrUnknownAlgorithm, or ErrInvalidEncoding for a secret
// holding NUL (which PostgreSQL text cannot hold). secret is used as raw
// bytes, as for Sign; an empty secret is allowed (as in pgjwt), but never
// safe.
func NewSigner(secret, algorithm string) (*Signer, error) {
	if err := checkNoNUL(secret); err != nil {
		return nil, err
	}
	alg := algorithmOf(algorithm)
	if alg == algUnknown {
		return nil, ErrUnknownAlgorithm
	}
	return &Signer{alg: alg, macs: newKeyedMACs(cacheKey{alg, secret})}, nil
}

// Algorithm returns the Signer's algorithm name.
func (s *Signer) Algorithm() string { return s.alg.String() }

// Sign is Sign(payload, secret, algorithm) with the Signer's secret and
// algorithm.
func (s *Signer) Sign(payload json.RawMessage) (string, error) {
	if err := checkPayload(payload, ""); err != nil {
		return "", err
	}
	return signValid(payload, s.alg, s.macs), nil
}

// Verify is Verify(token, secret, algorithm) with the Signer's secret and
// algorithm, at the current time.
func (s *Signer) Verify(token string) (Result, error) { return s.VerifyAt(token, time.Now()) }

// VerifyAt is VerifyAt(token, secret, algorithm, now) with the Signer's
// secret and algorithm.
func (s *Signer) VerifyAt(token string, now time.Time) (Result, error) {
	if err := checkText(token); err != nil {
		return Result{}, err
	}
	return latest.verifyToken(token, s.alg, s.macs, "", now)
}

// String describes the Signer without its secret.
func (s *Signer) String() string {
	if s == nil {
		return "<nil>"
	}
	return "jwt.Signer" + s.macs.key.String()
}

// Format prints String for every verb: the secret never shows.
func (s *Signer) Format(f fmt.State, verb rune) { redact.Write(f, verb, s.String()) }

// constantTimeEqual compares a computed signature with the token's.
func constantTimeEqual(want []byte, got string) bool {
	return len(got) == len(want) && subtle.ConstantTimeCompare(want, unsafe.Slice(unsafe.StringData(got), len(got))) == 1
}
