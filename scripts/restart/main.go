// Command restart measures how long a node takes to open a data dir of
// about -events events (store, writers with OpenAll's damage checks), with
// the writer starting from a full replay of its chain and from its
// snapshot, and how long the projections then take to reach the head.
//
// The ledger is written through ledger.Manager as serve's writers write
// (node.ManagerOptions): 100 villages, households 20,000 to a commit, 50
// funds, then single payouts from 64 concurrent writers, each with an
// idempotency key, until the ledger holds -events events.
//
//	go run ./scripts/restart [-events 1000000] [-households 100000] [-dir DIR]
//	go run ./scripts/restart -reuse -heap -dir DIR   # the writer's heap, keys in RAM or in the index
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
)

const code = "341504"

func main() {
	events := flag.Int("events", 1_000_000, "events in the ledger")
	households := flag.Int("households", 100_000, "households registered")
	dir := flag.String("dir", "", "data dir (default: a temporary one, removed at the end)")
	reuse := flag.Bool("reuse", false, "time an existing -dir as it is (no build, no full replay)")
	heap := flag.Bool("heap", false, "then measure the writer's heap with every key in RAM and with the key index (see writerHeap)")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the snapshot start (node.Open and the projections catching up) to this file")
	flag.Parse()
	var err error
	switch {
	case *reuse && *heap:
		err = writerHeap(context.Background(), *dir)
	case *reuse:
		err = reopen(*dir)
	default:
		err = run(*events, *households, *dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "restart:", err)
		os.Exit(1)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func run(events, households int, dir string) error {
	ctx := context.Background()
	if dir == "" {
		tmp, err := os.MkdirTemp("", "restart-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	start := time.Now()
	n, err := build(ctx, dir, events, households)
	if err != nil {
		return err
	}
	fmt.Printf("# built %d events in %s\n", n, time.Since(start).Round(time.Millisecond))
	// Without a writer snapshot: the writer replays the whole chain.
	if err := os.RemoveAll(node.WriterSnapshotDir(dir)); err != nil {
		return err
	}
	full, _, err := open(ctx, dir) // its clean stop writes the snapshot
	if err != nil {
		return err
	}
	snap, proj, err := profiled(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Printf("name=restart_s value=%.3f unit=s baseline=%.3f ratio=%.3f\n", snap.Seconds(), full.Seconds(), snap.Seconds()/full.Seconds())
	fmt.Printf("# node.Open from the writer snapshot %s, full replay %s; projections at the head %s after Start\n",
		snap.Round(time.Millisecond), full.Round(time.Millisecond), proj.Round(time.Millisecond))
	return nil
}

// cpuProfile names the file -cpuprofile writes; empty: no profile.
var cpuProfile string

// profiled runs open under the CPU profile -cpuprofile asks for.
func profiled(ctx context.Context, dir string) (opened, projected time.Duration, err error) {
	if cpuProfile == "" {
		return open(ctx, dir)
	}
	f, err := os.Create(cpuProfile)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return 0, 0, err
	}
	defer pprof.StopCPUProfile()
	return open(ctx, dir)
}

// reopen times a start of an existing data dir (from whatever snapshots
// it holds), so a change can be measured without building again.
func reopen(dir string) error {
	if dir == "" {
		return fmt.Errorf("-reuse needs -dir")
	}
	opened, proj, err := profiled(context.Background(), dir)
	if err != nil {
		return err
	}
	fmt.Printf("# node.Open %s; projections at the head %s after Start\n", opened.Round(time.Millisecond), proj.Round(time.Millisecond))
	return nil
}

// open times node.Open (store, writers, OpenAll) and then the projections
// reaching the head, and shuts the node down.
func open(ctx context.Context, dir string) (opened, projected time.Duration, err error) {
	start := time.Now()
	n, err := node.Open(ctx, node.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return 0, 0, err
	}
	opened = time.Since(start)
	defer n.Close()
	head, _, err := n.Manager.Head(ctx, code)
	if err != nil {
		return 0, 0, err
	}
	start = time.Now()
	n.Start()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := n.Projector.WaitFor(wctx, code, head); err != nil {
		return 0, 0, err
	}
	return opened, time.Since(start), nil
}

func build(ctx context.Context, dir string, events, households int) (int, error) {
	store, err := nats.Open(ctx, nats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		return 0, err
	}
	defer store.Close()
	m := ledger.NewManager(store, node.ManagerOptions(dir, ledger.Options{Logger: quiet}))
	defer m.Close()
	written := 0
	add := func(c domain.Command) error {
		res, err := m.Submit(ctx, code, ledger.Request{Command: c, Actor: "bench"})
		written += len(res.Events)
		return err
	}
	if err := add(domain.OpenLedger{Code: code, Name: "某县"}); err != nil {
		return 0, err
	}
	for v := range 100 {
		if err := add(domain.RegisterVillage{ID: fmt.Sprintf("V%03d", v), Name: fmt.Sprintf("第%d村", v), Township: "镇"}); err != nil {
			return 0, err
		}
	}
	for s := 0; s < households; s += domain.MaxRegisterRows {
		var c domain.RegisterHouseholds
		for h := s; h < min(households, s+domain.MaxRegisterRows); h++ {
			d := h / 1000
			first17 := fmt.Sprintf("341504%04d%02d%02d%03d", 1940+d/(12*28), 1+d/28%12, 1+d%28, h%1000)
			c.Households = append(c.Households, domain.RegisterHousehold{ID: fmt.Sprintf("H%06d", h), Village: fmt.Sprintf("V%03d", h%100),
				HeadName: "张三", IDNumber: first17 + string(domain.IDNumberCheck(first17)), Members: 1 + h%5,
				Category: domain.HouseholdTypes[h%3], Status: "poor", BankName: "农商银行", BankAccount: fmt.Sprintf("6217%012d", h)})
		}
		if err := add(c); err != nil {
			return 0, err
		}
	}
	for f := range 50 {
		if err := add(domain.Allocate{ID: fmt.Sprintf("A%02d", f), SourceLevel: "central", Programme: "专项扶贫资金", FiscalYear: 2019,
			DocumentNo: "财农", Amount: "900000000000.00"}); err != nil {
			return 0, err
		}
	}
	want := events - written
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= want {
					return
				}
				h := int((uint64(i) * 2654435761) % uint64(households))
				key := fmt.Sprintf("key-%07d", i)
				_, err := m.Submit(ctx, code, ledger.Request{Actor: "bench", IdempotencyKey: key, RequestHash: key,
					Command: domain.Payout{ID: fmt.Sprintf("PO%07d", i), Household: fmt.Sprintf("H%06d", h), Item: "产业直补",
						Standard: "1000.00", Period: "2019", Fund: fmt.Sprintf("A%02d", i%50), Amount: domain.AmountText(fmt.Sprintf("%d.00", 100+i%900))}})
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					next.Store(int64(want))
					return
				}
				if d := done.Add(1); d%200_000 == 0 {
					fmt.Printf("# %d payouts\n", d)
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return written + int(done.Load()), nil
}
