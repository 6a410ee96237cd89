package notify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"concord/internal/notify"
)

// localhostTLS is a certificate for 127.0.0.1 (httptest's) and a pool that
// trusts it.
func localhostTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &tls.Config{Certificates: srv.TLS.Certificates}, pool
}

func TestSMTPModes(t *testing.T) {
	cert, roots := localhostTLS(t)
	cases := []struct {
		name     string
		server   serverOpts
		client   notify.SMTP
		wantErr  string // in the error; "" for success
		wantTLS  bool
		wantUser string
	}{
		{name: "no TLS offered: plain", client: notify.SMTP{}},
		{name: "STARTTLS offered: used", server: serverOpts{tls: cert}, client: notify.SMTP{RootCAs: roots}, wantTLS: true},
		{name: "STARTTLS always, and offered", server: serverOpts{tls: cert}, client: notify.SMTP{StartTLS: "always", RootCAs: roots}, wantTLS: true},
		{name: "STARTTLS always, not offered", client: notify.SMTP{StartTLS: "always"}, wantErr: "STARTTLS"},
		{name: "STARTTLS never", server: serverOpts{tls: cert}, client: notify.SMTP{StartTLS: "never"}},
		{name: "an unknown mode", client: notify.SMTP{StartTLS: "sometimes"}, wantErr: "sometimes"},
		{name: "an untrusted certificate", server: serverOpts{tls: cert}, client: notify.SMTP{}, wantErr: "certificate"},
		{name: "implicit TLS", server: serverOpts{tls: cert, implicit: true}, client: notify.SMTP{ImplicitTLS: true, RootCAs: roots}, wantTLS: true},
		{
			name: "AUTH over TLS", server: serverOpts{tls: cert, requireAuth: true},
			client:  notify.SMTP{Username: "concord", Password: "mail-pass", RootCAs: roots},
			wantTLS: true, wantUser: "concord",
		},
		{
			name: "AUTH in clear text to localhost", server: serverOpts{requireAuth: true},
			client:   notify.SMTP{Username: "concord", Password: "mail-pass"},
			wantUser: "concord",
		},
		{
			name: "never AUTH in clear text to another host", server: serverOpts{addr: "127.0.0.2", requireAuth: true},
			client:  notify.SMTP{Host: "127.0.0.2", Username: "concord", Password: "mail-pass"},
			wantErr: "unencrypted",
		},
		{name: "a wrong password", server: serverOpts{requireAuth: true}, client: notify.SMTP{Username: "concord", Password: "wrong"}, wantErr: "AUTH"},
		{name: "no credentials where required", server: serverOpts{requireAuth: true}, client: notify.SMTP{}, wantErr: "MAIL FROM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startSMTP(t, c.server)
			m := c.client
			if m.Host == "" {
				m.Host = "127.0.0.1"
			}
			m.Port, m.From, m.Timeout = srv.port, sender, 5*time.Second
			err := m.Send(context.Background(), "alice@example.cn", "测试", "正文")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Send = %v, want an error about %q", err, c.wantErr)
				}
				if len(srv.received()) != 0 {
					t.Error("the server received the message anyway")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := srv.received()
			if len(got) != 1 || got[0].tls != c.wantTLS || got[0].user != c.wantUser {
				t.Fatalf("received %+v, want one message with TLS %v, user %q", got, c.wantTLS, c.wantUser)
			}
			if _, subject, body := decode(t, got[0].raw); subject != "测试" || body != "正文" {
				t.Errorf("subject %q, body %q", subject, body)
			}
		})
	}
}

func TestSMTPTimesOut(t *testing.T) {
	// A server that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		if c, err := l.Accept(); err == nil {
			<-done
			c.Close()
		}
	}()
	m := notify.SMTP{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: sender, Timeout: 200 * time.Millisecond}
	start := time.Now()
	if err := m.Send(context.Background(), "alice@example.cn", "s", "b"); err == nil {
		t.Fatal("Send to a silent server succeeded")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Send took %s with a 200ms timeout", took)
	}
}

func TestMessageHeaders(t *testing.T) {
	srv := startSMTP(t, serverOpts{})
	m := notify.SMTP{Host: "127.0.0.1", Port: srv.port, From: sender}
	long := strings.Repeat("关于推进长江经济带协同发展的督办事项", 8)
	for _, c := range []struct{ name, subject, body, wantBody string }{
		{"a long Chinese subject", long, "第一行\n第二行", "第一行\r\n第二行"},
		{"line breaks in the subject stay in the subject", "a\r\nBcc: evil@example.com", "b", "b"},
	} {
		if err := m.Send(context.Background(), "alice@example.cn", c.subject, c.body); err != nil {
			t.Fatal(err)
		}
		got := srv.received()
		h, subject, body := decode(t, got[len(got)-1].raw)
		if subject != c.subject || body != c.wantBody || h.Get("Bcc") != "" {
			t.Errorf("%s: subject %q, body %q, Bcc %q", c.name, subject, body, h.Get("Bcc"))
		}
		for line := range strings.SplitSeq(string(got[len(got)-1].raw), "\r\n") {
			if len(line) > 998 {
				t.Errorf("%s: a line of %d characters", c.name, len(line))
			}
		}
	}
	if err := m.Send(context.Background(), "not an address", "s", "b"); err == nil {
		t.Error("a malformed recipient was accepted")
	}
}
