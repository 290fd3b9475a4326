package pgjsonlex

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// FuzzModes holds the modes to each other and to encoding/json: json input
// accepts exactly RFC 8259 (on valid UTF-8); what de-escaping accepts, json
// input accepts; InputThenUnescape gives json input's error, then
// de-escaping's; and a de-escaped string is what encoding/json reads.
func FuzzModes(f *testing.F) {
	for _, s := range edgeTexts[:len(edgeTexts)-2] {
		f.Add(s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		f.Add(pgtest.JSONText(r, false))
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		input := Validate(in, Options{Errors: testErrors})
		unescape := Validate(in, Options{Mode: Unescape, Errors: testErrors})
		if utf8.Valid(in) && (input == nil) != json.Valid(in) {
			t.Fatalf("%q: json input %v, encoding/json valid %v", s, input, json.Valid(in))
		}
		if unescape == nil && input != nil {
			t.Fatalf("%q: de-escaping accepts, json input says %v", s, input)
		}
		p := NewParser(in, Options{Mode: InputThenUnescape, Errors: testErrors})
		var err error
		for {
			var ev Event
			if ev, err = p.Next(); err != nil || ev == Done {
				break
			}
		}
		if goVerdict(err) != goVerdict(input) {
			t.Fatalf("%q: InputThenUnescape %v, json input %v", s, err, input)
		}
		if input == nil && goVerdict(p.EscapeErr()) != goVerdict(unescape) {
			t.Fatalf("%q: deferred %v, de-escaping %v", s, p.EscapeErr(), unescape)
		}
		if unescape != nil {
			return
		}
		p = NewParser(in, Options{Mode: Unescape, Errors: testErrors})
		for {
			ev, err := p.Next()
			if err != nil {
				t.Fatalf("%q: %v after Validate accepted it", s, err)
			}
			if ev == Done {
				break
			}
			if ev == Key || ev == Scalar && p.Kind() == String {
				var want string
				if err := json.Unmarshal(p.Token(), &want); err != nil {
					t.Fatalf("%q: token %q: %v", s, p.Token(), err)
				}
				if got := p.AppendText(nil); !bytes.Equal(got, []byte(want)) && utf8.Valid(p.Token()) {
					t.Fatalf("%q: token %q de-escapes to %q, encoding/json %q", s, p.Token(), got, want)
				}
			}
		}
	})
}
