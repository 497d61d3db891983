package imports

import "testing"

// TestSeenRows: a fingerprint seen before gives back its first line,
// through all three bytes of it; a line past what three bytes hold is
// kept as 0 (the message then names no line).
func TestSeenRows(t *testing.T) {
	t.Parallel()
	s := seenRows{}
	fp := func(b byte) (f [16]byte) { f[0], f[15] = b, b; return f }
	for i, line := range []int{2, 255, 256, 65_537, 3_000_001, 1<<24 - 1, 1 << 24} {
		if _, ok := s.add(fp(byte(i)), line); !ok {
			t.Fatalf("line %d: new fingerprint taken for seen", line)
		}
		want := line
		if line >= 1<<24 {
			want = 0
		}
		if prev, ok := s.add(fp(byte(i)), line+7); ok || prev != want {
			t.Errorf("line %d seen again: prev %d, ok %v; want %d, false", line, prev, ok, want)
		}
	}
	// Only the first 9 bytes are the key.
	a, b := fp(99), fp(99)
	b[12] = 1
	s.add(a, 10)
	if prev, ok := s.add(b, 11); ok || prev != 10 {
		t.Errorf("same first 9 bytes: prev %d, ok %v", prev, ok)
	}
}
