package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/nats"
	"github.com/fundledger/fundledger/internal/node"
	"github.com/fundledger/fundledger/ledger"
)

// writerHeap measures what one writer of the data dir's ledger holds in the
// Go heap (live, after a GC) and how long it takes to load, with every
// idempotency key in RAM (as before the key index), with the key index and
// the default window, and with the index and a window of one commit (about
// the state alone); no writer snapshots, so each load replays the chain.
// It prints keys_ram_bytes_per_key (what each key evicted from RAM saved)
// and the writer's heap per event and per household.
func writerHeap(ctx context.Context, dir string) error {
	store, err := nats.Open(ctx, nats.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		return err
	}
	defer store.Close()
	var commits, keys, events, households int
	err = ledger.Walk(ctx, store, code, 0, func(c *domain.Commit) error {
		commits++
		events += len(c.Events)
		for _, e := range c.Events {
			if e.Type == string(domain.TypeHouseholdRegistered) {
				households++
			}
		}
		if c.IdempotencyKey != "" {
			keys++
		}
		return nil
	})
	if err != nil {
		return err
	}
	keysDir := node.KeyIndexDir(dir)
	configs := []struct {
		name string
		opts ledger.Options
	}{
		{"all_keys_in_ram", ledger.Options{Logger: quiet}},
		{"index_default_window", ledger.Options{Logger: quiet, KeyIndexDir: keysDir}},
		{"index_window_1", ledger.Options{Logger: quiet, KeyIndexDir: keysDir, KeyWindow: 1}},
	}
	heap := map[string]float64{}
	for _, c := range configs {
		before := liveHeap()
		m := ledger.NewManager(store, c.opts)
		start := time.Now()
		if _, _, err := m.Head(ctx, code); err != nil {
			return err
		}
		took := time.Since(start)
		heap[c.name] = float64(liveHeap() - before)
		fmt.Printf("name=writer_heap_%s value=%.1f unit=MiB baseline=0 ratio=0\n", c.name, heap[c.name]/(1<<20))
		fmt.Printf("# %s: writer load (full replay of %d commits) %s; %.0f bytes/event, %.0f bytes/household\n",
			c.name, commits, took.Round(time.Millisecond), heap[c.name]/float64(events), heap[c.name]/float64(max(households, 1)))
		runtime.KeepAlive(m)
		m.Close()
	}
	size, _ := dirSize(keysDir)
	saved := heap["all_keys_in_ram"] - heap["index_window_1"]
	fmt.Printf("# %d commits, %d events, %d keys, %d households\n", commits, events, keys, households)
	fmt.Printf("name=keys_ram_bytes_per_key value=%.1f unit=B baseline=0 ratio=0\n", saved/float64(keys))
	fmt.Printf("name=keys_index_disk_bytes_per_key value=%.1f unit=B baseline=0 ratio=0\n", float64(size)/float64(keys))
	return nil
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return err
	})
	return n, err
}
