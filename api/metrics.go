package api

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics. It is a ledger.Observer:
// pass it to ledger.Options so group commits are counted.
type Metrics struct {
	reg           *prometheus.Registry
	commits       prometheus.Counter
	groupCommits  prometheus.Counter
	groupSize     prometheus.Histogram
	commitSeconds prometheus.Histogram
	httpRequests  *prometheus.CounterVec
	httpSeconds   *prometheus.HistogramVec
	server        atomic.Pointer[Server] // for projection lag, read at scrape time
}

// NewMetrics registers fundledger's metrics (and the Go runtime's) on a
// registry of their own, so that several servers in one process (tests)
// do not collide.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.commits = prometheus.NewCounter(prometheus.CounterOpts{Name: "fundledger_commits_total",
		Help: "Commits made durable (one per accepted command)."})
	m.groupCommits = prometheus.NewCounter(prometheus.CounterOpts{Name: "fundledger_group_commits_total",
		Help: "Group commits: store appends, each holding one or more commits."})
	m.groupSize = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fundledger_group_commit_size",
		Help: "Commits per group commit.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000}})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fundledger_commit_seconds",
		Help:    "Time of one group commit, from append to durable acknowledgement.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fundledger_http_requests_total",
		Help: "HTTP requests by method, route template and status."}, []string{"method", "route", "status"})
	m.httpSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fundledger_http_request_seconds",
		Help: "HTTP request duration by method and route template.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)},
		[]string{"method", "route"})
	m.reg.MustRegister(m.commits, m.groupCommits, m.groupSize, m.commitSeconds, m.httpRequests, m.httpSeconds,
		lagCollector{m}, m.followGauges(), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Committed implements ledger.Observer.
func (m *Metrics) Committed(_ string, commits int, took time.Duration) {
	m.commits.Add(float64(commits))
	m.groupCommits.Inc()
	m.groupSize.Observe(float64(commits))
	m.commitSeconds.Observe(took.Seconds())
}

func (m *Metrics) watch(s *Server) { m.server.Store(s) }

func (m *Metrics) observeHTTP(method, route string, status int, took time.Duration) {
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpSeconds.WithLabelValues(method, route).Observe(took.Seconds())
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

func (s *Server) metrics(c echo.Context) error {
	s.meters.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

var lagDesc = prometheus.NewDesc("fundledger_projection_lag_commits",
	"Commits durable in the store but not yet in the read models, per ledger.", []string{"ledger"}, nil)

// lagCollector measures projection lag at scrape time.
type lagCollector struct{ m *Metrics }

func (l lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- lagDesc }

func (l lagCollector) Collect(ch chan<- prometheus.Metric) {
	s := l.m.server.Load()
	if s == nil || s.store == nil || s.projector == nil {
		return
	}
	for code, lag := range s.lag(context.Background()) {
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(lag), code)
	}
}

// lag answers, per ledger, how many durable commits the projections lack.
func (s *Server) lag(ctx context.Context) map[string]uint64 {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	codes, err := s.store.Ledgers(ctx)
	if err != nil {
		return nil
	}
	out := make(map[string]uint64, len(codes))
	for _, code := range codes {
		head, err := s.store.Head(ctx, code)
		if err != nil {
			continue
		}
		var lag uint64
		if p := s.projector.Seq(code); p < head {
			lag = head - p
		}
		out[code] = lag
	}
	return out
}

// followGauges measures live event streams (follow.go) at scrape time:
// followers against MaxFollowers, the store subscriptions they share, and
// the followers dropped for falling behind or refused at the cap.
func (m *Metrics) followGauges() prometheus.Collector {
	hub := func() *followHub {
		if s := m.server.Load(); s != nil {
			return s.follows
		}
		return nil
	}
	followers := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fundledger_event_followers",
		Help: "Live event streams (GET …/events as Server-Sent Events) open now; at most fundledger_event_followers_max."},
		func() float64 {
			if h := hub(); h != nil {
				n, _ := h.stats()
				return float64(n)
			}
			return 0
		})
	limit := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fundledger_event_followers_max",
		Help: "The most live event streams the server holds at once; past it, 503 too_many_followers."},
		func() float64 { return MaxFollowers })
	feeds := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fundledger_event_feeds",
		Help: "Store subscriptions shared by live event streams: one per followed ledger."},
		func() float64 {
			if h := hub(); h != nil {
				_, n := h.stats()
				return float64(n)
			}
			return 0
		})
	dropped := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fundledger_event_followers_dropped_total",
		Help: "Live event streams closed because their client fell behind by more than its buffer."},
		func() float64 {
			if h := hub(); h != nil {
				return float64(h.dropped.Load())
			}
			return 0
		})
	refused := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fundledger_event_followers_refused_total",
		Help: "Live event streams refused with 503 because the server was at its limit."},
		func() float64 {
			if h := hub(); h != nil {
				return float64(h.refused.Load())
			}
			return 0
		})
	return collectorSet{followers, limit, feeds, dropped, refused}
}

// collectorSet registers several collectors as one.
type collectorSet []prometheus.Collector

func (cs collectorSet) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range cs {
		c.Describe(ch)
	}
}

func (cs collectorSet) Collect(ch chan<- prometheus.Metric) {
	for _, c := range cs {
		c.Collect(ch)
	}
}
