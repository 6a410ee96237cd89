package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tools are the binaries the process measurements run.
type Tools struct {
	Concord string // the concord binary measured
	Rusage  string // cmd/concord-bench/rusage, which spawns `concord version`
}

// Build compiles cmd/concord (with a plain `go build`, as a deployment
// would) and the rusage helper into dir. With concord set it builds only the
// helper and measures that binary instead. It must run inside the concord
// module.
func Build(ctx context.Context, dir, concord string) (Tools, error) {
	pkgs := []string{"concord/cmd/concord-bench/rusage"}
	t := Tools{Concord: concord, Rusage: filepath.Join(dir, "rusage")}
	if concord == "" {
		pkgs = append(pkgs, "concord/cmd/concord")
		t.Concord = filepath.Join(dir, "concord")
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return t, fmt.Errorf("go build %s: %w", strings.Join(pkgs, " "), err)
	}
	return t, nil
}

// childEnv is the environment without CONCORD_* settings, so that only the
// flags the benchmark passes configure the child.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONCORD_") {
			env = append(env, kv)
		}
	}
	return env
}

// Exit is one run of a short-lived command.
type Exit struct {
	Wall   time.Duration
	MaxRSS int64 // bytes, from the child's rusage
	Floor  int64 // bytes: the spawning helper's own high-water mark
}

// RunVersion runs `concord version` to its exit through the rusage helper:
// the floor of starting the binary at all (loading, runtime and package
// initialisation, the CLI). The helper, not this process, spawns it because
// a vforked child's ru_maxrss includes its spawner's resident memory.
func RunVersion(ctx context.Context, t Tools) (Exit, error) {
	cmd := exec.CommandContext(ctx, t.Rusage, t.Concord, "version")
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Exit{}, fmt.Errorf("rusage concord version: %w: %s", err, stderr.String())
	}
	var r struct {
		WallNS int64 `json:"wall_ns"`
		MaxRSS int64 `json:"maxrss_bytes"`
		Floor  int64 `json:"floor_bytes"`
		Exit   int   `json:"exit"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return Exit{}, fmt.Errorf("rusage output %q: %w", out, err)
	}
	if r.Exit != 0 {
		return Exit{}, fmt.Errorf("concord version exited with status %d: %s", r.Exit, stderr.String())
	}
	return Exit{Wall: time.Duration(r.WallNS), MaxRSS: r.MaxRSS, Floor: r.Floor}, nil
}

// Server is a running `concord serve`.
type Server struct {
	Cmd    *exec.Cmd
	Addr   string
	Ready  time.Duration // from exec until GET /readyz first answered 200
	stderr *bytes.Buffer
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

// freeAddr finds a free loopback port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

var probe = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// StartServe runs `concord serve --db path --addr 127.0.0.1:PORT` and waits
// until GET /readyz answers 200, polling every millisecond; Ready is the
// time from just before exec to that answer.
func StartServe(ctx context.Context, bin, path string) (*Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: addr, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	s.Cmd = exec.Command(bin, "serve", "--db", path, "--addr", addr)
	s.Cmd.Env = childEnv()
	s.Cmd.Stdout, s.Cmd.Stderr = io.Discard, s.stderr
	start := time.Now()
	if err := s.Cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.err = s.Cmd.Wait(); close(s.done) }()
	url := "http://" + addr + "/readyz"
	for {
		res, err := probe.Get(url)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				s.Ready = time.Since(start)
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("concord serve exited before it was ready: %v: %s", s.err, tail(s.stderr.String()))
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > 30*time.Second {
			s.Stop()
			return nil, fmt.Errorf("concord serve not ready after 30 s: %s", tail(s.stderr.String()))
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// Stop ends the server with SIGTERM (a graceful shutdown), killing it if it
// has not stopped within 20 s.
func (s *Server) Stop() error {
	select {
	case <-s.done:
	default:
		s.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			s.Cmd.Process.Kill()
			<-s.done
			return errors.New("concord serve did not stop on SIGTERM within 20 s")
		}
	}
	return s.err
}

// Exercise serves a handful of ordinary requests over HTTP: sign in as
// AdminLogin, read /api/v1/me, five pages of users, the units and /healthz.
func (s *Server) Exercise(ctx context.Context) error {
	base := "http://" + s.Addr
	body := fmt.Sprintf(`{"login":%q,"password":%q}`, AdminLogin, Password)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := probe.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("sign in: %d %s", res.StatusCode, b)
	}
	token := string(b)
	if i := strings.Index(token, `"token":"`); i >= 0 {
		token = token[i+len(`"token":"`):]
		token = token[:strings.IndexByte(token, '"')]
	}
	paths := []string{"/api/v1/me", UsersPath(1), UsersPath(2), UsersPath(20), UsersPath(50), UsersPath(100), "/api/v1/units", "/healthz"}
	for _, p := range paths {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := probe.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	return nil
}

// Memory is what /proc/PID/status says of a process, in bytes.
type Memory struct {
	RSS  int64 // VmRSS: resident now
	Peak int64 // VmHWM: the resident high-water mark
}

// ReadMemory reads VmRSS and VmHWM of pid from /proc (Linux only).
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.Peak
		default:
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %q: %w", k, v, err)
		}
		*dst = n * 1024
	}
	if m.RSS == 0 {
		return m, errors.New("no VmRSS in /proc status")
	}
	return m, sc.Err()
}
