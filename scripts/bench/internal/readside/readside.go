// Package readside measures the read side on the embedded JetStream store:
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
// The history is written straight to the store in groups of 1,000 commits
// (decided, hashed and chained like the writer does), so that a million
// events take seconds to set up rather than an fsync each. The data dir is
// laid out as `serve`'s (store at its root, snapshots in projections/), so
// that a caller can restart a node on it (Config.Dir).
package readside

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/fundledger/fundledger/domain"
	flnats "github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/projections"
	"github.com/fundledger/fundledger/scripts/bench/internal/figure"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Code is the benchmark ledger's code.
const Code = "341504"

const code = Code

// Config sizes a run.
type Config struct {
	Households, Events int
	CPUProfile         string // write a CPU profile of the rebuild here
	HeapProfile        string // write a heap profile of the live model after the rebuild here
	// Dir, if set, is the data dir, left in place afterwards (store
	// closed, the rebuild's snapshot written) for a restart; else a
	// temporary one, removed.
	Dir string
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Run writes the history, measures, and answers rebuild (baseline: the
// ordered-consumer replay), rebuild_vs_decode, rebuild_vs_walk,
// bytes_per_event (live heap after the rebuild ÷ events; baseline: stored
// bytes ÷ events), asof_record_ms and asof_business_ms (baseline: the
// brute-force filter-and-fold of the whole log); context goes to log.
func Run(ctx context.Context, cfg Config, log io.Writer) ([]figure.Figure, error) {
	dir := cfg.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "fundledger-readside-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	store, err := flnats.Open(ctx, flnats.Options{DataDir: dir, Logger: quiet()})
	if err != nil {
		return nil, err
	}
	defer store.Close()

	start := time.Now()
	if err := write(ctx, store, cfg.Households, cfg.Events); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "# setup: %d events (%d households) written in %s\n", cfg.Events, cfg.Households, time.Since(start).Round(time.Millisecond))

	base, err := measureBaselines(ctx, store)
	if err != nil {
		return nil, err
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	p := projections.New(store, projections.Options{Dir: node.SnapshotDir(dir), Logger: quiet()})
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
	}
	start = time.Now()
	m, err := p.Rebuild(ctx, code, nil)
	pprof.StopCPUProfile()
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	rebuild := float64(m.Events()) / took.Seconds()

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if cfg.HeapProfile != "" {
		if err := writeHeapProfile(cfg.HeapProfile); err != nil {
			return nil, err
		}
	}

	raw2, err := rawReplay(ctx, store) // again after, to see the noise
	if err != nil {
		return nil, err
	}
	stored, err := storedBytes(ctx, store)
	if err != nil {
		return nil, err
	}
	snaps, _ := os.ReadDir(node.SnapshotDir(dir) + "/" + code)
	raw := base.median()
	events := float64(m.Events())
	fmt.Fprintf(log, "# raw ordered consumer (after a warm-up read): median %.0f events/s of %.0f, %.0f, %.0f; %.0f after the rebuild\n",
		raw, base.raw[0], base.raw[1], base.raw[2], raw2)
	fmt.Fprintf(log, "# raw+decode (read through the store, commits and events decoded on %d workers): %.0f events/s\n", runtime.GOMAXPROCS(0), base.decode)
	fmt.Fprintf(log, "# walk (ledger.WalkDecoded, hash chain checked, no fold): %.0f events/s\n", base.walk)
	fmt.Fprintf(log, "# rebuild (hash chain checked, periodic snapshots and one at the head): %d events in %s = %.0f events/s = %.3fx raw median, %.2fx raw+decode, %.2fx walk\n",
		m.Events(), took.Round(time.Millisecond), rebuild, rebuild/raw, rebuild/base.decode, rebuild/base.walk)
	fmt.Fprintf(log, "# projection memory: %.1f MiB live heap for %d households, %d events (RSS of the whole process %s, incl. the embedded server); %d files in the checkpoint dir; %.1f MiB stored\n",
		float64(heap)/(1<<20), cfg.Households, m.Events(), RSS(), len(snaps), float64(stored)/(1<<20))
	figs := []figure.Figure{
		{Name: "rebuild", Value: rebuild, Unit: "events/s", Baseline: raw},
		{Name: "rebuild_vs_decode", Value: rebuild, Unit: "events/s", Baseline: base.decode},
		{Name: "rebuild_vs_walk", Value: rebuild, Unit: "events/s", Baseline: base.walk},
		{Name: "bytes_per_event", Value: float64(heap) / events, Unit: "bytes(live_heap/event;baseline_stored_bytes/event)", Baseline: float64(stored) / events},
		{Name: "bytes_per_household", Value: float64(heap) / float64(max(1, cfg.Households)), Unit: "bytes(live_heap/household)"},
	}
	runtime.KeepAlive(m)
	cuts, err := measureCuts(ctx, store, p, log)
	return append(figs, cuts...), err
}

// writeHeapProfile writes the live heap (after the GC above) to path, so
// that `go tool pprof -sample_index=inuse_space` names what the rebuilt
// model holds.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// storedBytes answers the bytes of the ledger's stream in the store.
func storedBytes(ctx context.Context, store *flnats.Store) (uint64, error) {
	st, nc, err := ledgerStream(ctx, store)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.Bytes, nil
}

// ledgerStream answers the ledger's JetStream stream over a connection of
// its own to the store's in-process server; the caller closes nc.
func ledgerStream(ctx context.Context, store *flnats.Store) (jetstream.Stream, *natsgo.Conn, error) {
	nc, err := natsgo.Connect("", natsgo.InProcessServer(store.Server()))
	if err != nil {
		return nil, nil, err
	}
	js, err := jetstream.New(nc)
	if err == nil {
		var st jetstream.Stream
		if st, err = js.Stream(ctx, "FUNDLEDGER_"+code); err == nil {
			return st, nc, nil
		}
	}
	nc.Close()
	return nil, nil, err
}

// measureCuts times, on the rebuilt ledger, a record cut (as_of=N at the
// middle of the history) next to a business cut (as_of=DATE, the business
// date of commit N), both through Projector.Read as the API serves them,
// and the brute-force filter-and-fold of the whole log for the same date,
// whose model must equal the fast one.
func measureCuts(ctx context.Context, store *flnats.Store, p *projections.Projector, log io.Writer) ([]figure.Figure, error) {
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	defer func() { stop(); <-done }()
	head, err := store.Head(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := p.WaitFor(ctx, code, head); err != nil {
		return nil, err
	}
	n := head / 2
	var date string
	if err := p.Read(ctx, code, projections.Cut{Seq: n}, func(m *projections.Model) error { date = m.Day(); return nil }); err != nil {
		return nil, err
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
				return nil, err
			}
			runtime.GC()
		}
	}
	start := time.Now()
	ref, err := projections.ReplayBusiness(ctx, store, code, projections.Cut{Date: date})
	if err != nil {
		return nil, err
	}
	refTook := time.Since(start)
	fmt.Fprintf(log, "# record cut as_of=%d: %s, %s (a model of %d events, read from the nearest snapshot and folded to the cut; its fingerprint taken inside the timing)\n", n,
		recTook[0].Round(time.Millisecond), recTook[1].Round(time.Millisecond), recEvents)
	fmt.Fprintf(log, "# business cut as_of=%s: %s (the first, which reads the late commits once), %s (%d events folded: the record model before the first later-dated commit, plus the back-dated ones)\n",
		date, busTook[0].Round(time.Millisecond), busTook[1].Round(time.Millisecond), busEvents)
	same := ref.Fingerprint() == busFP
	fmt.Fprintf(log, "# brute-force filter-and-fold of the whole log for %s: %s; same model as the fast cut: %v\n",
		date, refTook.Round(time.Millisecond), same)
	if !same {
		return nil, fmt.Errorf("the business cut as_of=%s differs from the brute-force filter-and-fold", date)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	// The worse of the two reads of each cut is the figure: a target is
	// "any cut within", not the lucky one.
	return []figure.Figure{
		{Name: "asof_record_ms", Value: ms(max(recTook[0], recTook[1])), Unit: "ms", Baseline: ms(refTook)},
		{Name: "asof_business_ms", Value: ms(max(busTook[0], busTook[1])), Unit: "ms", Baseline: ms(refTook)},
	}, nil
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

// RSS answers the process's resident set size from /proc (Linux).
func RSS() string {
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
