package offers

import (
	"time"

	"github.com/sharingcity/sharingcity/internal/threadstat"
)

// threadCPU and threadReads are threadstat's, kept under these names for
// the benchmarks.
func threadCPU() time.Duration { return threadstat.CPU() }
func threadReads() int64       { return threadstat.Reads() }
