package testdb

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PeakRSS resets (resetting=true) or reads this process's peak resident
// set (VmHWM), for benchmarks that report memory.
func PeakRSS(resetting bool) int64 {
	if resetting {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		return 0
	}
	return status("VmHWM:")
}

// GoMemory is the memory the Go runtime holds from the system and has
// not released to it (runtime/metrics): the heap, stacks and the
// runtime's own; the rest of RSS is the binary and memory allocated
// outside Go (SQLite's page caches, with modernc.org/sqlite).
func GoMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// RSS is this process's resident set now (VmRSS).
func RSS() int64 { return status("VmRSS:") }

// status reads a size in kB from /proc/self/status, in bytes.
func status(field string) int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// ProcessCPU is the user+system CPU time used so far by every process of
// this machine whose command name is comm (e.g. "postgres": a local
// server's backends and helpers), read from /proc; 0 where there is none
// (a remote server). Processes that ended in between are not counted.
func ProcessCPU(comm string) time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var ticks int64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		data, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after ")".
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != comm {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 13 {
			continue
		}
		// Fields 14 and 15 of stat (utime, stime), in clock ticks.
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + k
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's CPU times: 100 on Linux.
const clockTicks = 100

// PNG is a small valid PNG image, for photo uploads.
func PNG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
