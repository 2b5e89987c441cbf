//go:build !linux

package offers

import "time"

// threadCPU is not measured outside Linux.
func threadCPU() time.Duration { return 0 }

// threadReads is not measured outside Linux.
func threadReads() int64 { return -1 }
