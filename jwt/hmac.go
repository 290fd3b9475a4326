package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"sync"
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

func (a algorithm) macLen() int { return base64.RawURLEncoding.EncodedLen(a.macSize()) }

// keyedMAC is an HMAC already keyed with one secret, with scratch space for
// its sum, so that a signature costs no allocation.
type keyedMAC struct {
	h   hash.Hash
	sum [64]byte
}

// keyCache holds, per (algorithm, secret), a pool of keyed HMACs: keying an
// HMAC costs two extra hash blocks, more than the MAC of a typical token.
// The cache is bounded; when full it is emptied and refilled, so a caller
// that uses many secrets only loses the speed-up.
type keyCache struct {
	mu    sync.RWMutex
	pools map[cacheKey]*sync.Pool
}

type cacheKey struct {
	alg    algorithm
	secret string
}

const keyCacheSize = 64

var macs = keyCache{pools: map[cacheKey]*sync.Pool{}}

func (c *keyCache) pool(alg algorithm, secret string) *sync.Pool {
	k := cacheKey{alg, secret}
	c.mu.RLock()
	p := c.pools[k]
	c.mu.RUnlock()
	if p != nil {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p = c.pools[k]; p != nil {
		return p
	}
	if len(c.pools) >= keyCacheSize {
		c.pools = map[cacheKey]*sync.Pool{}
	}
	key := []byte(secret)
	newHash := alg.newHash()
	p = &sync.Pool{New: func() any { return &keyedMAC{h: hmac.New(newHash, key)} }}
	c.pools[k] = p
	return p
}

// appendMAC appends the unpadded base64url HMAC of data under secret: the
// text pgjwt's algorithm_sign returns. alg must be known.
func appendMAC(dst []byte, data []byte, secret string, alg algorithm) []byte {
	p := macs.pool(alg, secret)
	m := p.Get().(*keyedMAC)
	m.h.Reset()
	m.h.Write(data)
	sum := m.h.Sum(m.sum[:0])
	dst = base64.RawURLEncoding.AppendEncode(dst, sum)
	p.Put(m)
	return dst
}
