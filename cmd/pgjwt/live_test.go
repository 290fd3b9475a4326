package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// The live tests run the CLI for many inputs and compare what it prints
// with what PostgreSQL returns for the same call, on every available major.
// Most runs go through run() in-process (the code the binary runs, minus
// process start-up, so hundreds of cases stay fast under -race); a sample
// runs the real binary to show the two agree.

// result is what one pgjwt invocation produced.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs pgjwt in-process with the given stdin and environment.
func cli(stdin string, envVars map[string]string, args ...string) result {
	var out, errOut bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		lookupEnv: func(k string) (string, bool) {
			v, ok := envVars[k]
			return v, ok
		},
		now: time.Now,
	}
	code := run(args, e)
	return result{out.String(), errOut.String(), code}
}

// binary runs the test binary as the pgjwt command (see TestMain).
func binary(t *testing.T, stdin string, envVars map[string]string, args ...string) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Args[0] = "pgjwt"
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GORACE=" + childGORACE()}
	for k, v := range envVars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("running pgjwt: %v", err)
		}
		code = ee.ExitCode()
	}
	return result{out.String(), errOut.String(), code}
}

// serverOutcome is what the server answered: a value, or an error, and the
// NOTICEs it sent (formatted as pgjwt prints them).
type serverOutcome struct {
	value   string
	null    bool
	code    string // SQLSTATE when the call failed
	message string
	detail  string // DETAIL and HINT lines as pgjwt prints them
	notices string
	valid   string // verify's valid column: "true", "false" or "null"
}

// detailOf returns the DETAIL and HINT of a server error in pgjwt's format.
func detailOf(err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return ""
	}
	var b strings.Builder
	if pe.Detail != "" {
		fmt.Fprintf(&b, "DETAIL: %s\n", pe.Detail)
	}
	if pe.Hint != "" {
		fmt.Fprintf(&b, "HINT: %s\n", pe.Hint)
	}
	return b.String()
}

// server is one connection to a test database that records NOTICEs.
type server struct {
	t       *testing.T
	conn    *pgx.Conn
	notices strings.Builder
}

func connect(t *testing.T, db *pgtest.DB) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := pgx.ParseConfig(db.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	// The harness's pools leave client_encoding at the database's, so in a
	// LATIN1 database pgx's UTF-8 bytes would be taken as LATIN1 characters
	// unconverted. A UTF-8 client, as psql in a UTF-8 terminal, is what the
	// CLI stands for.
	cfg.RuntimeParams["client_encoding"] = "UTF8"
	s := &server{t: t}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		fmt.Fprintf(&s.notices, "pgjwt: NOTICE: %s (SQLSTATE %s)\n", n.Message, n.Code)
	}
	if s.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.conn.Close(context.Background()) })
	return s
}

// query runs a query returning one text value (or NULL).
func (s *server) query(sql string, args ...any) serverOutcome {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.notices.Reset()
	var out serverOutcome
	var v *string
	err := s.conn.QueryRow(ctx, sql, args...).Scan(&v)
	out.notices = s.notices.String()
	if err != nil {
		code, msg, ok := pgtest.ErrorOf(err)
		if !ok {
			s.t.Fatalf("%s %q: %v", sql, args, err)
		}
		out.code, out.message, out.detail = code, msg, detailOf(err)
		return out
	}
	if v == nil {
		out.null = true
	} else {
		out.value = *v
	}
	return out
}

// expectSame checks that the CLI printed what the server returned: the value
// and a newline with exit status 0, or PostgreSQL's message and SQLSTATE
// with exit status 2.
func expectSame(t *testing.T, what string, got result, want serverOutcome) bool {
	t.Helper()
	got.stderr = dropWarnings(got.stderr)
	if want.code != "" {
		wantErr := fmt.Sprintf("pgjwt: %s (SQLSTATE %s)\n", want.message, want.code) + want.detail
		if got.code != exitError || got.stdout != "" || got.stderr != wantErr {
			t.Errorf("%s: server raised %q; pgjwt exited %d with stdout %q stderr %q", what, wantErr, got.code, got.stdout, got.stderr)
			return false
		}
		return true
	}
	if got.code != exitOK || got.stdout != want.value+"\n" {
		t.Errorf("%s: server returned %q; pgjwt exited %d with stdout %q stderr %q", what, want.value, got.code, got.stdout, got.stderr)
		return false
	}
	return true
}

// dropWarnings removes pgjwt's own warnings (a short secret), which have no
// PostgreSQL counterpart, from stderr.
func dropWarnings(stderr string) string {
	var kept []string
	for _, line := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(line, "pgjwt: warning: ") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "")
}

// passwords are the crypt inputs: edge cases plus random ones.
func passwords(rng *rand.Rand, n int) []string {
	pw := []string{"", "password", "foox", "ä€ 𝄞", "pass\nword", " leading and trailing ",
		strings.Repeat("a", 71), strings.Repeat("a", 72), strings.Repeat("a", 72) + "b",
		strings.Repeat("é", 40)}
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~äöü€"
	runes := []rune(alphabet)
	for range n {
		var b strings.Builder
		for range rng.IntN(90) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		pw = append(pw, b.String())
	}
	return pw
}

// cryptSettings are settings every major is asked about: valid and broken
// ones of each algorithm, and the prefixes that fall through to DES.
var cryptSettings = []string{
	"", "a", "ab", "abcdefg", "!!", "ä", "aä",
	"$2a$04$RQiOJ.3ELirrXwxIZY8q0O", "$2x$04$RQiOJ.3ELirrXwxIZY8q0O", "$2a$04$RQiOJ.3ELirrXwxIZY8q0P",
	"$2a$04$RQiOJ.3ELirrXwxIZY8q0Ogarbage", "$2a$04$short", "$2a$03$RQiOJ.3ELirrXwxIZY8q0O",
	"$2a$4$RQiOJ.3ELirrXwxIZY8q0Oxx", "$2a$04$RQiOJ.3ELirrXwxIZY8q0!", "$2$04$RQiOJ.3ELirrXwxIZY8q0O",
	"$2b$04$RQiOJ.3ELirrXwxIZY8q0O", "$2y$04$RQiOJ.3ELirrXwxIZY8q0O", "$2A$04$RQiOJ.3ELirrXwxIZY8q0O",
	"$1$", "$1$$", "$1$saltsalt", "$1$abcdefghijkl", "$1$ab$cd", "$1$ä!", "$1",
	"_J9..", "_J9..j2zz", "_J9..j2zzEXTRA", "_J9.!j2zz", "_1...salt", "_2...salt", "_ä......",
	"$5$", "$5$abc", "$5$abc$garbage", "$5$rounds=1000$abc", "$5$$abc", "$5$rounds=5000",
	"$5$rounds=1000x$abc", "$5$ab*cd", "$5$abä", "$5$abc$rounds=", "$5$abc$5$x", "$5$rounds=10$abc",
	"$5$rounds=-5$abc", "$5$rounds=+2000$abc", "$5$abcdefghijklmnopqrstuvwxyz", "$5$ROUNDS=1000$abc",
	"$6$abc", "$6$rounds=1000$abcdefghijklmnop", "$6$$abc", "$6$ab$6$",
	"$3$abc", "$7$abc", "$y$abc",
}

// encodingArgs are the flags that make pgjwt follow db's encoding: none for
// UTF8 (the default passes UTF-8 bytes through), --encoding LATIN1 for LATIN1.
func encodingArgs(db *pgtest.DB) []string {
	if db.Encoding == "UTF8" {
		return nil
	}
	return []string{"--encoding", db.Encoding}
}

func TestLiveCryptMatchesServer(t *testing.T) {
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		c := db.Cluster
		rng := rand.New(rand.NewPCG(uint64(c.Major), 7))
		n := 12
		if testing.Short() {
			n = 3
		} else if !c.Full() {
			n = 4 // a sample on the majors other than 15 and 18
		}
		pws := passwords(rng, n)
		flags := append([]string{"crypt", "--pg", strconv.Itoa(c.Major)}, encodingArgs(db)...)
		srv := connect(t, db)
		cases := 0
		for k, setting := range cryptSettings {
			if db.Encoding != "UTF8" && k%2 != 0 {
				continue // a LATIN1 database needs fewer cases to show the conversions
			}
			for i, pw := range pws {
				// Every setting with a few passwords, every password with a
				// few settings: enough to see each path, cheap enough for -race.
				if (i+len(setting))%4 != 0 && i >= 3 {
					continue
				}
				cases++
				want := srv.query("select crypt($1, $2)", pw, setting)
				stdin := pw
				if i%2 == 0 || strings.HasSuffix(pw, "\n") {
					stdin += "\n" // the line end pgjwt drops
				}
				got := cli(stdin, nil, append(flags, "--setting", setting)...)
				if want.code == "" && got.stderr != want.notices {
					// NOTICEs (sha-crypt rounds clamped in 18) are on stderr.
					t.Errorf("crypt(%q, %q): server notices %q, pgjwt stderr %q", pw, setting, want.notices, got.stderr)
				}
				expectSame(t, fmt.Sprintf("crypt(%q, %q)", pw, setting), got, want)
				if want.code == "" {
					// --check agrees with `hash = crypt(password, hash)`.
					match := srv.query("select (crypt($1, $2) = $2)::text", pw, want.value)
					chk := cli(stdin, nil, append(flags, "--check", want.value)...)
					if wantCode := map[string]int{"true": 0, "false": 1}[match.value]; chk.code != wantCode {
						t.Errorf("crypt --check %q for %q: exit %d, server says %s", want.value, pw, chk.code, match.value)
					}
				}
			}
		}
		t.Logf("%d crypt() calls compared on %s, %s database", cases, c.Version, db.Encoding)
	})
}

// saltParts splits a salt into its fixed prefix (through the last "$", or
// the 5 characters of an extended-DES setting) and its random part's length.
func saltParts(s string) (prefix string, randomLen int) {
	if i := strings.LastIndexByte(s, '$'); i >= 0 {
		prefix = s[:i+1]
	} else if strings.HasPrefix(s, "_") && len(s) >= 5 {
		prefix = s[:5]
	}
	return prefix, len(s) - len(prefix)
}

// saltShape is what is not random in a salt: "$2a$06$+22".
func saltShape(s string) string {
	prefix, n := saltParts(s)
	return fmt.Sprintf("%s+%d", prefix, n)
}

var saltChars = regexp.MustCompile(`^[./0-9A-Za-z]*$`)

func TestLiveGenSaltMatchesServer(t *testing.T) {
	calls := []struct {
		typ    string
		rounds string // "" for gen_salt(type)
		cheap  bool   // cheap enough to hash with on the server too
	}{
		{"bf", "", false}, {"bf", "4", true}, {"BF", "5", true}, {"bf", "3", false}, {"bf", "31", false},
		{"bf", "32", false}, {"bf", "-1", false}, {"bf", "0", false},
		{"md5", "", true}, {"Md5", "1000", true}, {"md5", "5", false}, {"md5", "0", true},
		{"xdes", "", true}, {"xdes", "1", true}, {"xdes", "2", false}, {"xdes", "16777215", false},
		{"xdes", "16777216", false}, {"xdes", "0", true}, {"xdes", "-1", false},
		{"des", "", true}, {"des", "25", true}, {"des", "24", false}, {"DES", "0", true},
		{"sha256crypt", "", true}, {"sha256crypt", "1000", true}, {"sha256crypt", "999", false},
		{"sha512crypt", "999999999", false}, {"sha512crypt", "1000000000", false}, {"SHA512CRYPT", "1000", true},
		{"nosuch", "", false}, {"", "", false}, {"bf ", "", false}, {"blowfish", "", false},
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		major := strconv.Itoa(c.Major)
		srv := connect(t, c.UTF8)
		for _, call := range calls {
			sql, args, cliArgs := "select gen_salt($1)", []any{call.typ}, []string{"gen-salt", "--pg", major, call.typ}
			if call.rounds != "" {
				n, _ := strconv.Atoi(call.rounds)
				sql, args, cliArgs = "select gen_salt($1, $2)", []any{call.typ, n}, append(cliArgs, call.rounds)
			}
			name := fmt.Sprintf("gen_salt(%q, %s)", call.typ, call.rounds)
			want := srv.query(sql, args...)
			got := cli("", nil, cliArgs...)
			if want.code != "" {
				expectSame(t, name, got, want)
				continue
			}
			salt := strings.TrimSuffix(got.stdout, "\n")
			if got.code != exitOK || saltShape(salt) != saltShape(want.value) {
				t.Errorf("%s: server gave %q (shape %s); pgjwt exited %d with %q (shape %s), stderr %q",
					name, want.value, saltShape(want.value), got.code, salt, saltShape(salt), got.stderr)
				continue
			}
			if prefix, _ := saltParts(salt); !saltChars.MatchString(salt[len(prefix):]) {
				t.Errorf("%s: pgjwt salt %q has characters outside ./0-9A-Za-z", name, salt)
			}
			if call.cheap {
				// The server takes pgjwt's salt, and both hash with it alike.
				hash := srv.query("select crypt('pass word', $1)", salt)
				expectSame(t, "crypt with pgjwt salt "+salt, cli("pass word", nil, "crypt", "--pg", major, "--setting", salt), hash)
			}
		}
	})
}

// TestLiveBinaryAgrees runs the real binary for a sample of the calls above,
// so the in-process comparisons stand for the command as shipped.
func TestLiveBinaryAgrees(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		major := strconv.Itoa(c.Major)
		srv := connect(t, c.UTF8)
		for _, setting := range []string{"$1$saltsalt", "$2a$04$RQiOJ.3ELirrXwxIZY8q0O", "$5$abc", "_J9..j2zz", "", "$2$x"} {
			want := srv.query("select crypt($1, $2)", "pass word", setting)
			expectSame(t, "binary crypt "+setting, binary(t, "pass word\n", nil, "--pg", major, "crypt", "--setting", setting), want)
		}
		want := srv.query("select gen_salt('nosuch')")
		expectSame(t, "binary gen-salt nosuch", binary(t, "", nil, "gen-salt", "--pg", major, "nosuch"), want)

		// sign and verify through the binary, with the secret in the
		// environment as a user would give it.
		jwtSrv := connect(t, withPgjwt(t, c.UTF8))
		vars := map[string]string{envSecret: "reallyreallyreallyreallyverysafe"}
		login := jwtSrv.query("select "+compatSchema+".sign(row_to_json(r), $1) from (select 'web_user'::name as role, "+
			"'alice@example.com'::text as email, extract(epoch from '2026-11-25T20:00:00.5Z'::timestamptz)::integer + 3600 as exp) r",
			vars[envSecret])
		got := binary(t, "", vars, "sign", "--pg", major, "--role", "web_user", "--email", "alice@example.com",
			"--exp", "1h", "--now", "2026-11-25T20:00:00.5Z")
		expectSame(t, "binary sign login()", got, login)
		for _, tok := range []string{strings.TrimSuffix(got.stdout, "\n"), "x" + got.stdout, "e30.e30", ""} {
			want := verifyLine(t, jwtSrv, tok, vars[envSecret], "HS256")
			res := binary(t, tok+"\n", vars, "verify", "--pg", major)
			if want.code != "" {
				expectSame(t, "binary verify "+tok, res, want)
			} else if res.stdout != want.value+"\n" || (res.code == exitOK) != (want.valid == "true") {
				t.Errorf("binary verify %q: server row %s; pgjwt exited %d with %q %q", tok, want.value, res.code, res.stdout, res.stderr)
			}
		}
	})
}

// TestLiveEncodingErrors checks --encoding's conversion errors against the
// server receiving the same bytes from a UTF-8 client: bad UTF-8 (22021,
// naming the bytes of the bad sequence) and, in LATIN1, characters it lacks
// (22P05).
func TestLiveEncodingErrors(t *testing.T) {
	inputs := []string{"\xff", "caf\xe9", "caf\xe9 au lait", "\xc3\x28", "\xe2\x82", "x\xe2\x82", "\xed\xa0\x80", "\xc0\x80",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80", "ok\xc3", "€", "a€b", "😀", "\u2028", "é", "ÿ", "plain"}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		srv := connect(t, db)
		for _, in := range inputs {
			want := srv.query("select crypt($1, '$1$salt')", in)
			got := cli(in, nil, "crypt", "--pg", strconv.Itoa(db.Cluster.Major), "--encoding", db.Encoding, "--setting", "$1$salt")
			expectSame(t, fmt.Sprintf("crypt(%q) in %s", in, db), got, want)
		}
	})
}
