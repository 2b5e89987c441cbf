package threadstat

import (
	"os"
	"runtime"
	"testing"
)

// TestReadsCountsReads checks that a read system call moves the counter
// by one (and its own reads by a constant), and that Reads allocates
// nothing.
func TestReadsCountsReads(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r0 := Reads()
	if r0 < 0 {
		t.Skip("no /proc/thread-self/io")
	}
	base := Reads() - r0
	f, err := os.Open("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf [16]byte
	r1 := Reads()
	if _, err := f.Read(buf[:]); err != nil {
		t.Fatal(err)
	}
	if got := Reads() - r1 - base; got != 1 {
		t.Errorf("one read counted as %d", got)
	}
	if n := testing.AllocsPerRun(10, func() { Reads() }); n != 0 {
		t.Errorf("Reads allocates %v", n)
	}
	if CPU() <= 0 {
		t.Error("no thread CPU time")
	}
}
