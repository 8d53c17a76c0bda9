package failover

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// Code is the ledger the workload writes.
const Code = "341504"

// ack is one acknowledged write: when, its idempotency key and where the
// writer said it is.
type ack struct {
	at      time.Time
	latency time.Duration
	key     string
	seq     uint64
	hash    string
}

// Workload is writers that register households on one ledger through the
// real writer (ledger.Manager), each request with an idempotency key of
// its own; a request answered with an error is sent again with the same
// key, as an HTTP client would, until it is acknowledged or the workload
// stops. It records every key it sent and every acknowledgement.
type Workload struct {
	m       *ledger.Manager
	writers int

	mu        sync.Mutex
	attempted map[string]bool
	acks      []ack
	errors    int
	wg        sync.WaitGroup
	stop      context.CancelFunc
}

// Setup opens the ledger and its village: what every household needs.
func Setup(ctx context.Context, m *ledger.Manager) error {
	for _, cmd := range []domain.Command{
		domain.OpenLedger{Code: Code, Name: "某县"},
		domain.RegisterVillage{ID: "V001", Name: "罗田村", Township: "某镇", PoorVillage: true},
	} {
		if _, err := m.Submit(ctx, Code, ledger.Request{Command: cmd, Actor: "failover"}); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	return nil
}

// StartWorkload starts writers goroutines writing until Stop.
func StartWorkload(m *ledger.Manager, writers int) *Workload {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Workload{m: m, writers: writers, attempted: map[string]bool{}, stop: cancel}
	for i := range writers {
		w.wg.Go(func() { w.write(ctx, i) })
	}
	return w
}

func (w *Workload) write(ctx context.Context, writer int) {
	for n := 0; ctx.Err() == nil; n++ {
		key := fmt.Sprintf("fo-%03d-%07d", writer, n)
		req := ledger.Request{Command: household(writer*10_000_000 + n), Actor: "failover", IdempotencyKey: key, RequestHash: key}
		w.mu.Lock()
		w.attempted[key] = true
		w.mu.Unlock()
		for ctx.Err() == nil {
			start := time.Now()
			// An HTTP caller's patience; the writer answers long before.
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			res, err := w.m.Submit(rctx, Code, req)
			cancel()
			if err == nil {
				w.mu.Lock()
				w.acks = append(w.acks, ack{at: time.Now(), latency: time.Since(start), key: key, seq: res.Seq, hash: res.Hash})
				w.mu.Unlock()
				break
			}
			if ctx.Err() != nil {
				break // stopped, not refused
			}
			w.mu.Lock()
			w.errors++
			w.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// Stop stops the writers and waits for them.
func (w *Workload) Stop() {
	w.stop()
	w.wg.Wait()
}

// household answers the n-th household's registration, with an ID number
// of its own.
func household(n int) domain.RegisterHousehold {
	day := n / 999
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", Code, 1950+day/336%30, 1+day/28%12, 1+day%28, 1+n%999)
	return domain.RegisterHousehold{ID: fmt.Sprintf("H%09d", n), Village: "V001", HeadName: "户主",
		IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 3, Category: "ordinary",
		Status: "poor", BankName: "农商银行", BankAccount: "6217000011112222"}
}

// ackTimes answers the acknowledgement times in order.
func (w *Workload) ackTimes() []time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]time.Time, len(w.acks))
	for i, a := range w.acks {
		out[i] = a.at
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// Acked answers how many writes were acknowledged so far.
func (w *Workload) Acked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acks)
}

// Latencies answers every acknowledged write's latency.
func (w *Workload) Latencies() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]time.Duration, len(w.acks))
	for i, a := range w.acks {
		out[i] = a.latency
	}
	return out
}

// Stall answers the longest time without an acknowledgement that ends
// after at (the kill): from the last ack before the stall to the first
// after it, and when it ended. ok is false if nothing was acknowledged
// after at.
func Stall(times []time.Time, at time.Time) (gap time.Duration, end time.Time, ok bool) {
	for i := 1; i < len(times); i++ {
		if times[i].After(at) {
			ok = true
			if d := times[i].Sub(times[i-1]); d >= gap {
				gap, end = d, times[i]
			}
		}
	}
	return gap, end, ok
}

// waitResumed waits until acknowledgements have flowed again for after
// since the longest stall that followed kill, or limit has passed since
// kill. It answers the stall, or an error if writes did not resume.
func waitResumed(ctx context.Context, ackTimes func() []time.Time, kill time.Time, after, limit time.Duration) (time.Duration, error) {
	for {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		times := ackTimes()
		now := time.Now()
		gap, end, ok := Stall(times, kill)
		if ok && now.Sub(end) >= after && now.Sub(times[len(times)-1]) < 500*time.Millisecond {
			return gap, nil
		}
		if now.Sub(kill) > limit {
			last := "none"
			if len(times) > 0 {
				last = fmt.Sprintf("%.1fs after the kill", times[len(times)-1].Sub(kill).Seconds())
			}
			return gap, fmt.Errorf("writes did not resume within %v of the kill (last ack %s)", limit, last)
		}
	}
}

// Load runs writers writers on a fresh ledger of m's store for d and
// answers the acknowledged commits per second and each one's latency.
func Load(ctx context.Context, m *ledger.Manager, writers int, d time.Duration) (float64, []time.Duration, error) {
	if err := Setup(ctx, m); err != nil {
		return 0, nil, err
	}
	w := StartWorkload(m, writers)
	start := time.Now()
	err := sleep(ctx, d)
	n := w.Acked()
	elapsed := time.Since(start)
	w.Stop()
	return float64(n) / elapsed.Seconds(), w.Latencies(), err
}
