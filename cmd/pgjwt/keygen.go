package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/pgjwt-go/pgjwt/auth"
)

var keygenCommand = &command{
	name:     "keygen",
	synopsis: "--alg ES256|ES384|EdDSA|RS256 [--kid KID] --out PREFIX",
	summary:  "generate an asymmetric signing key (private JWK and public JWKS)",
	run:      runKeygen,
}

func init() {
	commandDoc["keygen"] = `Generates a private key for signing login tokens and writes two files:

  PREFIX.jwk        the private key as a JWK (mode 0600): for "pgjwt sign --key",
                    auth.LoadSigningKey, examples/login -key
  PREFIX.jwks.json  a JWKS with the public key alone: PostgREST's jwt-secret
                    ("@PREFIX.jwks.json"), or any verifier

Both carry "alg" and the same "kid" (--kid, else the key's RFC 7638
thumbprint); the public key carries "use":"sig". RS256 keys have 2048 bits.
Existing files are never overwritten; an unknown --alg writes nothing.

Examples:
  pgjwt keygen --alg ES256 --out /etc/myapp/login
  pgjwt keygen --alg EdDSA --kid 2026-12 --out k`
}

func runKeygen(e *env, g *globals, cmd *command, args []string) error {
	var major int
	var alg, kid, out string
	fs := newFlagSet(cmd, g, &major)
	fs.StringVar(&alg, "alg", "", "the `algorithm`: ES256, ES384, EdDSA or RS256")
	fs.StringVar(&kid, "kid", "", "the key `id` (default: the key's thumbprint)")
	fs.StringVar(&out, "out", "", "write `PREFIX`.jwk and PREFIX.jwks.json")
	rest, err := parse(e, cmd, fs, args)
	if err != nil {
		return err
	}
	switch alg {
	case "ES256", "ES384", "EdDSA", "RS256":
	case "":
		return &usageError{cmd: cmd, msg: "--alg is required (ES256, ES384, EdDSA or RS256)"}
	default:
		return &usageError{cmd: cmd, msg: fmt.Sprintf("unknown --alg %q: want ES256, ES384, EdDSA or RS256", alg)}
	}
	switch {
	case len(rest) > 0:
		return &usageError{cmd: cmd, msg: "takes no arguments"}
	case out == "":
		return &usageError{cmd: cmd, msg: "--out PREFIX is required"}
	}
	k, err := auth.GenerateSigningKey(alg, kid)
	if err != nil {
		return err
	}
	priv, err := k.PrivateJWK()
	if err != nil {
		return err
	}
	ks, err := auth.NewKeySet(k)
	if err != nil {
		return err
	}
	privPath, pubPath := out+".jwk", out+".jwks.json"
	if err := writeNew(privPath, append(priv, '\n'), 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, append(ks.PublicJWKS(), '\n'), 0o644); err != nil {
		_ = os.Remove(privPath) // all or nothing
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", k.Kid())
	return err
}

// writeNew creates path with data and mode, refusing an existing file;
// a failed write leaves no file behind.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; not overwriting it", path)
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, mode) // the umask may have narrowed or not
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}
