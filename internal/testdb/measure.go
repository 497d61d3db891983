package testdb

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"
	"strings"
	"testing"
)

// PeakRSS resets (resetting=true) or reads this process's peak resident
// set (VmHWM), for benchmarks that report memory.
func PeakRSS(resetting bool) int64 {
	if resetting {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		return 0
	}
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

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
