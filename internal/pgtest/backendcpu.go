package pgtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// BackendCPU is the CPU time a server backend (or any process) has run so
// far: the first field of /proc/<pid>/schedstat, in nanoseconds. It is -1
// when that cannot be read (a server on another machine, no /proc), so
// benchmarks comparing Go's CPU time with pgcrypto's can say so.
func BackendCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		return -1
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return -1
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return -1
	}
	return time.Duration(ns)
}

// SelfCPU is this process's CPU time so far (user and system), the Go side
// of the same comparisons.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
