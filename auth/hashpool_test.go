package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func newTestPool(concurrent, queue int) *hashPool {
	p := new(hashPool)
	p.init(concurrent, queue, crypt.ForVersion(crypt.MaxMajor))
	return p
}

// pressure makes p behave as if a call had just queued.
func (p *hashPool) pressure() { p.lastQueued.Store(int64(time.Since(p.epoch))) }

type poolCase struct {
	pass, hash string
	ok         bool
	err        error
}

// poolCases are checks of every kind the pool sees: bcrypt of two costs
// and both variants, right and wrong passwords, a NUL password, md5-crypt,
// and an unusable hash; the expected results are crypt.Verify's.
func poolCases(t *testing.T) []poolCase {
	t.Helper()
	var cases []poolCase
	for i, setting := range []string{"bf4", "bf4", "bf5", "2x4", "md5"} {
		var salt string
		var err error
		switch setting {
		case "md5":
			salt, err = crypt.GenSalt("md5")
		case "2x4":
			salt, err = crypt.GenSaltRounds("bf", 4)
			salt = "$2x$" + salt[4:]
		case "bf5":
			salt, err = crypt.GenSaltRounds("bf", 5)
		default:
			salt, err = crypt.GenSaltRounds("bf", 4)
		}
		require.NoError(t, err)
		pw := fmt.Sprintf("pässword %d", i)
		hash, err := crypt.Crypt(pw, salt)
		require.NoError(t, err)
		for _, try := range []string{pw, pw + "x", "", "a\x00b"} {
			cases = append(cases, poolCase{pass: try, hash: hash})
		}
	}
	cases = append(cases, poolCase{pass: "pw", hash: "$2a$04$short"}, poolCase{pass: "pw", hash: "$2a$04$" + string(make([]byte, 53))})
	for i := range cases {
		cases[i].ok, cases[i].err = crypt.Verify(cases[i].pass, cases[i].hash)
	}
	return cases
}

// TestHashPoolConcurrent: many goroutines verify through a saturated pool
// of two slots; every result is crypt.Verify's, whatever the pairing, and
// pairs were formed. Run it with -race.
func TestHashPoolConcurrent(t *testing.T) {
	cases := poolCases(t)
	p := newTestPool(2, 1000)
	rounds := 3
	if pgtest.Trimmed() {
		rounds = 1
	}
	var wg sync.WaitGroup
	for g := range 4 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for r := range rounds {
				for k := range cases {
					c := cases[(k+g*7+r)%len(cases)]
					ok, err := p.verify(context.Background(), c.pass, c.hash)
					assert.Equal(t, c.ok, ok, "%q against %q", c.pass, c.hash)
					if c.err == nil {
						assert.NoError(t, err)
					} else {
						assert.ErrorIs(t, err, c.err)
					}
				}
			}
		})
	}
	wg.Wait()
	assert.Positive(t, p.pairs.Load()+p.triples.Load(), "no verification was grouped at saturation")
	assert.Zero(t, p.waiting.Load())
	assert.Zero(t, len(p.slots))
	t.Logf("%d pairs, %d triples", p.pairs.Load(), p.triples.Load())
}

// TestHashPoolPairsAtSaturation: logins of 4×GOMAXPROCS clients through a
// Service, right, wrong and unknown alike, are paired; the dummy hash has
// the cost of the stored ones, so unknown emails pair like wrong passwords.
func TestHashPoolPairsAtSaturation(t *testing.T) {
	store := NewMemStore("web")
	svc, err := NewService(store, testSecret)
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	u, err := store.LookupUser(t.Context(), "u@example.com")
	require.NoError(t, err)
	costU, okU := crypt.PairCost(u.Hash)
	costD, okD := crypt.PairCost(svc.dummy)
	require.True(t, okU && okD)
	require.Equal(t, costU, costD)

	n := 4
	if pgtest.RaceEnabled {
		n = 1
	}
	var wg sync.WaitGroup
	for g := range 4 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range n {
				switch (g + i) % 3 {
				case 0:
					_, err := svc.Login(context.Background(), "u@example.com", "pw")
					assert.NoError(t, err)
				case 1:
					_, err := svc.Login(context.Background(), "u@example.com", "wrong")
					assert.ErrorIs(t, err, ErrInvalidPassword)
				default:
					_, err := svc.Login(context.Background(), "nobody@example.com", "pw")
					assert.ErrorIs(t, err, ErrInvalidPassword)
				}
			}
		})
	}
	wg.Wait()
	assert.Positive(t, svc.pairs.Load()+svc.triples.Load())
	st := svc.Stats()
	assert.Equal(t, uint64(2*svc.pairs.Load()+3*svc.triples.Load()), st.HashGrouped)
	assert.LessOrEqual(t, st.HashGrouped, st.HashOps)
}

// TestHashPoolOneClientNoDelay: one client at a time, with one slot or
// two, is never held back for a partner (the wait would take a second
// here) and never paired.
func TestHashPoolOneClientNoDelay(t *testing.T) {
	cases := poolCases(t)
	for _, slots := range []int{1, 2} {
		p := newTestPool(slots, 1000)
		p.pairWait = 2 * time.Second
		start := time.Now()
		for _, c := range cases[:8] { // cost 4
			ok, err := p.verify(context.Background(), c.pass, c.hash)
			require.NoError(t, err)
			require.Equal(t, c.ok, ok)
		}
		assert.Less(t, time.Since(start), p.pairWait, "%d slots: a lone client waited for a partner", slots)
		assert.Zero(t, p.pairs.Load()+p.triples.Load())
	}
}

// waitSlots waits until n slots of p are taken.
func waitSlots(t *testing.T, p *hashPool, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(p.slots) == n }, 5*time.Second, time.Millisecond)
}

// TestHashPoolPartnerWait: under pressure with no slot idle, a slot holder
// waits for partners: callers that then queue are computed with it (two
// make a triple; with one, the wait for a third ends after pairWait), a
// second slot holder hands its verification over and frees its slot, a
// holder whose context ends while waiting gives up at once and frees its
// slot, or, with a partner taken, stops waiting and computes the pair.
func TestHashPoolPartnerWait(t *testing.T) {
	cases := poolCases(t)
	right, wrong := cases[0], cases[1]
	require.True(t, right.ok)
	require.False(t, wrong.ok)
	verify := func(p *hashPool, ctx context.Context, c poolCase, out chan<- error) {
		go func() {
			ok, err := p.verify(ctx, c.pass, c.hash)
			if err == nil && ok != c.ok {
				err = fmt.Errorf("%q: got %v", c.pass, ok)
			}
			out <- err
		}()
	}

	// busy is a pool of slots slots with pairWait wait, taken of them held
	// by the test, and pressure on (a call has just queued).
	busy := func(t *testing.T, slots, taken int, wait time.Duration) *hashPool {
		p := newTestPool(slots, 10)
		p.pairWait = wait
		for range taken {
			require.NoError(t, p.acquire(t.Context()))
		}
		p.pressure()
		return p
	}

	t.Run("queued partners", func(t *testing.T) {
		p := busy(t, 2, 1, time.Minute)
		out := make(chan error, 3)
		verify(p, t.Context(), right, out)
		waitSlots(t, p, 2) // holds the second slot, waiting for partners
		verify(p, t.Context(), wrong, out)
		verify(p, t.Context(), right, out)
		for range 3 {
			require.NoError(t, <-out)
		}
		assert.Equal(t, int64(1), p.triples.Load())
		assert.Zero(t, p.pairs.Load())
		assert.Equal(t, 1, len(p.slots))
		p.release()
	})

	t.Run("one partner in the wait", func(t *testing.T) {
		p := busy(t, 2, 1, 100*time.Millisecond)
		out := make(chan error, 2)
		start := time.Now()
		verify(p, t.Context(), right, out)
		waitSlots(t, p, 2)
		verify(p, t.Context(), wrong, out)
		require.NoError(t, <-out)
		require.NoError(t, <-out)
		// The wait for a third partner is bounded by pairWait.
		assert.GreaterOrEqual(t, time.Since(start), p.pairWait)
		assert.Less(t, time.Since(start), 30*time.Second)
		assert.Equal(t, int64(1), p.pairs.Load())
		assert.Zero(t, p.triples.Load())
		assert.Equal(t, 1, len(p.slots))
		p.release()
	})

	t.Run("queued partners make a triple", func(t *testing.T) {
		p := newTestPool(1, 10)
		p.pairWait = time.Minute
		require.NoError(t, p.acquire(t.Context())) // no slot idle
		out := make(chan error, 3)
		for _, c := range []poolCase{right, wrong, right} {
			verify(p, t.Context(), c, out)
		}
		require.Eventually(t, func() bool { return p.waiting.Load() == 3 }, 5*time.Second, time.Millisecond)
		p.release() // one caller takes the slot and both others as partners
		for range 3 {
			require.NoError(t, <-out)
		}
		assert.Equal(t, int64(1), p.triples.Load())
		assert.Zero(t, p.pairs.Load())
		assert.Zero(t, len(p.slots))
	})

	t.Run("holder hands over", func(t *testing.T) {
		p := busy(t, 3, 2, 100*time.Millisecond) // then the pair waits no longer for a third
		out := make(chan error, 2)
		verify(p, t.Context(), right, out)
		waitSlots(t, p, 3)
		p.release()
		verify(p, t.Context(), wrong, out) // takes the freed slot: none idle
		require.NoError(t, <-out)
		require.NoError(t, <-out)
		assert.Equal(t, int64(1), p.pairs.Load())
		assert.Equal(t, 1, len(p.slots))
		p.release()
	})

	t.Run("cancel", func(t *testing.T) {
		p := busy(t, 2, 1, time.Minute)
		ctx, cancel := context.WithCancel(t.Context())
		out := make(chan error, 1)
		verify(p, ctx, right, out)
		waitSlots(t, p, 2)
		time.Sleep(10 * time.Millisecond) // in the partner wait
		start := time.Now()
		cancel()
		require.ErrorIs(t, <-out, context.Canceled)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.Equal(t, 1, len(p.slots), "the slot was not freed")
		assert.Zero(t, p.pairs.Load())
		p.release()
	})

	t.Run("cancel with a partner taken", func(t *testing.T) {
		p := busy(t, 2, 1, time.Minute)
		ctx, cancel := context.WithCancel(t.Context())
		out := make(chan error, 2)
		verify(p, ctx, right, out)
		waitSlots(t, p, 2)
		queued := p.lastQueued.Load()
		verify(p, t.Context(), wrong, out)
		// It has queued (lastQueued moved) and no longer waits: the holder
		// took it as a partner (no slot is free).
		require.Eventually(t, func() bool { return p.lastQueued.Load() != queued && p.waiting.Load() == 0 }, 5*time.Second, time.Millisecond)
		start := time.Now()
		cancel() // the holder stops waiting for a third and computes the pair
		require.NoError(t, <-out)
		require.NoError(t, <-out)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.Equal(t, int64(1), p.pairs.Load())
		assert.Equal(t, 1, len(p.slots))
		p.release()
	})

	t.Run("no partner comes", func(t *testing.T) {
		p := newTestPool(1, 10)
		p.pairWait = 20 * time.Millisecond
		p.pressure()
		start := time.Now()
		ok, err := p.verify(t.Context(), right.pass, right.hash)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.GreaterOrEqual(t, time.Since(start), p.pairWait, "did not wait for a partner under pressure")
		assert.Zero(t, p.pairs.Load())
		assert.Zero(t, len(p.slots))
	})
}

// TestHashPoolTimingUnknownVsWrong: at saturation (4×GOMAXPROCS clients,
// pairing) and one login at a time, the median time of a login for an
// unknown email and of one with a wrong password agree within 10 % (the
// benchmarks measure the 5 % target; a test on a shared machine needs
// slack).
func TestHashPoolTimingUnknownVsWrong(t *testing.T) {
	if pgtest.Trimmed() {
		t.Skip("timing: not under -race or -short")
	}
	// Wall-clock medians on a shared machine swing by more than the margin;
	// BenchmarkLoginTiming* measure the property, this test runs on demand.
	if os.Getenv("PGJWT_TIMING_TEST") != "1" {
		t.Skip("timing: set PGJWT_TIMING_TEST=1 on a quiet machine (the LoginTiming benchmarks measure it in every run)")
	}
	store := NewMemStore("web")
	svc, err := NewService(store, testSecret)
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	for _, clients := range []int{1, 4 * runtime.GOMAXPROCS(0)} {
		var mu sync.Mutex
		var unknown, wrong []time.Duration
		var wg sync.WaitGroup
		for g := range clients {
			wg.Go(func() {
				for i := range 60 / clients * 2 {
					email := "u@example.com"
					if (g+i)%2 == 0 {
						email = "nobody@example.com"
					}
					start := time.Now()
					_, err := svc.Login(context.Background(), email, "wrong")
					d := time.Since(start)
					if !errors.Is(err, ErrInvalidPassword) {
						t.Error(err)
						return
					}
					mu.Lock()
					if email == "u@example.com" {
						wrong = append(wrong, d)
					} else {
						unknown = append(unknown, d)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		r := float64(median(unknown)) / float64(median(wrong))
		t.Logf("%d clients: unknown %v, wrong %v, ratio %.3f, %d pairs", clients, median(unknown), median(wrong), r, svc.pairs.Load())
		assert.InDelta(t, 1, r, 0.10, "%d clients", clients)
	}
}
