package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/ledger"
)

// Actor is the actor of the demo's commits.
const Actor = "demo"

// Stats says what Load wrote.
type Stats struct {
	Commits    int
	Households int
}

// Load writes the county through mgr, phase after phase; the commands of a
// phase are submitted by several goroutines at once so the writer can group
// them into few durable appends.
func Load(ctx context.Context, mgr *ledger.Manager, c *County) (Stats, error) {
	var st Stats
	for i, phase := range c.Phases {
		if err := submitAll(ctx, mgr, phase); err != nil {
			return st, fmt.Errorf("demo phase %d: %w", i, err)
		}
		st.Commits += len(phase)
	}
	st.Households = len(c.Households)
	return st, nil
}

func submitAll(ctx context.Context, mgr *ledger.Manager, cmds []domain.Command) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan domain.Command)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cmd := range work {
				if _, err := mgr.Submit(ctx, Ledger, ledger.Request{Command: cmd, Actor: Actor}); err != nil {
					select {
					case errc <- fmt.Errorf("%s: %w", cmd.CommandName(), err):
					default:
					}
					cancel()
				}
			}
		}()
	}
feed:
	for _, cmd := range cmds {
		select {
		case work <- cmd:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}
