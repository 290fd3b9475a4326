package crypt

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// TestBcryptMatchesXCrypto cross-checks "$2a$" with golang.org/x/crypto/bcrypt,
// an independent implementation of the correct algorithm: for passwords
// without NUL of up to 72 bytes (x/crypto refuses longer ones), including
// 8-bit bytes, the two must agree in both directions.
func TestBcryptMatchesXCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 200
	if pgtest.Trimmed() {
		n = 30
	}
	for i := range n {
		pw := make([]byte, r.IntN(73))
		for j := range pw {
			pw[j] = byte(1 + r.IntN(255))
		}
		if i%3 == 0 {
			for j := range pw {
				pw[j] |= 0x80 // the bytes where "$2x$" and Openwall "$2a$" differ
			}
		}
		salt := make([]byte, 16)
		for j := range salt {
			salt[j] = byte(r.IntN(256))
		}
		setting := string(bcryptEncode([]byte("$2a$04$"), salt))
		ours, err := Crypt(string(pw), setting)
		if err != nil {
			t.Fatal(err)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(ours), pw); err != nil {
			t.Errorf("x/crypto rejects our crypt(%x, %s) = %s: %v", pw, setting, ours, err)
		}
		theirs, err := bcrypt.GenerateFromPassword(pw, bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := Verify(string(pw), string(theirs)); !ok || err != nil {
			t.Errorf("Verify(%x, %s) = %v, %v; x/crypto made it", pw, theirs, ok, err)
		}
	}
}

func TestBcryptKeyStream(t *testing.T) {
	// 72 bytes and more: only the first 72 count; 71 bytes see the NUL.
	a72 := strings.Repeat("a", 72)
	set := "$2a$04$abcdefghijklmnopqrstuu"
	h72, _ := Crypt(a72, set)
	h73, _ := Crypt(a72+"b", set)
	h511, _ := Crypt(a72+strings.Repeat("z", 511-72), set)
	h71, _ := Crypt(a72[:71], set)
	if h72 != h73 || h72 != h511 {
		t.Errorf("bytes after 72 changed the hash: %s %s %s", h72, h73, h511)
	}
	if h71 == h72 {
		t.Errorf("71 and 72 bytes hash equal: %s", h71)
	}
	// The empty password is 72 zero bytes; "$2x$" only differs for high bytes.
	if k := bcryptKey("", false); k != ([bcryptKeyWords]uint32{}) {
		t.Errorf("empty key = %x", k)
	}
	if bcryptKey("ab", true) != bcryptKey("ab", false) {
		t.Error("$2x$ key differs for ASCII")
	}
	// Stream 80 00 80 00: the sign-extended 0x80 in third position fills
	// the top bits, the final NUL shifts them up.
	if k := bcryptKey("\x80", true); k[0] != 0xffff8000 {
		t.Errorf("$2x$ key word 0 for 0x80 = %08x, want ffff8000", k[0])
	}
	if k := bcryptKey("\x80", false); k[0] != 0x80008000 {
		t.Errorf("$2a$ key word 0 for 0x80 = %08x, want 80008000", k[0])
	}
}

func TestBcryptCanonicalSaltChar(t *testing.T) {
	// The 22nd character keeps only its two high bits: P, Q, … → O.
	base := "$2a$04$RQiOJ.3ELirrXwxIZY8q0"
	want, _ := Crypt("foox", base+"O")
	for _, c := range "OPQRSTUVWXYZabcd" {
		got, err := Crypt("foox", base+string(c))
		if err != nil || got != want {
			t.Errorf("last salt char %c: %s, %v; want %s", c, got, err, want)
		}
	}
	if !strings.HasPrefix(want, base+"O") {
		t.Errorf("output %s does not carry the canonical salt", want)
	}
}
