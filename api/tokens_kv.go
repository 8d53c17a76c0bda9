package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/internal/natskv"
)

// TokenBucket is the NATS key-value bucket in which the servers of one
// cluster share their tokens: key the token's id, value its record as
// tokens.json holds it (the SHA-256 of the token, never the token).
const TokenBucket = "fundledger_tokens"

// TokensKVOptions configure OpenTokensKV.
type TokensKVOptions struct {
	// URL of the NATS cluster (serve's --nats-url).
	URL            string
	ConnectOptions []natsgo.Option
	// Name names the connection in the server's monitoring.
	Name string
	// Replicas of a new bucket: 0 tries 3 and falls back to 1 (natskv).
	Replicas int
	Logger   *slog.Logger
}

// kvTokens keeps tokens in TokenBucket. A watcher applies every record
// any server writes to this server's index, so an issue or a revocation
// anywhere takes effect here within a moment, and each request is
// authenticated from memory.
type kvTokens struct {
	nc   *natsgo.Conn
	kv   jetstream.KeyValue
	log  *slog.Logger
	stop context.CancelFunc
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	watcher jetstream.KeyWatcher // the current one (tests stop it under the server)
}

// OpenTokensKV connects to the cluster, opens (or makes) TokenBucket and
// answers once the index holds every record in it; it keeps watching the
// bucket until Close.
func OpenTokensKV(ctx context.Context, opts TokensKVOptions) (*Tokens, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	copts := append([]natsgo.Option{natsgo.Name(opts.Name), natsgo.MaxReconnects(-1)}, opts.ConnectOptions...)
	nc, err := natsgo.Connect(opts.URL, copts...)
	if err != nil {
		return nil, fmt.Errorf("tokens: connect %s: %w", opts.URL, err)
	}
	s := &kvTokens{nc: nc, log: opts.Logger, done: make(chan struct{})}
	t := newTokens()
	t.store = s
	if err := s.open(ctx, opts.Replicas, t); err != nil {
		nc.Close()
		return nil, err
	}
	return t, nil
}

func (s *kvTokens) open(ctx context.Context, replicas int, t *Tokens) error {
	js, err := jetstream.New(s.nc)
	if err != nil {
		return err
	}
	s.kv, err = natskv.Open(ctx, js, jetstream.KeyValueConfig{Bucket: TokenBucket, History: 1, Storage: jetstream.FileStorage,
		Description: "fundledger: bearer tokens, as SHA-256 hashes, shared by every server"}, replicas, s.log)
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	w, err := s.kv.WatchAll(wctx)
	if err != nil {
		cancel()
		return fmt.Errorf("tokens: watch %s: %w", TokenBucket, err)
	}
	// The initial values first, so this server knows every token before
	// it answers a request; then every change, until close.
	for initial := true; initial; {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				cancel()
				return fmt.Errorf("tokens: watch %s ended", TokenBucket)
			}
			if e == nil {
				initial = false
				break
			}
			s.see(t, e)
		case <-ctx.Done():
			_ = w.Stop()
			cancel()
			return fmt.Errorf("tokens: read %s: %w", TokenBucket, ctx.Err())
		}
	}
	s.stop = cancel
	s.setWatcher(w)
	go s.watch(wctx, t, w)
	return nil
}

// watch applies the bucket's changes to t until ctx ends. A watcher that
// ends before (its subscription closed under it) is started again: a
// server that stopped seeing the bucket would go on accepting tokens
// revoked elsewhere. The new one delivers every record again, deletions
// included, which the index takes as it took them the first time.
func (s *kvTokens) watch(ctx context.Context, t *Tokens, w jetstream.KeyWatcher) {
	defer close(s.done)
	for {
		for e := range w.Updates() {
			if e != nil {
				s.see(t, e)
			}
		}
		_ = w.Stop()
		for {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("tokens: bucket watcher ended; watching again", "bucket", TokenBucket)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			var err error
			if w, err = s.kv.WatchAll(ctx); err == nil {
				s.setWatcher(w)
				break
			}
			s.log.Warn("tokens: bucket not watched", "bucket", TokenBucket, "err", err)
		}
	}
}

func (s *kvTokens) setWatcher(w jetstream.KeyWatcher) {
	s.mu.Lock()
	s.watcher = w
	s.mu.Unlock()
}

// see applies one entry of the bucket: a record put, or deleted (an
// operator removing a key: its token no longer authenticates).
func (s *kvTokens) see(t *Tokens, e jetstream.KeyValueEntry) {
	if e.Operation() != jetstream.KeyValuePut {
		t.forget(e.Key())
		return
	}
	var tok Token
	if err := json.Unmarshal(e.Value(), &tok); err != nil || tok.ID != e.Key() || tok.Hash == "" {
		s.log.Warn("tokens: unreadable record in the bucket ignored", "bucket", TokenBucket, "key", e.Key(), "err", err)
		return
	}
	t.apply(tok)
}

func (s *kvTokens) create(ctx context.Context, tok Token) error {
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	_, err = s.kv.Create(ctx, tok.ID, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return errTokenExists
	}
	return err
}

// revoke reads the record from the bucket rather than the index, so a
// token issued on another server an instant ago is found, and writes it
// back with a compare-and-set on its revision.
func (s *kvTokens) revoke(ctx context.Context, id string, at time.Time) (Token, error) {
	for {
		e, err := s.kv.Get(ctx, id)
		if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
			return Token{}, ErrTokenNotFound
		}
		if err != nil {
			return Token{}, err
		}
		var tok Token
		if err := json.Unmarshal(e.Value(), &tok); err != nil {
			return Token{}, fmt.Errorf("tokens: record %s: %w", id, err)
		}
		if tok.RevokedAt != nil {
			return tok, nil
		}
		tok.RevokedAt = &at
		b, err := json.Marshal(tok)
		if err != nil {
			return Token{}, err
		}
		_, err = s.kv.Update(ctx, id, b, e.Revision())
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue // changed meanwhile (revoked elsewhere): look again
		}
		return tok, err
	}
}

func (s *kvTokens) close() error {
	s.once.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.done
		}
		s.nc.Close()
	})
	return nil
}
