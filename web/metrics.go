package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// metrics are the server's operating metrics, served at /metrics in the
// Prometheus text format. Each server has its own registry (not the
// global one), so servers in parallel tests do not collide.
//
//	xiezuo_http_requests_total{route,code}        requests by route pattern and status
//	xiezuo_http_request_duration_seconds{route}   latency histogram by route pattern
//	xiezuo_http_requests_in_flight                requests being served
//	xiezuo_db_write_lock_wait_seconds             wait for the store's write lock
//	xiezuo_imports_running                        imports in progress (web uploads)
//	xiezuo_login_throttled_total                  sign-ins refused by the throttle
//	go_sql_*{db_name="xiezuo"}                    database/sql pool (DBStats)
//	go_*, process_*                               Go runtime and process
//
// route is the ServeMux pattern ("GET /contributions/{id}"), never the raw
// path, or "unmatched" when no route matched.
type metrics struct {
	reg            *prometheus.Registry
	handler        http.Handler
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	writeWait      prometheus.Histogram
	importsRunning prometheus.Gauge
	// loginThrottled counts sign-in attempts refused (429) by the
	// per-user or per-address throttle.
	loginThrottled prometheus.Counter
}

// newMetrics registers the metrics of a server over db, and sets db's
// WriteWait hook to observe the write-lock wait.
func newMetrics(db *store.DB) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xiezuo_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xiezuo_http_request_duration_seconds", Help: "Time to serve an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiezuo_http_requests_in_flight", Help: "HTTP requests being served.",
		}),
		writeWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "xiezuo_db_write_lock_wait_seconds", Help: "Time a write transaction waited for the store's write lock.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 9), // 0.1 ms … 6.5 s
		}),
		importsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xiezuo_imports_running", Help: "File imports in progress.",
		}),
		loginThrottled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xiezuo_login_throttled_total", Help: "Sign-in attempts refused by the failed-login throttle.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight, m.writeWait, m.importsRunning, m.loginThrottled,
		collectors.NewDBStatsCollector(db.SQL(), "xiezuo"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	db.WriteWait = func(d time.Duration) { m.writeWait.Observe(d.Seconds()) }
	return m
}

// observe records one served request.
func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// metricsGet is GET /metrics, for the office admin (ledger.CanReadMetrics):
// signed in, or a scraper sending the admin's API token as a bearer token.
// The figures are not personal data, but they show how the office works
// (who is busy when, how many imports); loopback-only access would let in
// anyone behind a reverse proxy on the same host.
func (s *Server) metricsGet(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !ledger.CanReadMetrics(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办管理员可以查看运行指标")
	}
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}
