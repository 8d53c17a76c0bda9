package scenario

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/ledger"
)

// Run writes a plan to a store through the ledger writer, one command after
// another, each at its step's time.
func Run(ctx context.Context, store eventstore.Store, p *Plan) error {
	var mu sync.Mutex
	var now time.Time
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	mgr := ledger.NewManager(store, ledger.Options{Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer mgr.Close()
	for i, st := range p.Steps {
		mu.Lock()
		now = st.At
		mu.Unlock()
		if _, err := mgr.Submit(ctx, p.Ledger, ledger.Request{Command: st.Command, Actor: "scenario"}); err != nil {
			return fmt.Errorf("scenario step %d (%s): %w", i, st.Command.CommandName(), err)
		}
	}
	return nil
}
