package crypt

import (
	"bytes"
	"crypto/des"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
)

// desShaVector is one row of testdata/des-sha-vectors.json: a crypt() call
// of the DES, extended DES or sha-crypt family and what PostgreSQL returns
// (sha rows: PostgreSQL 18; des/xdes rows: 13–18). *_hex fields hold bytes
// that are not valid UTF-8.
type desShaVector struct {
	Algo        string `json:"algo"` // "des", "xdes" or "sha"
	Password    string `json:"password"`
	PasswordHex string `json:"password_hex"`
	Setting     string `json:"setting"`
	SettingHex  string `json:"setting_hex"`
	Result      string `json:"result"`
	ResultHex   string `json:"result_hex"`
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Notice *Notice `json:"notice"`
	Slow   bool    `json:"slow"` // minutes of work; run only with PGJWT_SLOW_VECTORS=1
	Note   string  `json:"note"`
}

func (v *desShaVector) UnmarshalJSON(b []byte) error {
	type plain desShaVector
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*v = desShaVector(p)
	for _, f := range []struct{ s, h *string }{{&v.Password, &v.PasswordHex}, {&v.Setting, &v.SettingHex}, {&v.Result, &v.ResultHex}} {
		if *f.h != "" {
			raw, err := hex.DecodeString(*f.h)
			if err != nil {
				return err
			}
			*f.s = string(raw)
		}
	}
	return nil
}

func loadDesShaVectors(t testing.TB) []desShaVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/des-sha-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []desShaVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 100 {
		t.Fatalf("only %d vectors", len(vs))
	}
	return vs
}

// run computes the vector with this package's function for its algorithm.
func (v *desShaVector) run() ([]byte, []Notice, error) {
	var notices []Notice
	var res []byte
	var err error
	switch v.Algo {
	case "des":
		res, err = desCrypt([]byte(v.Password), []byte(v.Setting))
	case "xdes":
		res, err = xdesCrypt([]byte(v.Password), []byte(v.Setting))
	case "sha":
		res, err = shaCrypt([]byte(v.Password), []byte(v.Setting), func(n Notice) { notices = append(notices, n) }, dbEncoding{})
	default:
		err = errors.New("unknown algo " + v.Algo)
	}
	return res, notices, err
}

// check compares an outcome with the vector's expectation.
func (v *desShaVector) check(t *testing.T, res []byte, notices []Notice, err error) {
	t.Helper()
	if v.Error != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code != v.Error.Code || e.Message != v.Error.Message {
			t.Errorf("crypt(%q, %q) = %q, %v; want error %s %q", v.Password, v.Setting, res, err, v.Error.Code, v.Error.Message)
		}
	} else if err != nil || string(res) != v.Result {
		t.Errorf("crypt(%q, %q) = %q, %v; want %q", v.Password, v.Setting, res, err, v.Result)
	}
	var want []Notice
	if v.Notice != nil {
		want = []Notice{*v.Notice}
	}
	if len(notices) != len(want) || (len(want) == 1 && notices[0] != want[0]) {
		t.Errorf("crypt(%q, %q) notices %q; want %q", v.Password, v.Setting, notices, want)
	}
}

// skipVector reports why a vector is too slow for this run, or "".
func skipVector(v *desShaVector) string {
	if v.Slow && os.Getenv("PGJWT_SLOW_VECTORS") != "1" {
		return "slow vector (set PGJWT_SLOW_VECTORS=1)"
	}
	return ""
}

func TestDESFamilyVectors(t *testing.T) {
	for _, v := range loadDesShaVectors(t) {
		if v.Algo == "sha" {
			continue
		}
		if why := skipVector(&v); why != "" {
			t.Logf("skip %q %q: %s", v.Password, v.Setting, why)
			continue
		}
		res, notices, err := v.run()
		v.check(t, res, notices, err)
	}
}

// TestDESBlockMatchesCryptoDES checks the DES core (tables, key schedule,
// permutations) against crypto/des on random keys and blocks: with no salt
// and one pass, crypt's DES is plain DES.
func TestDESBlockMatchesCryptoDES(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var key [8]byte
		var blk, want [8]byte
		binary.BigEndian.PutUint64(key[:], r.Uint64())
		binary.BigEndian.PutUint64(blk[:], r.Uint64())
		c, err := des.NewCipher(key[:])
		if err != nil {
			t.Fatal(err)
		}
		c.Encrypt(want[:], blk[:])
		var ks desKeys
		ks.setKey(&key)
		in := desPermute(&desTabs.ip, binary.BigEndian.Uint64(blk[:]))
		hi, lo := ks.encrypt(uint32(in>>32), uint32(in), 0, 0, 1)
		if got := desPermute(&desTabs.fp, uint64(hi)<<32|uint64(lo)); got != binary.BigEndian.Uint64(want[:]) {
			t.Fatalf("key %x block %x: got %016x, crypto/des %x", key, blk, got, want)
		}
	}
}

func TestDESSBoxesArePermutations(t *testing.T) {
	for i, box := range desSBox {
		for row, line := range box {
			var seen uint32
			for _, v := range line {
				seen |= 1 << v
			}
			if seen != 0xffff {
				t.Errorf("S%d row %d is not a permutation of 0..15", i+1, row)
			}
		}
	}
}

// TestDESSaltCharValues pins the salt character mapping: the crypt(3)
// alphabet in order, and 0 for every other byte.
func TestDESSaltCharValues(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := uint32(bytes.IndexByte([]byte(cryptAlphabet), byte(c)))
		if want == ^uint32(0) {
			want = 0
		}
		if got := desSaltValue(byte(c)); got != want {
			t.Errorf("desSaltValue(%#x) = %d, want %d", c, got, want)
		}
	}
}

// TestDESProperties checks what must hold for any input: the length and
// echoed prefix of results, the 8-byte key limit and lost high bits of
// traditional DES, and that extended DES keeps every byte.
func TestDESProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(1 + r.IntN(255))
		}
		return b
	}
	for range 300 {
		pw, setting := randBytes(r.IntN(20)), randBytes(2+r.IntN(10))
		res, err := desCrypt(pw, setting)
		if err != nil || len(res) != 13 || !bytes.Equal(res[:2], setting[:2]) {
			t.Fatalf("desCrypt(%q, %q) = %q, %v", pw, setting, res, err)
		}
		flipped := append(bytes.Clone(pw), randBytes(3)...)
		for i := range flipped {
			if i < 8 {
				flipped[i] ^= 0x80
				if flipped[i] == 0 {
					flipped[i] = 0x80
				}
			}
		}
		// Same key: the high bits are dropped and bytes past 8 ignored.
		if len(pw) >= 8 {
			if res2, _ := desCrypt(flipped, setting); !bytes.Equal(res, res2) {
				t.Fatalf("desCrypt(%q) != desCrypt(%q)", pw, flipped)
			}
		}
		xs := append([]byte("_"), randBytes(8)...)
		copy(xs[1:], "z/..") // count 127: cheap and never 0
		xr, err := xdesCrypt(pw, xs)
		if err != nil || len(xr) != 20 || !bytes.Equal(xr[:9], xs[:9]) {
			t.Fatalf("xdesCrypt(%q, %q) = %q, %v", pw, xs, xr, err)
		}
		if len(pw) > 0 {
			longer := append(bytes.Clone(pw), 'x')
			if xr2, _ := xdesCrypt(longer, xs); bytes.Equal(xr, xr2) {
				t.Fatalf("xdesCrypt ignores a byte appended to %q", pw)
			}
		}
	}
}

// FuzzDESFamily: desCrypt and xdesCrypt never panic, fail exactly when
// pgcrypto does, and echo the salt bytes before 11 hash characters.
func FuzzDESFamily(f *testing.F) {
	for _, v := range loadDesShaVectors(f) {
		if v.Algo != "sha" && !v.Slow {
			f.Add([]byte(v.Password), []byte(v.Setting))
		}
	}
	f.Fuzz(func(t *testing.T, pw, setting []byte) {
		res, err := desCrypt(pw, setting)
		switch {
		case len(setting) < 2:
			if !errors.Is(err, ErrInvalidSalt) {
				t.Fatalf("desCrypt(%q): %q, %v", setting, res, err)
			}
		case err != nil || len(res) != 13 || !bytes.Equal(res[:2], setting[:2]) || !dsAllAlphabet(res[2:]):
			t.Fatalf("desCrypt(%q): %q, %v", setting, res, err)
		}
		xs := append([]byte("_"), setting...)
		var count uint32
		if len(xs) >= 9 {
			for i := 0; i < 4; i++ {
				count |= desSaltValue(xs[1+i]) << (6 * i)
			}
			if count > 5000 {
				return // correct but slow
			}
		}
		res, err = xdesCrypt(pw, xs)
		switch {
		case len(xs) < 9:
			if !errors.Is(err, ErrInvalidSalt) {
				t.Fatalf("xdesCrypt(%q): %q, %v", xs, res, err)
			}
		case count == 0:
			if !errors.Is(err, ErrReturnedNull) {
				t.Fatalf("xdesCrypt(%q): %q, %v", xs, res, err)
			}
		case err != nil || len(res) != 20 || !bytes.Equal(res[:9], xs[:9]) || !dsAllAlphabet(res[9:]):
			t.Fatalf("xdesCrypt(%q): %q, %v", xs, res, err)
		}
	})
}

func dsAllAlphabet(b []byte) bool {
	for _, c := range b {
		if bytes.IndexByte([]byte(cryptAlphabet), c) < 0 {
			return false
		}
	}
	return true
}
