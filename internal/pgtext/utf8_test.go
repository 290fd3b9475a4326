package pgtext

import (
	"encoding/hex"
	"encoding/json"
	"math/bits"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

var errTest = sqlerr.New("test", "22021", "invalid")

type utf8Vector struct {
	Why string  `json:"why"`
	In  string  `json:"in"`  // hex
	Bad *string `json:"bad"` // hex of the quoted sequence; null when valid
}

func loadUTF8Vectors(tb testing.TB) (vs []utf8Vector) {
	tb.Helper()
	raw, err := os.ReadFile("testdata/utf8.json")
	if err == nil {
		err = json.Unmarshal(raw, &vs)
	}
	if err != nil || len(vs) == 0 {
		tb.Fatalf("testdata/utf8.json: %v, %d vectors", err, len(vs))
	}
	return vs
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// referenceInvalid is a deliberately simple reading of PostgreSQL's rule,
// one character at a time, to check CheckUTF8 and InvalidUTF8 against: Go's
// decoder rejects exactly the overlongs, surrogates and values above
// U+10FFFF that PostgreSQL rejects; NUL is rejected on top; the quoted
// length comes from the lead byte's leading one bits.
func referenceInvalid(b []byte) (seq []byte, bad bool) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if b[i] != 0 && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		n := bits.LeadingZeros8(^b[i]) // leading one bits
		if n < 2 || n > 4 {
			n = 1
		}
		return b[i:min(i+n, len(b))], true
	}
	return nil, false
}

func TestInvalidUTF8Vectors(t *testing.T) {
	for _, v := range loadUTF8Vectors(t) {
		in := unhex(t, v.In)
		var want []byte
		if v.Bad != nil {
			want = unhex(t, *v.Bad)
		}
		seqB, badB := InvalidUTF8(in)
		seqS, badS := InvalidUTF8(string(in))
		if badB != (v.Bad != nil) || badS != badB || string(seqB) != string(want) || seqS != string(want) {
			t.Errorf("%s: InvalidUTF8(%x) = %x, %v (bytes) / %x, %v (string); want %x, %v",
				v.Why, in, seqB, badB, seqS, badS, want, v.Bad != nil)
		}
		if ref, refBad := referenceInvalid(in); refBad != badB || string(ref) != string(seqB) {
			t.Errorf("%s: reference disagrees on %x: %x, %v", v.Why, in, ref, refBad)
		}
		err := CheckUTF8(in, errTest)
		switch {
		case v.Bad == nil && err != nil:
			t.Errorf("%s: CheckUTF8(%x) = %v", v.Why, in, err)
		case v.Bad != nil:
			wantMsg := InvalidSequenceMessage(UTF8, want)
			var e *sqlerr.Error
			if !asSQLErr(err, &e) || e.Message != wantMsg || e.Code != "22021" {
				t.Errorf("%s: CheckUTF8(%x) = %v, want message %q", v.Why, in, err, wantMsg)
			}
		}
	}
}

func asSQLErr(err error, e **sqlerr.Error) bool {
	se, ok := err.(*sqlerr.Error)
	*e = se
	return ok && se != nil
}

// A named type keeps its type through InvalidUTF8.
func TestInvalidUTF8NamedTypes(t *testing.T) {
	type raw []byte
	type text string
	if seq, bad := InvalidUTF8(raw("ab\xe2\x28")); !bad || string(seq) != "\xe2\x28" {
		t.Errorf("raw: %x, %v", seq, bad)
	}
	if seq, bad := InvalidUTF8(text("ab\x00c")); !bad || seq != text("\x00") {
		t.Errorf("text: %x, %v", seq, bad)
	}
	if seq, bad := InvalidUTF8(raw(nil)); bad || len(seq) != 0 {
		t.Errorf("nil: %x, %v", seq, bad)
	}
}

func TestLeadLen(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := 1
		switch {
		case c >= 0xc0 && c <= 0xdf:
			want = 2
		case c >= 0xe0 && c <= 0xef:
			want = 3
		case c >= 0xf0 && c <= 0xf7:
			want = 4
		}
		if got := LeadLen(byte(c)); got != want {
			t.Errorf("LeadLen(%#x) = %d, want %d", c, got, want)
		}
	}
}

func TestMessages(t *testing.T) {
	tests := []struct{ got, want string }{
		{InvalidSequenceMessage(UTF8, "\xe2\x28"), `invalid byte sequence for encoding "UTF8": 0xe2 0x28`},
		{InvalidSequenceMessage(UTF8, []byte{0xff}), `invalid byte sequence for encoding "UTF8": 0xff`},
		{InvalidSequenceMessage(Latin1, "\x00"), `invalid byte sequence for encoding "LATIN1": 0x00`},
		{NoEquivalentMessage("\xe2\x82\xac", UTF8, Latin1),
			`character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestCheckNoNUL(t *testing.T) {
	if err := CheckNoNUL("caf\xe9 \xff", Latin1, errTest); err != nil {
		t.Errorf("LATIN1 bytes without NUL: %v", err)
	}
	err := CheckNoNUL("ab\x00\x00", Latin1, errTest)
	if err == nil || err.Error() != `test: invalid byte sequence for encoding "LATIN1": 0x00` {
		t.Errorf("NUL: %v", err)
	}
}

// A valid text of any length is checked without allocating.
func TestInvalidUTF8DoesNotAllocate(t *testing.T) {
	s := `{"role":"web_anon","email":"zoë@example.com","exp":1700000000}`
	b := []byte(s)
	if n := testing.AllocsPerRun(100, func() {
		_ = CheckUTF8(s, errTest)
		_ = CheckUTF8(b, errTest)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// FuzzInvalidUTF8 compares InvalidUTF8 and CheckUTF8 with referenceInvalid.
func FuzzInvalidUTF8(f *testing.F) {
	for _, v := range loadUTF8Vectors(f) {
		f.Add(unhex(f, v.In))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		seq, bad := InvalidUTF8(b)
		ref, refBad := referenceInvalid(b)
		if bad != refBad || string(seq) != string(ref) {
			t.Fatalf("InvalidUTF8(%x) = %x, %v; reference %x, %v", b, seq, bad, ref, refBad)
		}
		if sseq, sbad := InvalidUTF8(string(b)); sbad != bad || sseq != string(seq) {
			t.Fatalf("string form of %x: %x, %v", b, sseq, sbad)
		}
		if err := CheckUTF8(b, errTest); (err != nil) != refBad {
			t.Fatalf("CheckUTF8(%x) = %v; reference bad %v", b, err, refBad)
		}
		if !bad {
			// Text that passes converts to LATIN1 exactly when every
			// character is at most U+00FF, and comes back unchanged.
			l1, err := UTF8ToLatin1(string(b), errTest)
			fits := true
			for _, r := range string(b) {
				fits = fits && r <= 0xff
			}
			if (err == nil) != fits {
				t.Fatalf("UTF8ToLatin1(%x): %v, fits %v", b, err, fits)
			}
			if err == nil && Latin1ToUTF8(l1) != string(b) {
				t.Fatalf("round trip of %x: %x", b, Latin1ToUTF8(l1))
			}
		}
	})
}

// TestInvalidUTF8Random runs the fuzz comparison on random bytes biased
// towards the interesting ones, so that every plain test run covers it.
func TestInvalidUTF8Random(t *testing.T) {
	r := newRand(7)
	atoms := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xdf,
		0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	b := make([]byte, 0, 72)
	for range n {
		b = b[:0]
		for l := r.IntN(72); l > 0; l-- {
			if r.IntN(12) == 0 {
				b = append(b, atoms[r.IntN(len(atoms))])
			} else {
				b = append(b, 'a')
			}
		}
		seq, bad := InvalidUTF8(b)
		ref, refBad := referenceInvalid(b)
		if bad != refBad || string(seq) != string(ref) {
			t.Fatalf("InvalidUTF8(%x) = %x, %v; reference %x, %v", b, seq, bad, ref, refBad)
		}
	}
}
