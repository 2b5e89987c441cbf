//go:build linux

// Package threadstat reads the calling thread's CPU time and read system
// calls, for benchmarks on a shared machine: with the goroutine locked to
// its thread, they give the cost of an operation that runs in the caller's
// goroutine (SQLite's queries do) without the time spent waiting for a core.
package threadstat

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// CPU is the CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID).
func CPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// Reads is the number of read system calls of the calling thread (syscr
// of /proc/thread-self/io, Linux 3.17 and later; -1 if unknown): on SQLite
// one per page read from the OS, none for a page its own cache holds. The
// reads of the file itself make a constant that the caller takes away.
func Reads() int64 {
	b, err := os.ReadFile("/proc/thread-self/io")
	if err != nil {
		return -1
	}
	_, v, ok := strings.Cut(string(b), "syscr: ")
	if !ok {
		return -1
	}
	v, _, _ = strings.Cut(v, "\n")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
