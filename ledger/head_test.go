package ledger

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore/memory"
)

// TestHeadReadersNeverStallTheWriter defends the writer against readers of
// its head: Head used to take the head out of a one-slot channel and put it
// back, so a commit published between the two left the reader's put (and
// then the writer's next publish) blocked until some other Head call came.
func TestHeadReadersNeverStallTheWriter(t *testing.T) {
	m := NewManager(memory.New(), Options{Logger: quiet})
	defer m.Close()
	submit(t, m, domain.OpenLedger{Code: code, Name: "某县"})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			last := uint64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				seq, _, err := m.Head(ctx, code)
				if err != nil {
					t.Errorf("Head: %v", err)
					return
				}
				if seq < last {
					t.Errorf("Head went back from %d to %d", last, seq)
					return
				}
				last = seq
			}
		}()
	}
	const n = 2000
	wrote := make(chan error, 1)
	go func() {
		for i := range n {
			_, err := m.Submit(ctx, code, Request{Command: domain.RegisterVillage{ID: fmt.Sprintf("V%04d", i), Name: "村", Township: "镇"}, Actor: "test"})
			if err != nil {
				wrote <- fmt.Errorf("commit %d of %d while Head is read: %w", i+1, n, err)
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err) // readers may be stuck: do not wait for them
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%d commits did not finish in 15s while Head is read: the writer is stalled", n)
	}
	close(stop)
	readers.Wait()
	if seq, _, err := m.Head(ctx, code); err != nil || seq != n+1 {
		t.Fatalf("Head = %d, %v; want %d", seq, err, n+1)
	}
}
