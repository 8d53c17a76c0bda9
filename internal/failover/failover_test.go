package failover

import (
	"context"
	"testing"
	"time"
)

// TestLeaderKillLosesNothingAndResumesWithin10s: 64 writers through the
// real writer on an R3 stream; its leader is shut down hard; writes resume
// within 10 s, every acknowledged commit is in the stream once, nothing
// else is, and the chain and head witness verify. The 10-run loop with the
// raw JetStream baseline is `go run ./scripts/failover -runs 10`.
func TestLeaderKillLosesNothingAndResumesWithin10s(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no 3-node cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	r, err := Run(ctx, Default(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed %s: stall %.2fs, %d acked, %d errors answered, head %d, lost %d, duplicated %d, verify %s",
		r.Killed, r.Stall.Seconds(), r.Acked, r.Errors, r.Commits, r.Lost, r.Duplicated, r.Verify)
	if err := r.OK(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestStallIsTheLongestGapEndingAfterTheKill: the failover figure is the
// gap from the last ack before the stall to the first after it, not a gap
// that ended before the kill.
func TestStallIsTheLongestGapEndingAfterTheKill(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	times := []time.Time{at(0), at(3000), at(3010), at(3020), at(8020), at(8030)}
	gap, end, ok := Stall(times, at(3015))
	if !ok || gap != 5*time.Second || !end.Equal(at(8020)) {
		t.Fatalf("Stall = %v ending %v, %v; want 5s ending at +8.02s", gap, end.Sub(t0), ok)
	}
	if _, _, ok := Stall(times, at(9000)); ok {
		t.Fatal("Stall after the last ack: ok")
	}
}
