package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerTimeouts: the server the program runs bounds every stage of a
// connection, and a whole exchange (headers, body, response) ends within
// 30 seconds.
func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler(), timeouts)
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": srv.ReadHeaderTimeout,
		"ReadTimeout": srv.ReadTimeout, "WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout} {
		assert.Positive(t, d, name)
	}
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, srv.ReadTimeout)
	// WriteTimeout counts from the end of the headers.
	assert.LessOrEqual(t, srv.ReadTimeout, srv.ReadHeaderTimeout+srv.WriteTimeout)
	assert.LessOrEqual(t, srv.ReadHeaderTimeout+srv.WriteTimeout, 30*time.Second)
}

// TestSlowClientsAreCut runs the program with its limits scaled down 50
// times and checks on real loopback connections that a client trickling
// its headers or its body, or idling after a response, loses its
// connection at the limit instead of holding it for as long as it likes.
func TestSlowClientsAreCut(t *testing.T) {
	old := timeouts
	timeouts = serverTimeouts{header: old.header / 50, request: old.request / 50, write: old.write / 50,
		idle: old.idle / 50}
	t.Cleanup(func() { timeouts = old })
	s := start(t, nil)
	addr := strings.TrimPrefix(s.base, "http://")

	// cutWithin sends head, then one byte of drip every 50 ms, and
	// reports how long the server kept the connection open.
	cutWithin := func(t *testing.T, head, drip string) time.Duration {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		begin := time.Now()
		go func() {
			if _, err := io.WriteString(conn, head); err != nil {
				return
			}
			for i := 0; i < len(drip); i++ {
				time.Sleep(50 * time.Millisecond)
				if _, err := conn.Write([]byte{drip[i]}); err != nil {
					return
				}
			}
		}()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = io.Copy(io.Discard, conn) // whatever the server answers, then its close
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("connection still open after %v", time.Since(begin).Round(time.Millisecond))
		}
		return time.Since(begin)
	}
	const slack = 2 * time.Second // a loaded machine's scheduling
	t.Run("slow headers", func(t *testing.T) {
		d := cutWithin(t, "POST /rpc/login HTTP/1.1\r\n", strings.Repeat("X", 1000))
		assert.Less(t, d, timeouts.header+slack)
	})
	t.Run("slow body", func(t *testing.T) {
		body := `{"email":"demo@example.com","pass":"` + strings.Repeat("x", 1000) + `"}`
		d := cutWithin(t, "POST /rpc/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
			strconv.Itoa(len(body))+"\r\n\r\n", body)
		assert.Less(t, d, timeouts.request+slack)
	})
	t.Run("idle", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		begin := time.Now()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = io.Copy(io.Discard, br)
		require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "idle connection still open after %v", time.Since(begin))
		assert.Less(t, time.Since(begin), timeouts.idle+slack)
	})
}
