//go:build linux

package offers

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID):
// with the goroutine locked to its thread, the cost of a search on SQLite
// (which runs in the caller's goroutine) without the time spent waiting
// for a core on a loaded machine.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// threadReads is the number of read system calls of the calling thread
// (syscr of /proc/thread-self/io, Linux 3.17 and later; -1 if unknown):
// on SQLite one per page read from the OS, none for a page its own cache
// holds. The two reads of the file itself make a constant that the caller
// takes away.
func threadReads() int64 {
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
