//go:build linux

// Package threadstat reads the calling thread's CPU time and read system
// calls, for benchmarks on a shared machine: with the goroutine locked to
// its thread, they give the cost of an operation that runs in the caller's
// goroutine (SQLite's queries do) without the time spent waiting for a core.
package threadstat

import (
	"bytes"
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
// It allocates nothing, so that a benchmark's allocations stay its own.
func Reads() int64 {
	path := [...]byte{'/', 'p', 'r', 'o', 'c', '/', 't', 'h', 'r', 'e', 'a', 'd', '-', 's', 'e', 'l', 'f', '/', 'i', 'o', 0}
	fd, _, errno := syscall.Syscall6(syscall.SYS_OPENAT, atFDCWD, uintptr(unsafe.Pointer(&path[0])),
		syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
	if errno != 0 {
		return -1
	}
	// The raw system call: syscall.Read's race-detector hooks make the
	// buffer escape to the heap under -race.
	var buf [512]byte
	r, _, errno := syscall.Syscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	syscall.Close(int(fd))
	n := int(r)
	if errno != 0 || n <= 0 {
		return -1
	}
	const key = "syscr: "
	b := buf[:n]
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return -1
	}
	var v int64
	digits := 0
	for _, c := range b[i+len(key):] {
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
		digits++
	}
	if digits == 0 {
		return -1
	}
	return v
}

// atFDCWD is AT_FDCWD (-100) as the system call takes it: a path relative
// to the working directory (ours is absolute).
const atFDCWD = ^uintptr(99)
