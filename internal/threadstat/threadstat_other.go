//go:build !linux

package threadstat

import "time"

// CPU is not measured outside Linux.
func CPU() time.Duration { return 0 }

// Reads is not measured outside Linux.
func Reads() int64 { return -1 }
