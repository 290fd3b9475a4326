package pgtext

import (
	"context"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

var errTestUntranslatable = sqlerr.New("test", "22P05", "untranslatable")

// serverInputs are the vectors plus random byte strings built from pieces
// that matter to a UTF8 verifier or a LATIN1 conversion.
func serverInputs(t *testing.T) [][]byte {
	var inputs [][]byte
	for _, v := range loadUTF8Vectors(t) {
		inputs = append(inputs, unhex(t, v.In))
	}
	valid := []string{"a", "abcdefgh", "é", "\u00ff", "\u0100", "€", "😀", "\u0080"}
	invalid := []string{"\x00", "\xff", "\x80", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\x80",
		"\xf4\x90\x80\x80", "\xf8", "\xf5\x80\x80\x80", "\xe0\x9f\xbf"}
	r := newRand(11)
	n := 1500
	if testing.Short() {
		n = 300
	}
	for range n {
		var b []byte
		for k := 1 + r.IntN(5); k > 0; k-- {
			if r.IntN(6) == 0 {
				b = append(b, invalid[r.IntN(len(invalid))]...)
			} else {
				b = append(b, valid[r.IntN(len(valid))]...)
			}
		}
		inputs = append(inputs, b)
	}
	return inputs
}

// TestMatchesServer runs every input through convert_from, which verifies
// bytes in a source encoding and converts them to the database encoding
// with the same routines that handle a client's text:
//   - from UTF8, in a UTF8 database: CheckUTF8; in a LATIN1 database:
//     CheckUTF8, then UTF8ToLatin1;
//   - from LATIN1, in either: CheckNoNUL, then (UTF8 database) Latin1ToUTF8.
//
// convert_to(…, server encoding) returns the stored bytes for comparison.
func TestMatchesServer(t *testing.T) {
	inputs := serverInputs(t)
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		stats := map[string]int{}
		for _, from := range []string{UTF8, Latin1} {
			for _, in := range inputs {
				var got []byte
				err := db.Pool.QueryRow(ctx,
					"select convert_to(convert_from($1::bytea, $2), current_setting('server_encoding'))",
					in, from).Scan(&got)
				want, goErr := goConvert(in, from, db.Encoding)
				srvCode, srvMsg, srvIsSQL := pgtest.ErrorOf(err)
				goCode, goMsg, _ := pgtest.ErrorOf(goErr)
				switch {
				case err != nil && !srvIsSQL:
					t.Fatalf("%s %x: %v", from, in, err)
				case srvCode != goCode || srvMsg != goMsg:
					t.Errorf("%s→%s %x: server %s %q, Go %s %q", from, db.Encoding, in, srvCode, srvMsg, goCode, goMsg)
				case err == nil && string(got) != want:
					t.Errorf("%s→%s %x: server %x, Go %x", from, db.Encoding, in, got, want)
				}
				stats[from+" "+srvCode]++
			}
		}
		t.Logf("%d inputs each way; outcomes by source encoding and SQLSTATE: %v", len(inputs), stats)
	})
}

func goConvert(in []byte, from, server string) (string, error) {
	s := string(in)
	if from == Latin1 {
		if err := CheckNoNUL(s, Latin1, errTest); err != nil {
			return "", err
		}
		if server == UTF8 {
			return Latin1ToUTF8(s), nil
		}
		return s, nil
	}
	if err := CheckUTF8(s, errTest); err != nil {
		return "", err
	}
	if server == Latin1 {
		return UTF8ToLatin1(s, errTestUntranslatable)
	}
	return s, nil
}
