package httpwrite

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// client sends requests over kept-alive HTTP/1.1 connections, one request
// at a time on each, without net/http's Transport. The clients run in the
// benchmark's process, on the cores the server needs: the Transport's read
// and write goroutines per connection, its connection pool and its request
// and header copies cost about a fifth of the process's CPU in the 64-client
// window, work a real client does on its own machine. This one writes each
// request with one write and parses each answer with http.ReadResponse, so
// the server sees ordinary HTTP/1.1 and the answer's status and length are
// checked as net/http checks them.
type client struct {
	addr string
	idle chan *rawConn // kept-alive connections not in use
}

type rawConn struct {
	c   net.Conn
	br  *bufio.Reader
	buf []byte // the request being written, reused
}

func newClient(addr string, conns int) *client {
	return &client{addr: addr, idle: make(chan *rawConn, conns)}
}

// post sends POST path with body and the given header lines (each
// "Name: value") and answers the status; the answer's body is read to its
// end so that the connection can carry the next request.
func (cl *client) post(path string, header []string, body []byte) (int, error) {
	var rc *rawConn
	select {
	case rc = <-cl.idle:
	default:
		c, err := net.Dial("tcp", cl.addr)
		if err != nil {
			return 0, err
		}
		rc = &rawConn{c: c, br: bufio.NewReaderSize(c, 4096)}
	}
	b := append(rc.buf[:0], "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, cl.addr...)
	b = append(b, "\r\n"...)
	for _, h := range header {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	rc.buf = b
	if _, err := rc.c.Write(b); err != nil {
		rc.c.Close()
		return 0, err
	}
	res, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		rc.c.Close()
		return 0, fmt.Errorf("reading the answer: %w", err)
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		rc.c.Close()
		return res.StatusCode, err
	}
	select {
	case cl.idle <- rc:
	default:
		rc.c.Close()
	}
	return res.StatusCode, nil
}

// close closes the idle connections.
func (cl *client) close() {
	for {
		select {
		case rc := <-cl.idle:
			rc.c.Close()
		default:
			return
		}
	}
}
