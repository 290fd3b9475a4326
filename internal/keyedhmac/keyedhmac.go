// Package keyedhmac keeps an HMAC keyed once with one secret, for many
// sums from many goroutines. Keying costs two hash blocks, more than the
// HMAC of a typical JWT's signing input, and crypto/hmac's value is not
// safe for concurrent use; a MAC holds a few keyed copies that goroutines
// take and give back with one atomic operation each, and keys a fresh one
// when all are busy.
//
// jwt signs and verifies pgjwt tokens with it, and auth/postgrest verifies
// HS256/384/512 signatures with it: one implementation of "keyed once".
package keyedhmac

import (
	"crypto/hmac"
	"crypto/subtle"
	"fmt"
	"hash"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/pgjwt-go/pgjwt/internal/redact"
)

// MaxSize is the largest HMAC a MAC computes here (SHA-512's).
const MaxSize = 64

const slots = 8

// MAC is an HMAC keyed with one secret. It is safe for concurrent use.
// Printing it shows the HMAC's size, never the key.
type MAC struct {
	newHash func() hash.Hash
	key     *[]byte // behind a pointer: reflection shows an address
	size    int
	busy    [slots]atomic.Bool
	keyed   [slots]*keyed
}

// keyed is one keyed HMAC with scratch space for its sum, so that a sum
// costs no allocation.
type keyed struct {
	h   hash.Hash
	sum [MaxSize]byte
}

// New returns a MAC of newHash (whose size must be at most MaxSize) keyed
// with a copy of key.
func New(newHash func() hash.Hash, key []byte) *MAC {
	k := append([]byte(nil), key...)
	m := &MAC{newHash: newHash, key: &k}
	for i := range m.keyed {
		m.keyed[i] = m.fresh()
	}
	m.size = m.keyed[0].h.Size()
	if m.size > MaxSize {
		panic("keyedhmac: hash larger than MaxSize")
	}
	return m
}

func (m *MAC) fresh() *keyed { return &keyed{h: hmac.New(m.newHash, *m.key)} }

// Size is the HMAC's length in bytes.
func (m *MAC) Size() int { return m.size }

// Sum writes the HMAC of data into out and returns out[:Size()]. data is
// only read.
func (m *MAC) Sum(out *[MaxSize]byte, data []byte) []byte {
	for i := range m.busy {
		if m.busy[i].CompareAndSwap(false, true) {
			n := m.keyed[i].sumInto(out, data)
			m.busy[i].Store(false)
			return out[:n]
		}
	}
	return out[:m.fresh().sumInto(out, data)]
}

func (k *keyed) sumInto(out *[MaxSize]byte, data []byte) int {
	k.h.Reset()
	k.h.Write(data)
	return copy(out[:], k.h.Sum(k.sum[:0]))
}

// Equal reports, in constant time, whether mac is the HMAC of data.
func (m *MAC) Equal(data, mac []byte) bool {
	var out [MaxSize]byte
	return subtle.ConstantTimeCompare(m.Sum(&out, data), mac) == 1
}

// EqualString is Equal of a string's bytes, without copying them (the
// hash only reads its input).
func (m *MAC) EqualString(data string, mac []byte) bool {
	return m.Equal(unsafe.Slice(unsafe.StringData(data), len(data)), mac)
}

// String describes the MAC without its key.
func (m *MAC) String() string {
	if m == nil {
		return "<nil>"
	}
	return "keyedhmac.MAC{" + strconv.Itoa(8*m.size) + "-bit, key [REDACTED]}"
}

// Format prints String for every verb.
func (m *MAC) Format(f fmt.State, verb rune) { redact.Write(f, verb, m.String()) }
