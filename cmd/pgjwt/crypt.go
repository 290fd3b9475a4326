package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"slices"

	"github.com/pgjwt-go/pgjwt/crypt"
)

var cryptCommand = &command{
	name:     "crypt",
	synopsis: "[--setting SETTING | --type TYPE [--rounds N] | --check HASH] [--pg MAJOR] < password",
	summary:  "hash a password as pgcrypto's crypt() does, or check one",
	run:      runCrypt,
}

func init() {
	commandDoc["crypt"] = `Prints crypt(password, setting) as pgcrypto computes it. The password is read
from stdin (one trailing newline dropped) or, when stdin is a terminal, from a
prompt that does not echo; it is never taken from the command line. Its bytes
are hashed as they are, as PostgreSQL hashes the bytes of a text value in the
database encoding.

The setting is --setting, or a new salt from gen_salt(--type, --rounds)
(default type bf, as the PostgREST login recipe uses). With --check HASH the
password is compared with an existing hash instead (hash = crypt(password,
hash), in constant time): exit status 0 when it matches, 1 when it does not.

Examples:
  pgjwt crypt --type bf --rounds 10          # prompts for the password
  printf %s "$PASSWORD" | pgjwt crypt --setting '$1$saltsalt'
  pgjwt crypt --check "$HASH" < password.txt`
}

func runCrypt(e *env, g *globals, cmd *command, args []string) error {
	var (
		major                  int
		setting, typ, checkFor string
		rounds                 int
		encoding               dbEncoding
	)
	fs := newFlagSet(cmd, g, &major)
	fs.StringVar(&setting, "setting", "", "hash with this `setting` (a salt or an existing hash)")
	fs.StringVar(&typ, "type", "", "generate a salt of this `type`: bf, md5, xdes, des, and from PostgreSQL 18 sha256crypt, sha512crypt (default bf)")
	fs.IntVar(&rounds, "rounds", 0, "iteration count `n` for the generated salt (default: gen_salt's)")
	fs.StringVar(&checkFor, "check", "", "compare the password with this `hash` instead of printing one")
	fs.Var(&encoding, "encoding", "hash as a database in this `encoding` would (UTF8 or LATIN1); default: the input bytes as they are")
	rest, err := parse(e, cmd, fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{cmd: cmd, msg: "the password is read from stdin or a prompt, never from arguments"}
	}
	set := setFlags(fs)
	switch {
	case set["setting"] && set["check"]:
		return &usageError{cmd: cmd, msg: "--setting and --check exclude each other"}
	case (set["setting"] || set["check"]) && (set["type"] || set["rounds"]):
		return &usageError{cmd: cmd, msg: "--type and --rounds generate a setting; they cannot go with --setting or --check"}
	}

	v := crypt.ForVersion(major, crypt.WithNotices(func(n crypt.Notice) {
		fmt.Fprintf(e.stderr, "pgjwt: NOTICE: %s (SQLSTATE %s)\n", encoding.fromDatabase(n.Message), n.Code)
	}))
	generating := !set["setting"] && !set["check"]
	if generating {
		// Make the salt before asking for the password, so that a bad
		// --type fails before anyone types a secret.
		if typ == "" {
			typ = "bf"
		}
		if setting, err = genSalt(v, typ, rounds, set["rounds"]); err != nil {
			return err
		}
	}
	password, err := readPassword(e, generating)
	if err != nil {
		return err
	}
	if generating && password == "" {
		// PostgreSQL hashes it, but an empty stdin is more often a mistake
		// (an unset variable) than a chosen password.
		fmt.Fprintln(e.stderr, "pgjwt: warning: the password is empty")
	}
	// PostgreSQL converts the arguments to the database encoding first.
	if password, err = encoding.toDatabase(password); err != nil {
		return err
	}
	if setting, err = encoding.toDatabase(setting); err != nil {
		return err
	}
	if checkFor, err = encoding.toDatabase(checkFor); err != nil {
		return err
	}
	if set["check"] {
		ok, err := v.Verify(password, checkFor)
		if err != nil {
			return encoding.errorFromDatabase(err)
		}
		if !ok {
			return falseResult
		}
		return nil
	}
	hash, err := v.Crypt(password, setting)
	if err != nil {
		return encoding.errorFromDatabase(err)
	}
	// The hash is written as raw bytes: like PostgreSQL's, it can echo salt
	// bytes that are not valid UTF-8.
	_, err = fmt.Fprintln(e.stdout, encoding.fromDatabase(hash))
	return err
}

// readPassword reads the password from stdin, or prompts for it without
// echo when stdin is a terminal (twice when a new hash is made, so that a
// typo does not become the stored password).
func readPassword(e *env, confirm bool) (string, error) {
	if !stdinIsTerminal(e) {
		return readStdin(e, "password")
	}
	pw, err := e.readPassword("Password: ")
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if confirm {
		again, err := e.readPassword("Repeat password: ")
		if err != nil {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return "", errors.New("the passwords do not match")
		}
	}
	return string(pw), nil
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// conflictingFlag returns one of names given on the command line (the last
// in flag order, as fs.Visit meets them), or "".
func conflictingFlag(fs *flag.FlagSet, names ...string) string {
	set, conflict := setFlags(fs), ""
	for _, n := range slices.Sorted(slices.Values(names)) {
		if set[n] {
			conflict = n
		}
	}
	return conflict
}
