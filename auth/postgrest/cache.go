package postgrest

import (
	"sync"
	"sync/atomic"
)

// tokenCache is PostgREST's jwt-cache-max-entries cache (v14+): a bounded map
// from the raw token to what verifying it produced, with SIEVE eviction. Only
// tokens whose signature verified and whose payload is an object are stored.
// An entry holds the parsed claims, not a verdict: exp, nbf and iat are
// checked against the clock on every hit, so a cached token is never accepted
// after its exp or before its nbf (v12/v13's TTL cache skipped that).
type tokenCache struct {
	max       int
	evictions *atomic.Uint64 // the Authenticator's counter

	mu      sync.RWMutex
	entries map[string]*cacheNode
	head    *cacheNode // newest
	tail    *cacheNode // oldest
	hand    *cacheNode // SIEVE's eviction pointer, moves tail → head
}

type cacheNode struct {
	token      string
	entry      *verifiedToken
	visited    atomic.Bool
	prev, next *cacheNode // prev is older, next is newer
}

// newTokenCache returns nil for max ≤ 0: no cache, as in PostgREST.
func newTokenCache(max int, evictions *atomic.Uint64) *tokenCache {
	if max <= 0 {
		return nil
	}
	return &tokenCache{max: max, evictions: evictions, entries: make(map[string]*cacheNode, min(max, 1<<16))}
}

// get returns the entry for token and marks it visited (a SIEVE hit needs no
// write lock: the flag is atomic). The entry is read under the read lock, as
// put may replace it when two requests verified the same token at once.
func (c *tokenCache) get(token string) *verifiedToken {
	c.mu.RLock()
	n := c.entries[token]
	var entry *verifiedToken
	if n != nil {
		entry = n.entry
	}
	c.mu.RUnlock()
	if n == nil {
		return nil
	}
	n.visited.Store(true)
	return entry
}

// put stores entry for token, evicting one unvisited entry when full.
func (c *tokenCache) put(token string, entry *verifiedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.entries[token]; n != nil {
		n.entry = entry
		return
	}
	for len(c.entries) >= c.max {
		c.evict()
	}
	n := &cacheNode{token: token, entry: entry, prev: c.head}
	if c.head != nil {
		c.head.next = n
	}
	c.head = n
	if c.tail == nil {
		c.tail = n
	}
	c.entries[token] = n
}

// remove drops token (used for entries that can never be valid again) and
// reports whether it was there.
func (c *tokenCache) remove(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.entries[token]
	if n != nil {
		c.unlink(n)
	}
	return n != nil
}

// evict is SIEVE: from the hand towards newer entries, clear visited flags
// until an unvisited entry is found, and drop it.
func (c *tokenCache) evict() {
	n := c.hand
	if n == nil {
		n = c.tail
	}
	for n.visited.Load() {
		n.visited.Store(false)
		n = n.next
		if n == nil {
			n = c.tail
		}
	}
	c.hand = n.next
	c.unlink(n)
	c.evictions.Add(1)
}

func (c *tokenCache) unlink(n *cacheNode) {
	if c.hand == n {
		c.hand = n.next
	}
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		c.tail = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		c.head = n.prev
	}
	n.prev, n.next = nil, nil
	delete(c.entries, n.token)
}

// len reports the number of cached tokens.
func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
