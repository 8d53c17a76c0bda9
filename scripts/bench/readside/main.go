// Command readside measures the read side on the embedded JetStream store:
// the rate at which projections rebuild a ledger from zero, and the memory
// the projections of that ledger hold, next to baselines taken in the same
// run on the same stream:
//
//   - raw: a JetStream ordered consumer replaying the stream and counting
//     records from frame headers, without decoding. The stream is read once
//     to warm the cache, then three times; the median is the figure (the
//     rate swung 5-20x between cold and warm reads), all three are printed,
//     and a fourth read after the rebuild shows the noise.
//
//   - raw+decode: the same stream read through the store, every commit
//     decoded (domain.UnmarshalCommit and Decode) on one worker per core.
//     Rebuild ÷ this is what the hash chain check and the fold cost beyond
//     decoding.
//
//   - walk: ledger.WalkDecoded with no fold (decode, hash, chain check on
//     every core, in-order delivery). Rebuild ÷ this is what the fold costs.
//
// After the rebuild it times a record cut (as_of=N, N the middle commit)
// next to a business cut (as_of=DATE, the date of commit N; one payout in a
// thousand is back-dated sixty days) and the brute-force filter-and-fold.
//
// Usage:
//
//	go run ./scripts/bench/readside [-households 100000] [-events 1000000] [-cpuprofile FILE]
//
// The history is written straight to the store in groups of 1,000 commits
// (decided, hashed and chained like the writer does), so that a million
// events take seconds to set up rather than an fsync each.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/projections"
)

const code = "341504"

var cpuProfile string

func main() {
	households := flag.Int("households", 100000, "registered households")
	events := flag.Int("events", 1000000, "events in the ledger (one per commit)")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the rebuild here")
	flag.Parse()
	cpuProfile = *cpu
	if err := run(*households, *events); err != nil {
		fmt.Fprintln(os.Stderr, "readside:", err)
		os.Exit(1)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func run(households, events int) error {
	dir, err := os.MkdirTemp("", "fundledger-readside-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := flnats.Open(ctx, flnats.Options{DataDir: filepath.Join(dir, "nats"), Logger: quiet()})
	if err != nil {
		return err
	}
	defer store.Close()

	start := time.Now()
	if err := write(ctx, store, households, events); err != nil {
		return err
	}
	fmt.Printf("setup: %d events (%d households) written in %s\n", events, households, time.Since(start).Round(time.Millisecond))

	base, err := measureBaselines(ctx, store)
	if err != nil {
		return err
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	p := projections.New(store, projections.Options{Dir: filepath.Join(dir, "projections"), Logger: quiet()})
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		_ = pprof.StartCPUProfile(f)
	}
	start = time.Now()
	m, err := p.Rebuild(ctx, code, nil)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	took := time.Since(start)
	rebuild := float64(m.Events()) / took.Seconds()

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)

	raw2, err := rawReplay(ctx, store) // again after, to see the noise
	if err != nil {
		return err
	}
	snaps, _ := os.ReadDir(filepath.Join(dir, "projections", code))
	raw := base.median()
	fmt.Printf("raw ordered consumer (after a warm-up read): median %.0f events/s of %.0f, %.0f, %.0f; %.0f after the rebuild\n",
		raw, base.raw[0], base.raw[1], base.raw[2], raw2)
	fmt.Printf("raw+decode (read through the store, commits and events decoded on %d workers): %.0f events/s\n", runtime.GOMAXPROCS(0), base.decode)
	fmt.Printf("walk (ledger.WalkDecoded, hash chain checked, no fold): %.0f events/s\n", base.walk)
	fmt.Printf("rebuild (hash chain checked, one snapshot at the head): %d events in %s = %.0f events/s = %.3fx raw median, %.2fx raw+decode, %.2fx walk\n",
		m.Events(), took.Round(time.Millisecond), rebuild, rebuild/raw, rebuild/base.decode, rebuild/base.walk)
	fmt.Printf("projection memory: %.1f MiB live heap for %d households, %d events (RSS of the whole process %s, incl. the embedded server); %d files in the checkpoint dir\n",
		float64(heap)/(1<<20), households, m.Events(), rss(), len(snaps))
	runtime.KeepAlive(m)
	return measureCuts(ctx, store, p)
}

// measureCuts times, on the rebuilt ledger, a record cut (as_of=N at the
// middle of the history) next to a business cut (as_of=DATE, the business
// date of commit N), both through Projector.Read as the API serves them,
// and the brute-force filter-and-fold of the whole log for the same date,
// whose model must equal the fast one.
func measureCuts(ctx context.Context, store *flnats.Store, p *projections.Projector) error {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	defer func() { stop(); <-done }()
	head, err := store.Head(ctx, code)
	if err != nil {
		return err
	}
	if err := p.WaitFor(ctx, code, head); err != nil {
		return err
	}
	n := head / 2
	var date string
	if err := p.Read(ctx, code, projections.Cut{Seq: n}, func(m *projections.Model) error { date = m.Day(); return nil }); err != nil {
		return err
	}
	timed := func(cut projections.Cut) (time.Duration, uint64, string, error) {
		start := time.Now()
		var events uint64
		var fp string
		err := p.Read(ctx, code, cut, func(m *projections.Model) error { events, fp = m.Events(), m.Fingerprint(); return nil })
		return time.Since(start), events, fp, err
	}
	// Twice, in both orders, so that neither pays alone for the garbage the
	// other left: the machine's noise shows in the spread.
	var recTook, busTook [2]time.Duration
	var recEvents, busEvents uint64
	var busFP string
	for round := range 2 {
		for _, business := range []bool{round == 1, round == 0} {
			var err error
			if business {
				busTook[round], busEvents, busFP, err = timed(projections.Cut{Date: date})
			} else {
				recTook[round], recEvents, _, err = timed(projections.Cut{Seq: n})
			}
			if err != nil {
				return err
			}
			runtime.GC()
		}
	}
	start := time.Now()
	ref, err := projections.ReplayBusiness(ctx, store, code, projections.Cut{Date: date})
	if err != nil {
		return err
	}
	refTook := time.Since(start)
	fmt.Printf("record cut as_of=%d: %s, %s (%d events folded, from the nearest snapshot)\n", n,
		recTook[0].Round(time.Millisecond), recTook[1].Round(time.Millisecond), recEvents)
	fmt.Printf("business cut as_of=%s: %s (the first, which reads the late commits once), %s (%d events folded: the record model before the first later-dated commit, plus the back-dated ones)\n",
		date, busTook[0].Round(time.Millisecond), busTook[1].Round(time.Millisecond), busEvents)
	fmt.Printf("brute-force filter-and-fold of the whole log for %s: %s; same model as the fast cut: %v\n",
		date, refTook.Round(time.Millisecond), ref.Fingerprint() == busFP)
	return nil
}

// write appends a chained history: the ledger, 100 villages, the
// households, four allocations, a few projects with appropriations and
// payments, then single payouts to random households until events is reached.
func write(ctx context.Context, store *flnats.Store, households, events int) error {
	st := domain.NewState()
	var group [][]byte
	seq, prev := uint64(0), domain.GenesisHash
	t := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	// The first error (a failed append under load, say) is returned from
	// write, not panicked with; the calls after it do nothing.
	var failed error
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		// jetstream gives a publish without a deadline 5s; a 1,000-commit
		// frame fsynced on a busy machine can take longer, and a lost ack is
		// not a reason to lose a ten-minute setup. The error names the group.
		actx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		first := seq - uint64(len(group))
		_, err := store.Append(actx, code, first, group)
		group = group[:0]
		if err != nil {
			return fmt.Errorf("append commits %d..%d: %w", first+1, seq, err)
		}
		return nil
	}
	add := func(c domain.Command) error {
		if failed != nil {
			return failed
		}
		evs, err := domain.Decide(st, c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.CommandName(), err)
		}
		raw, err := domain.EncodeEvents(evs)
		if err != nil {
			return err
		}
		for _, e := range evs {
			st.Apply(e)
		}
		seq++
		t = t.Add(20 * time.Second)
		// Dated by their record day, but one payout in a thousand is
		// entered sixty days late (补录), so business cuts have back-dated
		// commits to find.
		date := domain.ChinaDay(t)
		if _, payout := c.(domain.Payout); payout && seq%1000 == 7 {
			date = domain.ChinaDay(t.AddDate(0, 0, -60))
		}
		cm := &domain.Commit{Ledger: code, Seq: seq, Time: t, Version: domain.CommitVersion, Date: date, Actor: "bench",
			Command: c.CommandName(), Events: raw, PrevHash: prev}
		cm.Seal()
		prev = cm.Hash
		rec, err := cm.Marshal()
		if err != nil {
			return err
		}
		group = append(group, rec)
		if len(group) == 1000 {
			return flush()
		}
		return nil
	}
	must := func(err error) {
		if failed == nil {
			failed = err
		}
	}
	must(add(domain.OpenLedger{Code: code, Name: "某县"}))
	for v := range 100 {
		must(add(domain.RegisterVillage{ID: fmt.Sprintf("V%03d", v), Name: "村", Township: "镇", PoorVillage: v%3 == 0}))
	}
	for h := range households {
		d := h / 1000 // a birth day per thousand households, so every ID number differs
		first17 := fmt.Sprintf("341504%04d%02d%02d%03d", 1940+d/(12*28), 1+d/28%12, 1+d%28, h%1000)
		must(add(domain.RegisterHousehold{ID: fmt.Sprintf("H%06d", h), Village: fmt.Sprintf("V%03d", h%100), HeadName: "户主",
			IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 1 + h%5, Category: domain.HouseholdTypes[h%3],
			Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("6217%012d", h)}))
	}
	for i, l := range []string{"central", "provincial", "municipal", "county"} {
		must(add(domain.Allocate{ID: fmt.Sprintf("A%d", i), SourceLevel: l, Programme: "专项扶贫资金", FiscalYear: 2019, DocumentNo: "财农〔2019〕1号", Amount: "900000000000.00"}))
	}
	for p := range 200 {
		id := fmt.Sprintf("P%03d", p)
		must(add(domain.ApproveProject{ID: id, Name: "项目", Village: fmt.Sprintf("V%03d", p%100), Category: []string{"industry", "infrastructure"}[p%2],
			Batch: fmt.Sprintf("2019-%d", p%4+1), Budget: "1000000.00", ApprovalDoc: "批"}))
		must(add(domain.Appropriate{Project: id, ID: "AP" + id, Fund: fmt.Sprintf("A%d", p%4), Amount: "1000000.00"}))
		must(add(domain.Pay{Project: id, ID: "PAY" + id, Fund: fmt.Sprintf("A%d", p%4), Payee: fmt.Sprintf("施工单位%02d", p%20), Amount: "900000.00", VoucherNo: "v", Method: "treasury"}))
	}
	items := []string{"光伏扶贫补助", "产业直补", "雨露计划", "就业交通补助", "医疗保险补贴"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; int(seq) < events && failed == nil; i++ {
		must(add(domain.Payout{ID: fmt.Sprintf("PO%07d", i), Household: fmt.Sprintf("H%06d", rng.IntN(households)), Item: items[i%len(items)],
			Standard: "500.00", Period: "2019", Fund: fmt.Sprintf("A%d", i%4), Amount: domain.AmountText(strings.TrimSpace(fmt.Sprintf("%d.00", 100+i%900)))}))
	}
	if failed != nil {
		return failed
	}
	return flush()
}

// rss answers the process's resident set size from /proc (Linux).
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}
