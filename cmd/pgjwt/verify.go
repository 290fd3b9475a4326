package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pgjwt-go/pgjwt/auth/postgrest"

	"github.com/pgjwt-go/pgjwt/jwt"
)

var verifyCommand = &command{
	name:     "verify",
	synopsis: "[--alg ALG | --jwks FILE|URL] [--at TIME] [TOKEN]",
	summary:  "check a JWT as pgjwt's verify() does",
	run:      runVerify,
}

func init() {
	commandDoc["verify"] = `Prints what pgjwt's verify(token, secret, alg) returns, as one JSON object:

  {"header":HEADER,"payload":PAYLOAD,"valid":true|false|null}

HEADER and PAYLOAD are the decoded JSON texts exactly as they appear in the
token (null where the token has no such part). valid is pgjwt 0.2.0's verdict:
the signature matches (the header's alg is ignored; --alg decides) and the
instant lies in the token's [nbf, exp) window. It is null, as in SQL, when the
token has no signature part.

The token is the TOKEN argument or stdin (one trailing newline dropped); the
secret comes from --secret-file or $PGJWT_SECRET. --at checks the window at
another instant than now (PostgreSQL uses the transaction's start time).

Exit status: 0 valid, 1 invalid or null, 2 error (a token that pgjwt cannot
decode raises PostgreSQL's error).

--jwks FILE|URL checks the token as PostgREST does with that JWKS as its
jwt-secret instead (key choice by kid, alg and key type, the signature, exp,
nbf and iat with PostgREST's 30 s skew), fetching an http(s) URL first. It
prints {"role":…,"claims":…} when PostgREST would accept the token (exit 0),
else PostgREST's error body, e.g. {"code":"PGRST301",…,"message":"No suitable
key or wrong key type"} (exit 1); a JWKS that cannot be read or fetched is an
error (exit 2).

Examples:
  pgjwt verify "$TOKEN"
  pgjwt verify --at 2030-01-01T00:00:00Z < token.txt
  pgjwt verify --jwks login.jwks.json "$TOKEN"
  pgjwt verify --jwks https://PROJECT.supabase.co/auth/v1/.well-known/jwks.json "$TOKEN"`
}

func runVerify(e *env, g *globals, cmd *command, args []string) error {
	var (
		major        int
		alg          string
		at           instantFlag
		secretSource secretSource
		jwks         string
	)
	fs := newFlagSet(cmd, g, &major)
	fs.StringVar(&jwks, "jwks", "", "check as PostgREST would with this JWKS `file or URL` as jwt-secret")
	fs.StringVar(&alg, "alg", "HS256", "the `algorithm`: HS256 (the default), HS384 or HS512 (exact spelling, as pgjwt matches it)")
	fs.Var(&at, "at", "check exp/nbf at this `time` (RFC 3339 or unix seconds) instead of now")
	secretSource.register(fs)
	rest, err := parse(e, cmd, fs, args)
	if err != nil {
		return err
	}
	var token string
	switch {
	case len(rest) > 1:
		return &usageError{cmd: cmd, msg: "expects at most one TOKEN"}
	case len(rest) == 1:
		token = rest[0]
	case stdinIsTerminal(e):
		return &usageError{cmd: cmd, msg: "no token: give it as an argument or on stdin"}
	default:
		if token, err = readStdin(e, "token"); err != nil {
			return err
		}
	}
	if jwks != "" {
		if conflict := conflictingFlag(fs, "alg", "secret", "secret-file"); conflict != "" {
			return &usageError{cmd: cmd, msg: "--jwks excludes --" + conflict}
		}
		return verifyJWKS(e, jwks, token, at.or(e.now))
	}
	secret, err := secretSource.load(e, cmd)
	if err != nil {
		return err
	}
	res, err := jwt.ForVersion(major).VerifyAt(token, secret, alg, at.or(e.now))
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString(`{"header":`)
	writeJSONOrNull(&out, res.Header)
	out.WriteString(`,"payload":`)
	writeJSONOrNull(&out, res.Payload)
	out.WriteString(`,"valid":`)
	switch res.Valid {
	case jwt.Valid:
		out.WriteString("true")
	case jwt.Invalid:
		out.WriteString("false")
	default:
		out.WriteString("null") // SQL NULL: no signature to check
	}
	out.WriteString("}\n")
	if _, err := e.stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if res.Valid != jwt.Valid {
		return falseResult
	}
	return nil
}

// writeJSONOrNull writes the JSON text verbatim, or null for SQL NULL. The
// text has passed PostgreSQL's json input check, so embedding it keeps the
// object valid JSON.
func writeJSONOrNull(b *bytes.Buffer, text []byte) {
	if text == nil {
		b.WriteString("null")
		return
	}
	fmt.Fprintf(b, "%s", text)
}

// verifyJWKS is verify --jwks: PostgREST's authentication of the token
// with source (a file, or an http(s) URL fetched first) as jwt-secret.
func verifyJWKS(e *env, source, token string, at time.Time) error {
	opts := []postgrest.Option{postgrest.WithClock(func() time.Time { return at })}
	if strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://") {
		opts = append(opts, postgrest.WithRemoteJWKS(source))
	} else {
		opts = append(opts, postgrest.WithJWTSecret("@"+source)) // PostgREST's "@file"
	}
	a, err := postgrest.NewAuthenticator(opts...)
	if err != nil {
		return err
	}
	defer a.Close()
	id, apiErr := a.AuthenticateToken(token, true)
	if apiErr != nil {
		fmt.Fprintf(e.stdout, "%s\n", apiErr.Body(postgrest.Verbose))
		return falseResult
	}
	out, err := json.Marshal(struct {
		Role   string          `json:"role"`
		Claims json.RawMessage `json:"claims"`
	}{id.Role(), json.RawMessage(id.Claims())})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", out)
	return err
}
