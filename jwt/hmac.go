package jwt

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"sync"
	"sync/atomic"

	"github.com/pgjwt-go/pgjwt/internal/keyedhmac"
)

// algorithm is one of the three names pgjwt maps to a pgcrypto digest.
type algorithm uint8

const (
	algUnknown algorithm = iota
	algHS256
	algHS384
	algHS512
)

// algorithmOf maps a name as pgjwt's algorithm_sign does: exact,
// case-sensitive equality with HS256, HS384 or HS512; anything else (also
// "hs256" or "HS256 ") is unknown.
func algorithmOf(name string) algorithm {
	switch name {
	case "HS256":
		return algHS256
	case "HS384":
		return algHS384
	case "HS512":
		return algHS512
	}
	return algUnknown
}

func (a algorithm) newHash() func() hash.Hash {
	switch a {
	case algHS256:
		return sha256.New
	case algHS384:
		return sha512.New384
	}
	return sha512.New
}

// macSize is the HMAC length in bytes; macLen the length of its unpadded
// base64url text.
func (a algorithm) macSize() int {
	switch a {
	case algHS256:
		return 32
	case algHS384:
		return 48
	}
	return 64
}

func (a algorithm) macLen() int { return encodedLen(a.macSize()) }

// keyedMACs is the HMAC keyed with one (algorithm, secret):
// internal/keyedhmac keys it once for all goroutines.
type keyedMACs struct {
	key cacheKey
	mac *keyedhmac.MAC
}

func newKeyedMACs(k cacheKey) *keyedMACs {
	return &keyedMACs{key: k, mac: keyedhmac.New(k.alg.newHash(), []byte(k.secret))}
}

// appendMAC appends the unpadded base64url HMAC of data to dst.
func (m *keyedMACs) appendMAC(dst, data []byte) []byte {
	var sum [keyedhmac.MaxSize]byte
	return appendURLEncode(dst, m.mac.Sum(&sum, data))
}

// keyCache maps (algorithm, secret) to its keyed HMACs. It is bounded: when
// full it is emptied and refilled, so a caller that uses very many secrets
// only loses the speed-up.
type keyCache struct {
	// last is the most recently used entry: most programs use one secret,
	// and an atomic load plus a string comparison beats the locked map.
	last    atomic.Pointer[keyedMACs]
	mu      sync.RWMutex
	entries map[cacheKey]*keyedMACs
}

type cacheKey struct {
	alg    algorithm
	secret string
}

const keyCacheSize = 64

var macs = keyCache{entries: map[cacheKey]*keyedMACs{}}

func (c *keyCache) get(alg algorithm, secret string) *keyedMACs {
	if e := c.last.Load(); e != nil && e.key.alg == alg && e.key.secret == secret {
		return e
	}
	k := cacheKey{alg, secret}
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	if e == nil {
		c.mu.Lock()
		if e = c.entries[k]; e == nil {
			if len(c.entries) >= keyCacheSize {
				c.entries = map[cacheKey]*keyedMACs{}
			}
			e = newKeyedMACs(k)
			c.entries[k] = e
		}
		c.mu.Unlock()
	}
	c.last.Store(e)
	return e
}

// appendMAC appends the unpadded base64url HMAC of data under secret: the
// text pgjwt's algorithm_sign returns. alg must be known.
func appendMAC(dst []byte, data []byte, secret string, alg algorithm) []byte {
	return macs.get(alg, secret).appendMAC(dst, data)
}
