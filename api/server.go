package api

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/fundledger/fundledger/domain"
	"github.com/fundledger/fundledger/eventstore"
	"github.com/fundledger/fundledger/internal/owner"
	"github.com/fundledger/fundledger/ledger"
	"github.com/fundledger/fundledger/projections"
)

// Limits on request bodies.
const (
	// MaxBody bounds a JSON request body: 1 MiB holds a payout batch of
	// several thousand lines; anything larger is a mistake or an attack.
	MaxBody = 1 << 20
	// MaxUpload bounds a payout-batch file (CSV or XLSX, also multipart):
	// 16 MiB holds the largest batch the ledger accepts (50,000 lines) with
	// room for spreadsheet overhead.
	MaxUpload = 16 << 20
	// MaxXLSXExpanded bounds what an uploaded XLSX may expand to: the sum
	// of its parts' uncompressed sizes, read from the zip's central
	// directory before anything is unzipped. 64 MiB holds a 50,000-line
	// batch many times over (such a sheet is a few MiB of XML); a zip bomb
	// of a few KiB that claims gigabytes is refused with 413 at once. A
	// directory that understates its sizes is caught while reading: every
	// part is read through a limit, and archive/zip refuses a part longer
	// than it declared.
	MaxXLSXExpanded = 64 << 20
	// MaxUploadRows bounds the rows of an uploaded batch file, header
	// included, read one at a time: past it, 413 without reading further.
	MaxUploadRows = domain.MaxBatchLines + 1
	// DefaultReadWait bounds how long a read waits for the projections to
	// reach the writes acknowledged before it; past it, 503 with Retry-After.
	DefaultReadWait = 5 * time.Second
)

// Config is what a Server is built from. Manager, Store, Projector and
// Tokens are required.
type Config struct {
	Manager    *ledger.Manager
	Store      eventstore.Store
	Projector  *projections.Projector
	Tokens     *Tokens
	AdminToken string // FUNDLEDGER_ADMIN_TOKEN; empty: no admin token
	Metrics    *Metrics
	Logger     *slog.Logger
	ReadWait   time.Duration
	// Owners is who writes each ledger when several servers share one
	// NATS cluster; nil: this server writes every ledger (owner.Local).
	Owners owner.Owners
}

// Server is fundledger's HTTP interface over the wiring of Config.
type Server struct {
	manager   *ledger.Manager
	store     eventstore.Store
	projector *projections.Projector
	tokens    *Tokens
	meters    *Metrics
	// router is Echo; every route of Routes is registered on it.
	router *echo.Echo

	adminToken string
	log        *slog.Logger
	readWait   time.Duration
	owners     owner.Owners
	forwarder  *http.Transport // writes forwarded to a ledger's owner
	routes     []Route
	docOnce    sync.Once
	doc        map[string]any

	// closing is closed when shutdown starts, ending live event streams so
	// that in-flight requests can finish and the server can stop.
	closing   chan struct{}
	closeOnce sync.Once
	// follows shares one store subscription per ledger among live event
	// streams and caps them (follow.go).
	follows *followHub

	// public caches rendered disclosures by ETag (see public_disclosure.go).
	publicCache publicCache
}

// New builds a server and registers every route.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.ReadWait == 0 {
		cfg.ReadWait = DefaultReadWait
	}
	if cfg.Owners == nil {
		name, _ := os.Hostname()
		cfg.Owners = owner.Local{Node: owner.Node{Name: name}}
	}
	s := &Server{
		manager: cfg.Manager, store: cfg.Store, projector: cfg.Projector, tokens: cfg.Tokens, meters: cfg.Metrics,
		adminToken: cfg.AdminToken, log: cfg.Logger, readWait: cfg.ReadWait, closing: make(chan struct{}),
		follows: newFollowHub(cfg.Store, cfg.Logger, MaxFollowers),
		owners:  cfg.Owners, forwarder: newForwarder(),
	}
	s.meters.watch(s)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = plainJSON{}
	e.Use(s.observe, s.deadlines, middleware.Recover(), decodeParams, s.nodeHeader, s.forward)
	s.router = e
	s.routes = s.table()
	for _, r := range s.routes {
		mw := []echo.MiddlewareFunc{}
		if r.Role != "" {
			mw = append(mw, s.auth(r.Role))
		}
		e.Add(r.Method, r.Path, r.handler, mw...)
	}
	return s
}

// Mount serves h for every path under prefix (the console at /console/),
// behind the same request log, metrics and deadlines as the API. Call it
// before serving. The mounted paths are not the API's: they are not in
// Routes or the OpenAPI document.
func (s *Server) Mount(prefix string, h http.Handler) {
	s.router.Any(strings.TrimSuffix(prefix, "/")+"/*", echo.WrapHandler(h))
}

// Authenticate answers who a bearer token acts for, exactly as the API's
// auth does (admin token, then the token store; revoked tokens are
// unknown): the console signs in with it.
func (s *Server) Authenticate(bearer string) (Principal, bool) {
	p, ok := s.authenticate(bearer)
	if !ok {
		return Principal{}, false
	}
	return *p, true
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Routes answers the route table the router was built from.
func (s *Server) Routes() []Route { return s.routes }

// Closing ends live event streams and refuses new ones; call it when
// shutdown starts (for example from http.Server.RegisterOnShutdown).
func (s *Server) Closing() {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.follows.close()
		s.forwarder.CloseIdleConnections()
	})
}

// HTTPServer answers an http.Server for addr with the timeouts of
// deadlines.go: headers within ReadHeaderTimeout; bodies and response
// writes are bounded per request (see Server.deadlines), because event
// streams stay open and uploads may be large and slow.
func (s *Server) HTTPServer(addr string) *http.Server {
	hs := &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(s.Closing)
	return hs
}

// Shutdown stops an http.Server: it ends event streams, then waits for
// in-flight requests to finish until ctx is done, and then closes every
// connection still open (a slow upload, a client that does not read), so
// that it returns soon after ctx ends whatever the clients do. Handlers cut
// off that way may still be running; the writers they wait on finish the
// group they are committing (ledger.Manager.Close).
func (s *Server) Shutdown(ctx context.Context, hs *http.Server) error {
	s.Closing()
	err := hs.Shutdown(ctx)
	if err != nil && ctx.Err() != nil {
		s.log.Warn("http shutdown: connections still open at the bound; closing them", "err", err)
		if cerr := hs.Close(); cerr != nil {
			s.log.Warn("http close", "err", cerr)
		}
	}
	return err
}

// untilShutdown answers a context of parent that is also cancelled when
// shutdown starts, so long answers (event streams, exports) end at once
// rather than hold the server; onShutdown, if not nil, runs then too.
func (s *Server) untilShutdown(parent context.Context, onShutdown func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-s.closing:
			cancel()
			if onShutdown != nil {
				onShutdown()
			}
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
