package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"concord/internal/clock"
)

// Mailer sends one plain-text e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTP sends e-mail through an SMTP server (net/smtp, with the dial, TLS
// handshake and whole conversation bounded by Timeout and ctx).
type SMTP struct {
	Host string // "" turns e-mail off
	Port int    // 0: 587, or 465 with ImplicitTLS
	From string // "Name <address>" or an address
	// Credentials for AUTH PLAIN, sent only over TLS or to localhost.
	Username, Password string
	// StartTLS is "auto" (upgrade when the server offers it; also ""),
	// "always" (refuse a server that does not) or "never".
	StartTLS string
	// ImplicitTLS speaks TLS from the first byte (SMTPS, usually port 465)
	// instead of upgrading with STARTTLS.
	ImplicitTLS bool
	// RootCAs verify the server's certificate; nil: the system's roots.
	RootCAs *x509.CertPool
	Timeout time.Duration // 0: 30 s
}

// Send delivers one message to one recipient.
func (m SMTP) Send(ctx context.Context, to, subject, body string) error {
	if m.StartTLS != "" && m.StartTLS != "auto" && m.StartTLS != "always" && m.StartTLS != "never" {
		return fmt.Errorf("smtp: unknown StartTLS mode %q", m.StartTLS)
	}
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("smtp: sender %q: %w", m.From, err)
	}
	rcpt, err := netmail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("smtp: recipient %q: %w", to, err)
	}
	msg := compose(from, rcpt, subject, body, clock.System.Now())

	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := m.secure(c); err != nil {
		return err
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	return c.Quit()
}

func (m SMTP) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: m.Host, RootCAs: m.RootCAs, MinVersion: tls.VersionTLS12}
}

// dial connects (with TLS from the start if asked) and opens the SMTP
// session; the connection closes when ctx ends, so no step can hang.
func (m SMTP) dial(ctx context.Context) (*smtp.Client, error) {
	port := m.Port
	if port == 0 {
		port = 587
		if m.ImplicitTLS {
			port = 465
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(m.Host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	if m.ImplicitTLS {
		tc := tls.Client(conn, m.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("smtp TLS: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return c, nil
}

// secure upgrades to TLS as StartTLS says and authenticates if credentials
// are set. net/smtp's PlainAuth refuses to send them in clear text except to
// localhost.
func (m SMTP) secure(c *smtp.Client) error {
	if !m.ImplicitTLS && m.StartTLS != "never" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tlsConfig()); err != nil {
				return fmt.Errorf("smtp STARTTLS: %w", err)
			}
		} else if m.StartTLS == "always" {
			return errors.New("smtp: the server does not offer STARTTLS")
		}
	}
	if m.Username == "" {
		return nil
	}
	if ok, _ := c.Extension("AUTH"); !ok {
		return errors.New("smtp: the server does not offer AUTH")
	}
	if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
		return fmt.Errorf("smtp AUTH: %w", err)
	}
	return nil
}

// compose writes an RFC 5322 message: UTF-8 subject as encoded words, the
// body base64-encoded so that Chinese passes any relay unchanged.
func compose(from, to *netmail.Address, subject, body string, now time.Time) []byte {
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.BEncoding.Encode("UTF-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+from.Address[strings.LastIndex(from.Address, "@")+1:]+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	text := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}
