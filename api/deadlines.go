package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Connection timeouts. A client must never hold the server (or its
// shutdown) by being slow: headers have a fixed bound, a body a bound that
// grows with its size, and a response a bound on each write. The server
// itself has no ReadTimeout or WriteTimeout, because one value cannot fit
// both a 1 KiB JSON write and a 16 MiB batch file from a township office,
// and a WriteTimeout would cut every live event stream.
const (
	// ReadHeaderTimeout bounds the request line and headers.
	ReadHeaderTimeout = 10 * time.Second
	// MinUploadRate is the slowest body the server waits for, in bytes per
	// second: 32 KiB/s, about 256 kbit/s, a poor rural line. A full 16 MiB
	// batch file may take 30 s + 512 s ≈ 9 minutes; a 1 MiB JSON body
	// about a minute.
	MinUploadRate = 32 << 10
	// BodyGrace is added to every body's read deadline (latency, a slow
	// start, a client that computes while it sends).
	BodyGrace = 30 * time.Second
	// WriteStallTimeout is how long one write of a response may wait for
	// a client that does not read: past it the connection is cut. A slow
	// but moving client is never cut, however long the response.
	WriteStallTimeout = 30 * time.Second
	// IdleTimeout closes keep-alive connections nobody uses.
	IdleTimeout = 2 * time.Minute
	// ShutdownGrace is how long a live event stream gets, at shutdown, to
	// write its end before its connection is cut.
	ShutdownGrace = time.Second
)

// bodyDeadline answers how long the body of a request may take to arrive:
// BodyGrace plus its length at MinUploadRate. A body of unknown length is
// judged as the largest the server accepts (MaxUpload).
func bodyDeadline(length int64) time.Duration {
	if length < 0 || length > MaxUpload {
		length = MaxUpload
	}
	return BodyGrace + time.Duration(length)*time.Second/MinUploadRate
}

// deadlines sets the request's body read deadline and makes every write of
// the response wait at most WriteStallTimeout.
func (s *Server) deadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		rc := http.NewResponseController(res.Writer)
		if n := c.Request().ContentLength; n != 0 {
			_ = rc.SetReadDeadline(time.Now().Add(bodyDeadline(n)))
		}
		sw := &stallWriter{ResponseWriter: res.Writer, rc: rc}
		sw.arm() // a deadline left on a kept-alive connection by its last request must not cut this one
		res.Writer = sw
		return next(c)
	}
}

// stallWriter moves the connection's write deadline WriteStallTimeout ahead
// before each write and flush, so a response is cut only when the client
// stops reading, never for being long. Everything net/http writes (its
// buffer, the end of a chunked body) goes out within one of these calls or
// right after the last one, so no write is left without a deadline.
type stallWriter struct {
	http.ResponseWriter
	rc *http.ResponseController

	mu  sync.Mutex
	cut bool // cutAfter was called: the deadline no longer moves
}

func (w *stallWriter) arm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.cut {
		_ = w.rc.SetWriteDeadline(time.Now().Add(WriteStallTimeout))
	}
}

// cutAfter fixes the write deadline d from now, whatever the handler
// writes later; a write blocked on a client that does not read then fails
// by then, and the connection closes.
func (w *stallWriter) cutAfter(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cut = true
	_ = w.rc.SetWriteDeadline(time.Now().Add(d))
}

func (w *stallWriter) Write(p []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(p)
}

// FlushError lets http.ResponseController (and so echo's Flush) flush
// through the wrapper with the deadline moved.
func (w *stallWriter) FlushError() error {
	w.arm()
	return w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
