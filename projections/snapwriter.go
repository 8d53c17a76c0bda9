package projections

import (
	"fmt"
	"sync"
)

// snapWriter saves snapshots of frozen models on its own goroutine, one at
// a time and in order, so the fold that hands them over goes on meanwhile.
// At most one snapshot waits while another is written: a fold that gets
// ahead of the writer waits for it rather than hold a third copy of the
// model in memory.
type snapWriter struct {
	p    *Projector
	ch   chan *Model
	done chan struct{}
	once sync.Once

	mu  sync.Mutex
	err error // the first failure; later snapshots are not written
}

func (p *Projector) startSnapWriter() *snapWriter {
	w := &snapWriter{p: p, ch: make(chan *Model), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for m := range w.ch {
			if w.failed() != nil {
				continue
			}
			if err := p.snaps.save(m); err != nil {
				w.mu.Lock()
				w.err = fmt.Errorf("projections: snapshot of %s at %d: %w", m.Ledger(), m.Seq(), err)
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *snapWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// write hands over a frozen copy of m, which the caller may go on folding
// into at once. It answers an earlier snapshot's failure, if any.
func (w *snapWriter) write(m *Model) error {
	if err := w.failed(); err != nil {
		return err
	}
	w.ch <- m.frozen()
	return nil
}

// stop waits for the snapshots handed over to be written and answers the
// first failure. It may be called more than once.
func (w *snapWriter) stop() error {
	w.once.Do(func() { close(w.ch) })
	<-w.done
	return w.failed()
}
