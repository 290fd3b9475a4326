package pgtext

import "testing"

func TestUTF8ToLatin1(t *testing.T) {
	tests := []struct {
		in, want, msg string
	}{
		{"", "", ""},
		{"plain", "plain", ""},
		{"caf\u00e9 \u00ff\u0080", "caf\xe9 \xff\x80", ""},
		{"a\u20acb", "", `character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"`},
		{"\u00e9\u0100", "", `character with byte sequence 0xc4 0x80 in encoding "UTF8" has no equivalent in encoding "LATIN1"`},
		{"x\U0001F600", "", `character with byte sequence 0xf0 0x9f 0x98 0x80 in encoding "UTF8" has no equivalent in encoding "LATIN1"`},
		// Not valid UTF-8 (callers check first): quoted alone, no panic.
		{"\xe2\x82", "", `character with byte sequence 0xe2 in encoding "UTF8" has no equivalent in encoding "LATIN1"`},
	}
	for _, tt := range tests {
		got, err := UTF8ToLatin1(tt.in, errTest)
		if tt.msg == "" {
			if err != nil || got != tt.want {
				t.Errorf("UTF8ToLatin1(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || err.Error() != "test: "+tt.msg || got != "" {
			t.Errorf("UTF8ToLatin1(%q) = %q, %v; want error %q", tt.in, got, err, tt.msg)
		}
	}
}

func TestLatin1ToUTF8(t *testing.T) {
	// Pairs of LATIN1 input and UTF-8 output.
	pairs := []string{"", "", "plain", "plain", "caf\xe9", "café", "a\x00b", "a\x00b",
		"\x80\xa0\xff", "\u0080\u00a0\u00ff", "\xe2\x82\xac", "\u00e2\u0082\u00ac"}
	for i := 0; i < len(pairs); i += 2 {
		if got := Latin1ToUTF8(pairs[i]); got != pairs[i+1] {
			t.Errorf("Latin1ToUTF8(%q) = %q, want %q", pairs[i], got, pairs[i+1])
		}
	}
	// Every LATIN1 byte round-trips.
	all := make([]byte, 255)
	for i := range all {
		all[i] = byte(i + 1)
	}
	if back, err := UTF8ToLatin1(Latin1ToUTF8(string(all)), errTest); err != nil || back != string(all) {
		t.Errorf("round trip of all bytes: %v", err)
	}
}
