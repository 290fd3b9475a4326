package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"

	jose "github.com/go-jose/go-jose/v4"
	gjwt "github.com/golang-jwt/jwt/v5"

	"github.com/pgjwt-go/pgjwt/internal/redact"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// ErrSigningKey is wrapped by every refusal of a signing key: a malformed
// PEM or JWK, a key that does not fit its algorithm, a public key where a
// private one is needed, an unsupported algorithm.
var ErrSigningKey = errors.New("auth: invalid signing key")

// MinRSABits is the smallest RSA modulus a SigningKey takes.
const MinRSABits = 2048

// A SigningKey signs login tokens: an HMAC secret (HS256, HS384, HS512),
// whose tokens are pgjwt's, byte for byte those of SQL login(), with the
// header {"alg":…,"typ":"JWT"} and no kid; or a private key (ES256 on
// P-256, ES384 on P-384, EdDSA on Ed25519, RS256 with at least
// MinRSABits), whose tokens carry the header
// {"alg":…,"kid":…,"typ":"JWT"} so that verifiers holding a JWKS pick the
// right public key. Asymmetric keys always have a kid: the one given, else
// the RFC 7638 thumbprint of the public key.
//
// Private keys are read from PEM or JWK bytes or files (never from command
// lines, where other users of the machine see them). A SigningKey is
// immutable and safe for concurrent use; printing one shows its algorithm
// and kid, never key material.
type SigningKey struct {
	alg    string
	kid    string
	secret *string     // HMAC key bytes; nil for an asymmetric key
	signer *jwt.Signer // the HMAC keyed once with secret
	// priv is *ecdsa.PrivateKey, ed25519.PrivateKey or *rsa.PrivateKey
	// behind a pointer, so that fmt reaching it by reflection shows an
	// address, never key bytes (an ed25519.PrivateKey is a byte slice).
	priv   *crypto.Signer
	method gjwt.SigningMethod
	head   string // base64url header of asymmetric tokens
}

// asymmetricAlgs are the algorithms of private keys, with what they need.
var asymmetricAlgs = map[string]gjwt.SigningMethod{
	"ES256": gjwt.SigningMethodES256,
	"ES384": gjwt.SigningMethodES384,
	"EdDSA": gjwt.SigningMethodEdDSA,
	"RS256": gjwt.SigningMethodRS256,
}

// NewHMACSigningKey returns the key SQL login() signs with: secret is the
// value of app.jwt_secret in the database's bytes (for a UTF8 database, the
// text itself), at least 32 bytes (ErrShortSecret); alg is HS256 (the only
// one PostgREST takes with a plain secret), HS384 or HS512.
func NewHMACSigningKey(secret, alg string) (*SigningKey, error) {
	switch alg {
	case "HS256", "HS384", "HS512":
	default:
		return nil, fmt.Errorf("%w: HMAC algorithm %q: want HS256, HS384 or HS512", ErrSigningKey, alg)
	}
	if len(secret) < 32 {
		return nil, fmt.Errorf("%w: %w (got %d)", ErrSigningKey, ErrShortSecret, len(secret))
	}
	signer, err := jwt.NewSigner(secret, alg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigningKey, err) // a NUL byte
	}
	s := secret
	return &SigningKey{alg: alg, secret: &s, signer: signer}, nil
}

// NewSigningKey wraps a private key: *ecdsa.PrivateKey (P-256 for ES256,
// P-384 for ES384), ed25519.PrivateKey (EdDSA) or *rsa.PrivateKey (RS256,
// at least MinRSABits). alg "" picks the key's algorithm (RS256 for RSA);
// kid "" uses the key's RFC 7638 thumbprint.
func NewSigningKey(priv crypto.Signer, alg, kid string) (*SigningKey, error) {
	want, err := algOf(priv)
	if err != nil {
		return nil, err
	}
	if alg == "" {
		alg = want
	}
	method, ok := asymmetricAlgs[alg]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: algorithm %q: want ES256, ES384, EdDSA or RS256", ErrSigningKey, alg)
	case alg != want:
		return nil, fmt.Errorf("%w: a %s key cannot sign %s", ErrSigningKey, want, alg)
	}
	if kid == "" {
		pub := jose.JSONWebKey{Key: priv.Public()}
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSigningKey, err)
		}
		kid = base64.RawURLEncoding.EncodeToString(tp)
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{alg, kid, "JWT"})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSigningKey, err)
	}
	return &SigningKey{alg: alg, kid: kid, priv: &priv, method: method,
		head: base64.RawURLEncoding.EncodeToString(header)}, nil
}

// algOf names the algorithm of a private key, refusing the unusable ones.
func algOf(priv crypto.Signer) (string, error) {
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		}
		return "", fmt.Errorf("%w: EC curve %s: want P-256 (ES256) or P-384 (ES384)", ErrSigningKey, k.Curve.Params().Name)
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return "", fmt.Errorf("%w: Ed25519 key of %d bytes", ErrSigningKey, len(k))
		}
		return "EdDSA", nil
	case *rsa.PrivateKey:
		if k.N.BitLen() < MinRSABits {
			return "", fmt.Errorf("%w: RSA key of %d bits: want at least %d", ErrSigningKey, k.N.BitLen(), MinRSABits)
		}
		if err := k.Validate(); err != nil {
			return "", fmt.Errorf("%w: RSA key: %v", ErrSigningKey, err)
		}
		return "RS256", nil
	case nil:
		return "", fmt.Errorf("%w: nil key", ErrSigningKey)
	}
	return "", fmt.Errorf("%w: unsupported key type %T", ErrSigningKey, priv)
}

// GenerateSigningKey makes a new private key for alg (ES256, ES384, EdDSA;
// RS256 with MinRSABits bits); kid "" uses the thumbprint.
func GenerateSigningKey(alg, kid string) (*SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, MinRSABits)
	default:
		return nil, fmt.Errorf("%w: algorithm %q: want ES256, ES384, EdDSA or RS256", ErrSigningKey, alg)
	}
	if err != nil {
		return nil, err
	}
	return NewSigningKey(priv, alg, kid)
}

// ParseSigningKey reads a private key from a JWK (a JSON object with "kty"
// and the private members; its "alg" and "kid" are used when present, and
// an "alg" that does not fit the key is refused) or from PEM (PKCS #8
// "PRIVATE KEY", SEC 1 "EC PRIVATE KEY" or PKCS #1 "RSA PRIVATE KEY"; the
// algorithm follows from the key, the kid is the thumbprint). An oct JWK
// gives an HMAC key (its "alg" is required and must be HS256, HS384 or
// HS512; its tokens carry no kid, as SQL login()'s do). Error messages
// never quote key material.
func ParseSigningKey(data []byte) (*SigningKey, error) {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && t[0] == '{' {
		return parseSigningJWK(t)
	}
	block, rest := pem.Decode(t)
	if block == nil {
		return nil, fmt.Errorf("%w: neither a JWK (a JSON object) nor a PEM block", ErrSigningKey)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("%w: more than one PEM block", ErrSigningKey)
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, fmt.Errorf("%w: PEM block %q is public; signing needs the private key", ErrSigningKey, block.Type)
	default:
		return nil, fmt.Errorf("%w: PEM block %q: want PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY", ErrSigningKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: PEM %s: %v", ErrSigningKey, block.Type, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrSigningKey, key)
	}
	return NewSigningKey(signer, "", "")
}

// LoadSigningKey is ParseSigningKey on the contents of a file.
func LoadSigningKey(path string) (*SigningKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigningKey, err)
	}
	k, err := ParseSigningKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func parseSigningJWK(data []byte) (*SigningKey, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, fmt.Errorf("%w: JWK: not a JSON object", ErrSigningKey)
	}
	if _, isSet := members["keys"]; isSet {
		return nil, fmt.Errorf("%w: a JWKS, which holds public keys; signing needs one private JWK", ErrSigningKey)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		// go-jose's reasons name members and sizes, not their values.
		return nil, fmt.Errorf("%w: JWK: %v", ErrSigningKey, err)
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return nil, fmt.Errorf("%w: JWK has \"use\":%q; signing needs \"sig\"", ErrSigningKey, jwk.Use)
	}
	switch key := jwk.Key.(type) {
	case []byte:
		if jwk.Algorithm == "" {
			return nil, fmt.Errorf("%w: oct JWK without \"alg\" (HS256, HS384 or HS512)", ErrSigningKey)
		}
		return NewHMACSigningKey(string(key), jwk.Algorithm)
	case crypto.Signer:
		if _, private := members["d"]; !private {
			return nil, fmt.Errorf("%w: JWK is a public key; signing needs the private key (member \"d\")", ErrSigningKey)
		}
		return NewSigningKey(key, jwk.Algorithm, jwk.KeyID)
	}
	return nil, fmt.Errorf("%w: JWK is a public key; signing needs the private key (member \"d\")", ErrSigningKey)
}

// Alg is the JWS algorithm of the key's tokens.
func (k *SigningKey) Alg() string { return k.alg }

// Kid is the key ID in the key's token headers ("" for HMAC keys).
func (k *SigningKey) Kid() string { return k.kid }

// IsSymmetric reports an HMAC key, which is never published.
func (k *SigningKey) IsSymmetric() bool { return k.secret != nil }

// PublicJWK returns the public key as a JWK with kty, the key members,
// kid, alg and "use":"sig"; ok is false for an HMAC key, which has no
// public half.
func (k *SigningKey) PublicJWK() (jwk json.RawMessage, ok bool) {
	if k.priv == nil {
		return nil, false
	}
	b, err := jose.JSONWebKey{Key: (*k.priv).Public(), KeyID: k.kid, Algorithm: k.alg, Use: "sig"}.MarshalJSON()
	if err != nil {
		panic("auth: marshalling a checked public key: " + err.Error()) // every key was checked by NewSigningKey
	}
	return b, true
}

// PrivateJWK returns the private key as a JWK (with kid, alg and
// "use":"sig"), for writing to a file only readable by its owner. An HMAC
// key gives an oct JWK.
func (k *SigningKey) PrivateJWK() ([]byte, error) {
	var jwk jose.JSONWebKey
	if k.secret != nil {
		jwk = jose.JSONWebKey{Key: []byte(*k.secret), Algorithm: k.alg, Use: "sig"}
	} else {
		jwk = jose.JSONWebKey{Key: *k.priv, KeyID: k.kid, Algorithm: k.alg, Use: "sig"}
	}
	return jwk.MarshalJSON()
}

// Sign signs payload, the JSON text used verbatim. HMAC keys give pgjwt's
// sign(payload, secret, alg) exactly.
func (k *SigningKey) Sign(payload []byte) (string, error) {
	if k.signer != nil {
		return k.signer.Sign(payload)
	}
	buf := make([]byte, 0, len(k.head)+1+base64.RawURLEncoding.EncodedLen(len(payload))+1+700)
	buf = append(buf, k.head...)
	buf = append(buf, '.')
	buf = base64.RawURLEncoding.AppendEncode(buf, payload)
	sig, err := k.method.Sign(string(buf), *k.priv)
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = base64.RawURLEncoding.AppendEncode(buf, sig)
	return string(buf), nil
}

// String shows the algorithm and kid, never key material.
func (k *SigningKey) String() string {
	if k == nil {
		return "<nil>"
	}
	if k.secret != nil {
		return fmt.Sprintf("auth.SigningKey{alg: %s, secret: %s}", k.alg, redact.Bytes(len(*k.secret)))
	}
	return fmt.Sprintf("auth.SigningKey{alg: %s, kid: %q}", k.alg, k.kid)
}

// Format prints String for every verb.
func (k *SigningKey) Format(f fmt.State, verb rune) { redact.Write(f, verb, k.String()) }

// LogValue is String for slog.
func (k *SigningKey) LogValue() slog.Value { return slog.StringValue(k.String()) }
