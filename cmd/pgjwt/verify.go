package main

import (
	"bytes"
	"fmt"

	"github.com/pgjwt-go/pgjwt/jwt"
)

var verifyCommand = &command{
	name:     "verify",
	synopsis: "[--alg ALG] [--at TIME] [TOKEN]",
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

Examples:
  pgjwt verify "$TOKEN"
  pgjwt verify --at 2030-01-01T00:00:00Z < token.txt`
}

func runVerify(e *env, g *globals, cmd *command, args []string) error {
	var (
		major        int
		alg          string
		at           instantFlag
		secretSource secretSource
	)
	fs := newFlagSet(cmd, g, &major)
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
	secret, err := secretSource.load(e, cmd)
	if err != nil {
		return err
	}
	res, err := jwt.VerifyAt(token, secret, alg, at.or(e.now))
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
