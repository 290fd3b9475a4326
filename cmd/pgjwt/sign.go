package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/jwt"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

var signCommand = &command{
	name:     "sign",
	synopsis: "[--alg ALG | --key FILE] [--role ROLE] [--email EMAIL] [--exp DURATION] [--claim KEY=VALUE]... [PAYLOAD]",
	summary:  "sign a JWT as pgjwt's sign() does",
	run:      runSign,
}

func init() {
	commandDoc["sign"] = `Prints sign(payload, secret, alg) as pgjwt computes it: the header
{"alg":ALG,"typ":"JWT"}, the payload's JSON text exactly as given (spacing, key
order and duplicates are signed as they are, as for PostgreSQL's json type),
and an HMAC over both with the secret from --secret-file or $PGJWT_SECRET
(a warning says when it is shorter than the 32 bytes PostgREST requires).

The payload is the PAYLOAD argument, or stdin (one trailing newline dropped),
or built from the claim flags the way PostgREST's login() builds it:

  sign(row_to_json(r), secret) from (select ROLE as role, EMAIL as email,
                                     extract(epoch from now())::integer + DURATION as exp) r

giving {"role":…,"email":…,"exp":…} in that order (flags left out are left
out), followed by --claim/--claim-json claims in command-line order. --now
fixes now() for reproducible tokens.

--key FILE signs with a private key instead (a JWK as "pgjwt keygen" writes
it, or PEM): the header is {"alg":…,"kid":…,"typ":"JWT"} with the key's
algorithm and kid, and no secret is read.

Examples:
  export PGJWT_SECRET=reallyreallyreallyreallyverysafe
  pgjwt sign --role web_user --email alice@example.com --exp 1h
  pgjwt sign '{"role":"web_anon"}'
  pgjwt sign --role api --claim aud=authenticated --claim-json 'groups=["a","b"]'
  pgjwt sign --key login.jwk --role web_user --exp 1h`
}

// minPostgRESTSecret is the shortest plain jwt-secret PostgREST starts with
// (in bytes): pgjwt signs with any secret, but such a token is useless there.
const minPostgRESTSecret = 32

// maxRoleBytes is PostgreSQL's identifier limit (NAMEDATALEN - 1): login()
// reads the role as type name, which would cut anything longer.
const maxRoleBytes = 63

func runSign(e *env, g *globals, cmd *command, args []string) error {
	var (
		major        int
		alg          string
		role, email  optionalString
		exp          durationFlag
		now          instantFlag
		extra        claimList
		secretSource secretSource
		encoding     dbEncoding
		keyFile      string
	)
	fs := newFlagSet(cmd, g, &major)
	fs.StringVar(&alg, "alg", "HS256", "the `algorithm`: HS256 (the default), HS384 or HS512 (exact spelling, as pgjwt matches it)")
	fs.Var(&role, "role", "payload claim role (a PostgreSQL `role` name)")
	fs.Var(&email, "email", "payload claim `email`")
	fs.Var(&exp, "exp", "payload claim exp = now() in whole seconds + `duration` (1h, 90m, 3600s or 3600)")
	fs.Var(&extra, "claim", "add the string claim `key=value` (repeatable)")
	fs.Var(claimJSONFlag{&extra}, "claim-json", "add the claim `key=json`, its value JSON text used verbatim (repeatable)")
	fs.Var(&now, "now", "sign as if now() were `time` (RFC 3339 or unix seconds)")
	secretSource.register(fs)
	fs.Var(&encoding, "encoding", "sign as a database in this `encoding` would (UTF8 or LATIN1): the secret's bytes in it are the HMAC key; default: the secret's bytes as they are")
	fs.StringVar(&keyFile, "key", "", "sign with the private key in `file` (JWK or PEM, see keygen), with its alg and kid")
	rest, err := parse(e, cmd, fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return &usageError{cmd: cmd, msg: "expects at most one PAYLOAD argument (quote the JSON)"}
	}
	if keyFile != "" {
		if conflict := conflictingFlag(fs, "alg", "secret", "secret-file", "encoding"); conflict != "" {
			return &usageError{cmd: cmd, msg: "--key excludes --" + conflict + " (the key has its own algorithm, and no secret is used)"}
		}
	}
	building := role.set || email.set || exp.set || len(extra) > 0
	var payload string
	switch {
	case building && len(rest) == 1:
		return &usageError{cmd: cmd, msg: "give either a PAYLOAD or claim flags (--role, --email, --exp, --claim), not both"}
	case now.set && !exp.set:
		return &usageError{cmd: cmd, msg: "--now only matters with --exp"}
	case building:
	case len(rest) == 1:
		payload = rest[0]
	case stdinIsTerminal(e):
		return &usageError{cmd: cmd, msg: "no payload: give it as an argument, on stdin, or build it with --role/--email/--exp/--claim"}
	default:
		if payload, err = readStdin(e, "payload"); err != nil {
			return err
		}
	}
	if keyFile != "" {
		return signWithKey(e, keyFile, building, payload, func() (string, error) {
			return buildPayload(major, role, email, exp, now.or(e.now), extra)
		})
	}
	secret, err := secretSource.load(e, cmd)
	if err != nil {
		return err
	}
	if building {
		secret, err = bindArguments(encoding, secret, nil, append([]string{role.value, email.value}, extra.texts()...))
	} else {
		secret, err = bindArguments(encoding, secret, &payload, nil)
	}
	if err != nil {
		return err
	}
	if len(secret) < minPostgRESTSecret {
		fmt.Fprintf(e.stderr, "pgjwt: warning: the secret is shorter than %d bytes, which PostgREST refuses as a jwt-secret\n", minPostgRESTSecret)
	}
	if building {
		if payload, err = buildPayload(major, role, email, exp, now.or(e.now), extra); err != nil {
			return err
		}
	}
	token, err := jwt.Sign(json.RawMessage(payload), secret, alg)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, token)
	return err
}

// bindArguments checks the call's arguments as PostgreSQL does when it binds
// them, before anything is computed: each text is converted to the database
// encoding, and a json payload is parsed, in argument order. Conversion
// changes no payload byte (sign converts the json back to UTF-8), but the
// secret's bytes in the database encoding are the HMAC key: they are returned.
func bindArguments(enc dbEncoding, secret string, payload *string, texts []string) (string, error) {
	for _, text := range texts {
		if _, err := enc.toDatabase(text); err != nil {
			return "", err
		}
	}
	if payload != nil {
		if _, err := enc.toDatabase(*payload); err != nil {
			return "", err
		}
		// Only a json parse error counts here (the algorithm and the secret
		// come later), and jwt.Sign reports exactly the json input's.
		if _, err := jwt.Sign(json.RawMessage(*payload), "", "HS256"); errors.Is(err, jwt.ErrInvalidJSON) {
			return "", err
		}
	}
	return enc.toDatabase(secret)
}

// buildPayload renders the login() payload: the claims are the columns of a
// row passed to row_to_json, in login()'s order role, email, exp, then the
// extra claims.
func buildPayload(major int, role, email optionalString, exp durationFlag, now time.Time, extra claimList) (string, error) {
	var row pgjson.Object
	seen := map[string]bool{}
	add := func(key string, value any) error {
		if seen[key] {
			return fmt.Errorf("claim %q given twice", key)
		}
		seen[key] = true
		row = append(row, pgjson.Member{Key: key, Value: value})
		return nil
	}
	if role.set {
		if role.value == "" {
			return "", errors.New("--role is empty")
		}
		if len(role.value) > maxRoleBytes {
			// login()'s role is of type name, which would cut it short.
			return "", fmt.Errorf("--role is longer than %d bytes, PostgreSQL's limit for a role name", maxRoleBytes)
		}
		add("role", role.value)
	}
	if email.set {
		add("email", email.value)
	}
	if exp.set {
		// extract(epoch from now())::integer + seconds: both steps are int4
		// and fail as PostgreSQL's do, the cast from 2038 on.
		base, err := pgjson.ForVersion(major).EpochSeconds(now)
		if err != nil {
			return "", err
		}
		sum := base + exp.seconds
		if sum != int64(int32(sum)) {
			return "", pgjson.ErrIntegerRange
		}
		add("exp", int32(sum))
	}
	for _, c := range extra {
		var v any = c.value // text
		if c.json {
			v = json.RawMessage(c.value) // json: embedded verbatim
		}
		if err := add(c.key, v); err != nil {
			return "", err
		}
	}
	b, err := pgjson.RowToJSON(row)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// optionalString is a string flag that remembers whether it was given.
type optionalString struct {
	value string
	set   bool
}

func (f *optionalString) String() string { return f.value }
func (f *optionalString) Set(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	f.value, f.set = s, true
	return nil
}

// durationFlag is --exp: whole seconds, as a Go duration ("1h30m") or a
// plain number of seconds.
type durationFlag struct {
	seconds int64
	set     bool
}

func (f *durationFlag) String() string {
	if f == nil || !f.set {
		return ""
	}
	return fmt.Sprint(time.Duration(f.seconds) * time.Second)
}

func (f *durationFlag) Set(s string) error {
	var n int64
	if _, err := fmt.Sscan(s, &n); err == nil && fmt.Sprint(n) == strings.TrimPrefix(s, "+") {
		f.seconds, f.set = n, true
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration: %q (try 1h, 90m or 3600)", s)
	}
	if d%time.Second != 0 {
		// exp is an integer number of seconds in login().
		return fmt.Errorf("%s is not a whole number of seconds", d)
	}
	f.seconds, f.set = int64(d/time.Second), true
	return nil
}

// claim is one --claim or --claim-json.
type claim struct {
	key, value string
	json       bool // value is JSON text, not a string
}

// claimList collects --claim and --claim-json in command-line order.
type claimList []claim

func (l *claimList) String() string     { return "" }
func (l *claimList) Set(s string) error { return l.add(s, false) }

// texts returns the keys and values of the claims.
func (l claimList) texts() []string {
	var t []string
	for _, c := range l {
		t = append(t, c.key, c.value)
	}
	return t
}

func (l *claimList) add(s string, isJSON bool) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("want KEY=VALUE")
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	*l = append(*l, claim{key: key, value: value, json: isJSON})
	return nil
}

// claimJSONFlag is --claim-json, appending to the same list as --claim so
// that the order on the command line is the order in the payload.
type claimJSONFlag struct{ l *claimList }

func (f claimJSONFlag) String() string     { return "" }
func (f claimJSONFlag) Set(s string) error { return f.l.add(s, true) }

// signWithKey is sign --key: the payload as given (checked as json input)
// or built from the claim flags, signed with the key's alg and kid.
func signWithKey(e *env, keyFile string, building bool, payload string, build func() (string, error)) error {
	k, err := auth.LoadSigningKey(keyFile)
	if err != nil {
		return err
	}
	if building {
		if payload, err = build(); err != nil {
			return err
		}
	} else if _, err := bindArguments(encodingRaw, "", &payload, nil); err != nil {
		return err
	}
	token, err := k.Sign([]byte(payload))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, token)
	return err
}
