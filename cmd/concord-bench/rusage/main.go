// Command rusage runs a command once, its output discarded, and prints as
// JSON its wall time (exec to exit) and its peak resident memory from the
// rusage wait4 returns.
//
// concord-bench runs `concord version` through it because a child's
// ru_maxrss is at least the resident memory of the process that spawned it:
// Go starts children with vfork (CLONE_VM|CLONE_VFORK), and at exec Linux
// carries the shared memory map's high-water mark into the child's maxrss.
// Spawned by the benchmark itself, whose heap holds a seeded store and the
// garbage of thousands of requests, `concord version` would seem to need
// what the benchmark needs. This process is small, and it reports its own
// high-water mark (floor_bytes) so a reader can see the figure is above it.
//
//	rusage PROGRAM [ARG…]
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	WallNS int64 `json:"wall_ns"`
	MaxRSS int64 `json:"maxrss_bytes"`
	Floor  int64 `json:"floor_bytes"` // this process's VmHWM when it spawned the child
	Exit   int   `json:"exit"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rusage PROGRAM [ARG…]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	res := result{Floor: hwm()}
	start := time.Now()
	err := cmd.Run()
	res.WallNS = int64(time.Since(start))
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(1)
	}
	res.Exit = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// hwm is this process's resident high-water mark, 0 if unknown.
func hwm() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n * 1024
		}
	}
	return 0
}
