package auth

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probeStore is a MemStore that counts lookups and, once hold is called,
// makes the next CreateUser wait inside its hashing slot until released.
type probeStore struct {
	*MemStore
	lookups atomic.Int64
	holding chan struct{} // closed when CreateUser holds its slot
	release chan struct{}
}

func newProbeStore() *probeStore { return &probeStore{MemStore: NewMemStore("web")} }

func (p *probeStore) LookupUser(ctx context.Context, email string) (User, error) {
	p.lookups.Add(1)
	return p.MemStore.LookupUser(ctx, email)
}

func (p *probeStore) CreateUser(ctx context.Context, email, pass, role string) error {
	if p.release != nil {
		close(p.holding)
		<-p.release
	}
	return p.MemStore.CreateUser(ctx, email, pass, role)
}

// holdSlot makes a sign-up take a hashing slot of svc and keep it until
// the returned function is called (which waits for the sign-up to end).
func holdSlot(t *testing.T, svc *Service, p *probeStore) (release func()) {
	t.Helper()
	p.holding, p.release = make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- svc.SignUp(context.Background(), "holder@example.com", "pw", "web") }()
	<-p.holding
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(p.release)
			require.NoError(t, <-done)
			p.release = nil
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n calls wait for a hashing slot of svc.
func waitQueued(t *testing.T, svc *Service, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return svc.waiting.Load() == n }, 5*time.Second, time.Millisecond,
		"want %d calls waiting for a hashing slot, have %d", n, svc.waiting.Load())
}

// TestHashQueueFull: with one hashing slot (held) and a queue of N, N
// logins wait and the next one is refused at once with ErrHashQueueFull,
// which the handler answers with PostgREST's envelope, 503 and
// Retry-After; once the slot is free the waiting logins all succeed.
func TestHashQueueFull(t *testing.T) {
	const n = 3
	p := newProbeStore()
	svc, err := NewService(p, testSecret, WithHashConcurrency(1), WithHashQueue(n))
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	release := holdSlot(t, svc, p)

	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := svc.Login(context.Background(), "u@example.com", "pw")
			errs <- err
		}()
	}
	waitQueued(t, svc, n)

	// The (N+2)th concurrent hashing call: refused, without waiting (the
	// timeout only keeps a broken queue from hanging the test).
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err = svc.Login(ctx, "u@example.com", "pw")
	require.ErrorIs(t, err, ErrHashQueueFull)
	var st interface{ SQLState() string }
	require.ErrorAs(t, err, &st)
	assert.Equal(t, "53000", st.SQLState())

	rec := httptest.NewRecorder()
	NewLoginHandler(svc).ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "POST", "/rpc/login",
		strings.NewReader(`{"email":"nobody@example.com","pass":"pw"}`)))
	assert.Equal(t, 503, rec.Code)
	assert.Equal(t, `{"code":"53000","details":null,"hint":null,"message":"too many requests waiting for password hashing"}`, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, "PostgREST; error=53000", rec.Header().Get("Proxy-Status"))
	assert.Equal(t, int64(n), svc.waiting.Load(), "a refused call must not take a place")

	release()
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Zero(t, svc.waiting.Load())
}

// TestHashQueueCancel: a waiting call whose context ends leaves the queue
// at once, and its place goes to the next caller.
func TestHashQueueCancel(t *testing.T) {
	const n = 2
	p := newProbeStore()
	svc, err := NewService(p, testSecret, WithHashConcurrency(1), WithHashQueue(n))
	require.NoError(t, err)
	require.NoError(t, svc.SignUp(t.Context(), "u@example.com", "pw", "web"))
	release := holdSlot(t, svc, p)

	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() {
		_, err := svc.Login(ctx, "u@example.com", "pw")
		gone <- err
	}()
	stays := make(chan error, 2)
	go func() {
		_, err := svc.Login(context.Background(), "u@example.com", "pw")
		stays <- err
	}()
	waitQueued(t, svc, n)
	full, cancelFull := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancelFull()
	_, err = svc.Login(full, "u@example.com", "pw")
	require.ErrorIs(t, err, ErrHashQueueFull)

	cancel() // the client went away
	require.ErrorIs(t, <-gone, context.Canceled)
	waitQueued(t, svc, n-1)
	go func() {
		_, err := svc.Login(context.Background(), "u@example.com", "pw")
		stays <- err
	}()
	waitQueued(t, svc, n) // queued, not refused

	release()
	require.NoError(t, <-stays)
	require.NoError(t, <-stays)
}

// TestHashQueueOptions: the default bound, a queue of 0 (no waiting), and
// a negative size refused.
func TestHashQueueOptions(t *testing.T) {
	svc, err := NewService(NewMemStore("web"), testSecret)
	require.NoError(t, err)
	assert.Equal(t, int64(1000), svc.maxWait)

	p := newProbeStore()
	svc, err = NewService(p, testSecret, WithHashConcurrency(1), WithHashQueue(0))
	require.NoError(t, err)
	holdSlot(t, svc, p)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, err = svc.Login(ctx, "nobody@example.com", "pw")
	require.ErrorIs(t, err, ErrHashQueueFull)
	require.ErrorIs(t, svc.SetPassword(ctx, "nobody@example.com", "pw"), ErrHashQueueFull)

	_, err = NewService(NewMemStore("web"), testSecret, WithHashQueue(-1))
	require.ErrorContains(t, err, "hash queue -1")
	require.False(t, errors.Is(err, ErrHashQueueFull))
}
