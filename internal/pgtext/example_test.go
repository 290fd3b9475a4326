package pgtext_test

import (
	"errors"
	"fmt"

	"github.com/pgjwt-go/pgjwt/internal/pgtext"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

var (
	errInvalid        = sqlerr.New("example", "22021", `invalid byte sequence for encoding "UTF8"`)
	errUntranslatable = sqlerr.New("example", "22P05", `character has no equivalent in encoding "LATIN1"`)
)

func ExampleInvalidUTF8() {
	seq, bad := pgtext.InvalidUTF8("ok \xe2\x28\xa1 rest")
	fmt.Println(bad, pgtext.InvalidSequenceMessage(pgtext.UTF8, seq))
	// Output:
	// true invalid byte sequence for encoding "UTF8": 0xe2 0x28 0xa1
}

func ExampleCheckUTF8() {
	fmt.Println(pgtext.CheckUTF8("zoë", errInvalid))
	err := pgtext.CheckUTF8([]byte("nul\x00"), errInvalid)
	fmt.Println(err, errors.Is(err, errInvalid))
	// Output:
	// <nil>
	// example: invalid byte sequence for encoding "UTF8": 0x00 true
}

func ExampleUTF8ToLatin1() {
	l1, err := pgtext.UTF8ToLatin1("café", errUntranslatable)
	fmt.Printf("%q %v\n", l1, err)
	_, err = pgtext.UTF8ToLatin1("5 €", errUntranslatable)
	fmt.Println(err)
	fmt.Println(pgtext.Latin1ToUTF8(l1))
	// Output:
	// "caf\xe9" <nil>
	// example: character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"
	// café
}
