package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/pgjwt-go/pgjwt/crypt"
)

// hashPool bounds a Service's hashing work (WithHashConcurrency slots, a
// queue of WithHashQueue callers) and, when more bcrypt verifications are
// waiting than there are slots, computes two or three at once with
// crypt.Version.VerifyBatch: per core, a pair takes about 1.1 times the time
// of one hash and three about 1.2 times (BENCHMARKS.md), so at saturation
// the pool verifies two to two and a half times as many passwords per
// second and the queue drains as much faster.
//
// A verification is grouped only with ones that would otherwise wait:
//   - a caller holding a slot takes partners (up to crypt.MaxInterleaved-1)
//     from the callers queued for a slot (each queued bcrypt verification
//     offers itself as a partner while it waits), without delay;
//   - when no slot is idle and callers have queued in the last
//     pairPressure, a slot holder without a full group waits up to
//     pairWait for more partners, or, while it has none, hands its own
//     verification to a holder that is waiting (and frees its slot).
//
// With a slot idle, or without recent queueing (low load), a verification
// runs alone at once, as before. Partners are chosen by cost only
// (crypt.Pairable), never by password or by whether the user exists, so
// an unknown email (the dummy hash) pairs exactly like a wrong password
// and the time taken still does not tell them apart.
type hashPool struct {
	slots    chan struct{}
	waiting  atomic.Int64 // calls waiting for a slot
	maxWait  int64
	version  crypt.Version
	pairing  bool          // false: every verification alone (the pool before pairing)
	pairWait time.Duration // how long a slot holder waits for a partner
	// partners[cost] passes a bcrypt verification of that cost to a slot
	// holder that computes it together with its own.
	partners   [32]chan *verifyReq
	epoch      time.Time
	lastQueued atomic.Int64 // time since epoch when a call last had to queue
	pairs      atomic.Int64 // groups of two computed together
	triples    atomic.Int64 // groups of three

	// The Service's counters and its "queue full" record (observe.go); nil
	// for a pool built alone.
	counters *serviceCounters
	onFull   func(context.Context)
}

// refuse is the answer of a full queue.
func (p *hashPool) refuse(ctx context.Context) error {
	if p.onFull != nil {
		p.onFull(ctx)
	}
	return ErrHashQueueFull
}

// queued counts a call that has to wait for a slot; the function it
// returns adds the time waited.
func (p *hashPool) queued() func() {
	c := p.counters
	if c == nil {
		return func() {}
	}
	c.waits.Add(1)
	start := time.Now()
	return func() { c.waitNanos.Add(int64(time.Since(start))) }
}

// held counts ops verifications computed in a slot held since start.
func (p *hashPool) held(start time.Time, ops uint64) {
	if c := p.counters; c != nil {
		c.ops.Add(ops)
		c.hashNanos.Add(int64(time.Since(start)))
	}
}

// pairWait is short next to one bcrypt (3.5 ms at cost 6: 3 %), and long
// enough for a client whose login just ended to send the next one.
const (
	defaultPairWait = 100 * time.Microsecond
	pairPressure    = 50 * time.Millisecond
)

// verifyReq is a verification handed to another goroutine.
type verifyReq struct {
	pass, hash string
	ok         bool
	err        error
	done       chan struct{} // closed when ok and err are set
}

// init makes p a pool of concurrent slots and a queue of queue callers.
func (p *hashPool) init(concurrent, queue int, v crypt.Version) {
	p.slots, p.maxWait, p.version = make(chan struct{}, concurrent), int64(queue), v
	p.pairing, p.pairWait, p.epoch = true, defaultPairWait, time.Now()
	p.lastQueued.Store(int64(-pairPressure)) // no call has queued yet
	for i := range p.partners {
		p.partners[i] = make(chan *verifyReq)
	}
}

// verify is crypt.Version.Verify(pass, hash) inside the pool: it waits
// for a slot (or a partner) as acquire does, with the same errors
// (ErrHashQueueFull, the context's error while waiting).
func (p *hashPool) verify(ctx context.Context, pass, hash string) (bool, error) {
	cost, ok := crypt.PairCost(hash)
	if !ok || !p.pairing {
		if err := p.acquire(ctx); err != nil {
			return false, err
		}
		defer p.release()
		defer p.held(time.Now(), 1)
		return p.version.Verify(pass, hash)
	}
	partners := p.partners[cost]
	if err := ctx.Err(); err != nil {
		return false, err
	}
	select {
	case p.slots <- struct{}{}:
		return p.holding(ctx, partners, pass, hash)
	default:
	}
	if p.waiting.Add(1) > p.maxWait {
		p.waiting.Add(-1)
		return false, p.refuse(ctx)
	}
	p.lastQueued.Store(int64(time.Since(p.epoch)))
	r := &verifyReq{pass: pass, hash: hash, done: make(chan struct{})}
	done := p.queued()
	defer done()
	select {
	case p.slots <- struct{}{}:
		p.waiting.Add(-1)
		return p.holding(ctx, partners, pass, hash)
	case partners <- r:
		// A slot holder computes it now, with its own.
		p.waiting.Add(-1)
		<-r.done
		return r.ok, r.err
	case <-ctx.Done():
		p.waiting.Add(-1)
		return false, ctx.Err()
	}
}

// holding verifies pass against hash with a slot taken, releasing it.
func (p *hashPool) holding(ctx context.Context, partners chan *verifyReq, pass, hash string) (bool, error) {
	start := time.Now()
	if len(p.slots) == cap(p.slots) {
		// This call took the last idle slot. Let goroutines that can run
		// now (requests of a burst, arriving together) reach the queue
		// first, where they can be partners; alone, this costs well under
		// a microsecond.
		runtime.Gosched()
	}
	var g partnerReqs
	g.takeQueued(partners) // callers queued for a slot
	if !g.full() && len(p.slots) == cap(p.slots) && time.Since(p.epoch)-time.Duration(p.lastQueued.Load()) < pairPressure {
		// No slot idle and callers queue: partners are likely to come.
		// A holder with none yet may instead hand its own verification to
		// a holder that is waiting (a nil channel never sends).
		var own *verifyReq
		var handOver chan *verifyReq
		if g.n == 0 {
			own = &verifyReq{pass: pass, hash: hash, done: make(chan struct{})}
			handOver = partners
		}
		t := time.NewTimer(p.pairWait)
	wait:
		for !g.full() {
			select {
			case r := <-partners:
				g.add(r)
				handOver = nil
			case handOver <- own: // a waiting holder computes it
				t.Stop()
				p.held(start, 0)
				p.release()
				<-own.done
				return own.ok, own.err
			case <-ctx.Done():
				if g.n == 0 {
					t.Stop()
					p.held(start, 0)
					p.release()
					return false, ctx.Err()
				}
				break wait // the partners taken are computed all the same
			case <-t.C:
				break wait
			}
		}
		t.Stop()
	}
	if g.n == 0 {
		defer p.release()
		defer p.held(start, 1)
		return p.version.Verify(pass, hash)
	}
	return p.group(start, pass, hash, g)
}

// partnerReqs are the partners a slot holder computes with its own
// verification.
type partnerReqs struct {
	r [crypt.MaxInterleaved - 1]*verifyReq
	n int
}

func (g *partnerReqs) full() bool { return g.n == len(g.r) }

func (g *partnerReqs) add(r *verifyReq) {
	g.r[g.n] = r
	g.n++
}

// takeQueued adds the partners queued right now, up to a full group; it
// never waits.
func (g *partnerReqs) takeQueued(partners chan *verifyReq) {
	for !g.full() {
		select {
		case r := <-partners:
			g.add(r)
		default:
			return
		}
	}
}

// group computes the holder's verification and its partners' together,
// releases the slot and hands each partner its result.
func (p *hashPool) group(start time.Time, pass, hash string, g partnerReqs) (bool, error) {
	var checks [crypt.MaxInterleaved]crypt.Check
	checks[0] = crypt.Check{Password: pass, Hash: hash}
	for i, r := range g.r[:g.n] {
		checks[i+1] = crypt.Check{Password: r.pass, Hash: r.hash}
	}
	p.version.VerifyBatch(checks[:g.n+1])
	if g.n == 1 {
		p.pairs.Add(1)
	} else {
		p.triples.Add(1)
	}
	p.held(start, uint64(g.n+1))
	p.release()
	for i, r := range g.r[:g.n] {
		r.ok, r.err = checks[i+1].OK, checks[i+1].Err
		close(r.done)
	}
	return checks[0].OK, checks[0].Err
}

// grouped is how many verifications were computed in pairs or triples
// (Stats.HashGrouped).
func (p *hashPool) grouped() int64 { return 2*p.pairs.Load() + 3*p.triples.Load() }

// acquire takes a hashing slot, waiting in the bounded queue when none is
// free. Unknown emails and wrong passwords pass through it alike, so it
// does not change what a failed login costs.
func (p *hashPool) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	// A released slot goes straight to a waiting sender (the runtime hands
	// it over), so this fast path does not jump the queue.
	if p.waiting.Add(1) > p.maxWait {
		p.waiting.Add(-1)
		return p.refuse(ctx)
	}
	defer p.waiting.Add(-1)
	defer p.queued()()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *hashPool) release() { <-p.slots }
