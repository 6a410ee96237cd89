package notify_test

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// smtpServer is a real SMTP server (go-smtp) on a loopback address that
// keeps what it receives.
type smtpServer struct {
	port int
	opts serverOpts
	mu   sync.Mutex
	data int // DATA commands seen
	got  []received
}

type serverOpts struct {
	addr        string      // "": 127.0.0.1
	tls         *tls.Config // offered with STARTTLS, or from the start with implicit
	implicit    bool
	requireAuth bool
	rejects     int // DATA commands refused with 451 before one is accepted
}

type received struct {
	from, to string
	raw      []byte
	tls      bool
	user     string
}

func startSMTP(t *testing.T, o serverOpts) *smtpServer {
	t.Helper()
	s := &smtpServer{opts: o}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if !o.implicit {
		srv.TLSConfig = o.tls
	}
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1"
	}
	l, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	if o.implicit {
		l = tls.NewListener(l, o.tls)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.port = l.Addr().(*net.TCPAddr).Port
	return s
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func (s *smtpServer) tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

type session struct {
	s        *smtpServer
	conn     *gosmtp.Conn
	user     string
	from, to string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "concord" || pass != "mail-pass" {
			return errors.New("bad credentials")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if x.s.opts.requireAuth && x.user == "" {
		return gosmtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.data++
	if x.s.data <= x.s.opts.rejects {
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	_, isTLS := x.conn.TLSConnectionState()
	x.s.got = append(x.s.got, received{from: x.from, to: x.to, raw: raw, tls: isTLS, user: x.user})
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }

// decode reads a received message: its headers, decoded subject and body.
func decode(t *testing.T, raw []byte) (mail.Header, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if cte := m.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	enc, _ := io.ReadAll(m.Body)
	body, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(enc)))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header, subject, string(body)
}
