// Package nats is the JetStream adapter of the eventstore port: one stream
// per ledger (FUNDLEDGER_<code>, subject fundledger.<code>), one message per
// Append (a frame of records, see frame.go), fsync before ack.
//
// By default it runs nats-server inside the process on a data directory, so
// fundledger needs no other install; with a URL it uses an external server or
// cluster, where streams are replicated (R3 unless told otherwise) and a
// stream leader that dies costs the replicas' election, not an error: every
// request is made in short attempts until the new leader answers (retry.go),
// and a publish retried that way is stored at most once (publish.go).
package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/fundledger/fundledger/eventstore"
)

// MaxPayload is the largest message the embedded server accepts, and so the
// largest Append (frame plus headers). A 5,000-line payout batch committed at
// once is about 1 MB; 16 MiB leaves room for large group commits.
const MaxPayload = 16 << 20

// headerReserve is what the adapter keeps free in a message for its headers
// and JetStream's.
const headerReserve = 4 << 10

const (
	streamPrefix  = "FUNDLEDGER_"
	subjectPrefix = "fundledger."
)

// Options says which JetStream to use.
type Options struct {
	// DataDir starts an embedded nats-server with its JetStream file store in
	// this directory. Ignored when URL is set.
	DataDir string
	// URL of an external NATS server or cluster (comma-separated URLs allowed).
	URL string
	// Replicas of each ledger stream: default 1 embedded, 3 with URL.
	Replicas int
	// Auth holds the credentials and TLS files for URL.
	Auth Auth
	// ConnectOptions are extra client options for URL, after Auth's.
	ConnectOptions []natsgo.Option
	// Logger receives the adapter's and the embedded server's warnings and
	// errors. Default slog.Default().
	Logger *slog.Logger
}

// Store is an eventstore.Store on JetStream.
type Store struct {
	srv *server.Server // nil for an external server
	nc  *natsgo.Conn
	js  jetstream.JetStream
	// publishMsg is js.PublishMsg; a test may stand in for it to lose an ack.
	publishMsg func(context.Context, *natsgo.Msg, ...jetstream.PublishOpt) (*jetstream.PubAck, error)
	replicas   int
	maxMsgSize int // largest message the stream and connection accept
	log        *slog.Logger
	closed     atomic.Bool

	readers  chan struct{} // a slot per bounded read holding a consumer (maxReaders)
	createMu sync.Mutex    // serialises stream creation
	mu       sync.Mutex
	ledgers  map[string]*ledgerState
}

// ledgerState caches where a ledger's log ends, so Append needs no round trip
// before publishing. It may be stale when another process writes; the
// server's expected-last-sequence check is what keeps appends safe.
type ledgerState struct {
	stream jetstream.Stream
	known  bool   // rec and sseq reflect the server at some point
	rec    uint64 // last record sequence in the ledger
	sseq   uint64 // stream sequence of the frame holding rec
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to (or starts) JetStream as opts say.
func Open(ctx context.Context, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{log: log, ledgers: map[string]*ledgerState{}, replicas: opts.Replicas, readers: make(chan struct{}, maxReaders)}
	var err error
	switch {
	case opts.URL != "":
		if s.replicas == 0 {
			s.replicas = 3
		}
		auth, aerr := opts.Auth.ConnectOptions()
		if aerr != nil {
			return nil, aerr
		}
		copts := append([]natsgo.Option{natsgo.Name("fundledger"), natsgo.MaxReconnects(-1), errorsTo(log)}, auth...)
		copts = append(copts, opts.ConnectOptions...)
		s.nc, err = natsgo.Connect(opts.URL, copts...)
		if err != nil {
			return nil, fmt.Errorf("nats: connect %s: %w", opts.URL, err)
		}
	case opts.DataDir != "":
		if s.replicas == 0 {
			s.replicas = 1
		}
		if s.srv, err = startEmbedded(opts.DataDir, log); err != nil {
			return nil, err
		}
		s.nc, err = natsgo.Connect("", natsgo.InProcessServer(s.srv), natsgo.Name("fundledger"), natsgo.MaxReconnects(-1), errorsTo(log))
		if err != nil {
			s.shutdownServer()
			return nil, fmt.Errorf("nats: connect in-process: %w", err)
		}
	default:
		return nil, errors.New("nats: Options needs DataDir or URL")
	}
	s.maxMsgSize = int(min(s.nc.MaxPayload(), MaxPayload))
	s.js, err = jetstream.New(s.nc)
	if err == nil {
		s.publishMsg = s.js.PublishMsg
		// Fail early, with the reason, if JetStream is off or unreachable.
		_, err = s.js.AccountInfo(ctx)
	}
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	return s, nil
}

// startEmbedded runs nats-server in this process, reachable only through an
// in-process connection.
func startEmbedded(dir string, log *slog.Logger) (*server.Server, error) {
	o := &server.Options{
		ServerName: "fundledger",
		DontListen: true, // clients connect in-process; nothing listens on a port
		JetStream:  true,
		StoreDir:   dir,
		// fsync before ack: NATS's default is to fsync every two minutes, which
		// loses acknowledged payouts on power loss.
		SyncAlways: true,
		MaxPayload: MaxPayload,
		NoSigs:     true,
		NoLog:      true,
	}
	srv, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	srv.SetLoggerV2(serverLogger{log: log.With("component", "nats-server")}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		srv.WaitForShutdown()
		return nil, fmt.Errorf("nats: embedded server on %s not ready within 30s", dir)
	}
	return srv, nil
}

func (s *Store) shutdownServer() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
	}
}

// Close drains the connection and, for the embedded server, shuts it down
// and waits until its files are closed. Closing twice is harmless.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	var err error
	if s.nc != nil {
		closed := make(chan struct{})
		s.nc.SetClosedHandler(func(*natsgo.Conn) { close(closed) })
		if derr := s.nc.Drain(); derr != nil {
			s.nc.Close()
		}
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			s.nc.Close()
			err = errors.New("nats: connection did not drain within 10s")
		}
	}
	s.shutdownServer()
	return err
}

// Server answers the embedded server, nil for an external one.
func (s *Store) Server() *server.Server { return s.srv }

func streamName(ledger string) string { return streamPrefix + ledger }
func subject(ledger string) string    { return subjectPrefix + ledger }

func (s *Store) check(ledger string) error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	if !eventstore.ValidLedgerCode(ledger) {
		return fmt.Errorf("nats: invalid ledger code %q", ledger)
	}
	return nil
}

// closedErr turns a failure caused by Close into ErrClosed.
func (s *Store) closedErr(err error) error {
	if err != nil && s.closed.Load() {
		return eventstore.ErrClosed
	}
	return err
}

// errorsTo sends the client's asynchronous errors (a slow consumer, a
// dropped message) to the structured log instead of nats.go's default
// printing to stderr.
func errorsTo(log *slog.Logger) natsgo.Option {
	return natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
		subject := ""
		if sub != nil {
			subject = sub.Subject
		}
		log.Warn("nats: asynchronous error", "subject", subject, "err", err)
	})
}

// serverLogger routes nats-server's log to slog: warnings and errors only,
// since its notices describe every start in detail.
type serverLogger struct{ log *slog.Logger }

func (l serverLogger) Noticef(format string, v ...any) {
	l.log.Debug(fmt.Sprintf(format, v...))
}
func (l serverLogger) Warnf(format string, v ...any)  { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l serverLogger) Fatalf(format string, v ...any) { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Errorf(format string, v ...any) { l.log.Error(fmt.Sprintf(format, v...)) }
func (l serverLogger) Debugf(format string, v ...any) {}
func (l serverLogger) Tracef(format string, v ...any) {}
