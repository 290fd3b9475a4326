package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"
)

// envSecret names the environment variable that holds the HMAC secret.
const envSecret = "PGJWT_SECRET"

// maxSecretFile bounds what --secret-file reads: a secret is short, and a
// mistyped path to a large file should fail rather than hash megabytes.
const maxSecretFile = 64 << 10

// secretSource is where sign and verify take the HMAC secret from: the
// file named by --secret-file, else $PGJWT_SECRET. --secret on the command
// line is accepted for throwaway use but warned about, since argv is visible
// to every user in ps and lands in shell history.
type secretSource struct {
	file   string
	inline *string
}

func (s *secretSource) register(fs *flag.FlagSet) {
	fs.StringVar(&s.file, "secret-file", "", "read the HMAC secret from `file` (one trailing newline is dropped)")
	fs.Func("secret", "the HMAC `secret` itself; discouraged: argv shows in ps and shell history (use --secret-file or $"+envSecret+")",
		func(v string) error { s.inline = &v; return nil })
}

// load returns the secret. It never prints it.
func (s *secretSource) load(e *env, cmd *command) (string, error) {
	var secret string
	switch {
	case s.inline != nil && s.file != "":
		return "", &usageError{cmd: cmd, msg: "--secret and --secret-file exclude each other"}
	case s.inline != nil:
		fmt.Fprintf(e.stderr, "pgjwt: warning: --secret exposes the secret in the process list and shell history; use --secret-file or $%s\n", envSecret)
		secret = *s.inline
	case s.file != "":
		var err error
		if secret, err = readSecretFile(s.file); err != nil {
			return "", err
		}
	default:
		v, ok := e.lookupEnv(envSecret)
		if !ok {
			return "", fmt.Errorf("no secret: set $%s or pass --secret-file FILE", envSecret)
		}
		secret = v
	}
	if secret == "" {
		// pgjwt would sign with an empty HMAC key; a CLI reaching that is
		// almost surely an unset variable or an empty file, so refuse.
		return "", errors.New("the secret is empty")
	}
	if postgrest.LooksLikeJWK(secret) {
		// pgjwt knows no JWKs: it keys the HMAC with this text, as SQL
		// verify() would. Someone who took it for PostgREST's jwt-secret
		// would accept tokens signed with a public JWKS's text.
		fmt.Fprintln(e.stderr, "pgjwt: warning: the secret looks like a JWK or JWKS; pgjwt uses its text as a plain HMAC key, so whoever has seen it (a JWKS is public) can sign tokens")
	}
	return secret, nil
}

func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("secret file %s is larger than %d bytes", path, maxSecretFile)
	}
	return trimNewline(string(b)), nil
}

// trimNewline drops one trailing "\n" or "\r\n": the line end that echo and
// editors add to a file or pipe. Anything else, other whitespace included,
// is kept, because it is part of the bytes PostgreSQL would see.
func trimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		return strings.TrimSuffix(t, "\r")
	}
	return s
}
