package mail_test

import (
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// smtpServer is a small SMTP server speaking just enough of RFC 5321 for
// go-mail to deliver to it: the outside world in these tests, not a mock of
// our code. It keeps what it received and can refuse chosen recipients.
type smtpServer struct {
	addr     string
	ln       net.Listener
	user     string // when set, AUTH PLAIN with user/pass is required
	pass     string
	rejectTo string // RCPT TO this address gets a 550

	mu       sync.Mutex
	received []received
	wg       sync.WaitGroup
}

type received struct {
	From, To, Data, AuthUser string
}

// startSMTP listens on loopback; user and pass, when set, require AUTH
// PLAIN; mail to rejectTo is refused.
func startSMTP(t *testing.T, user, pass, rejectTo string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String(), ln: ln, user: user, pass: pass, rejectTo: rejectTo}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 test.local ESMTP")
	var cur received
	authed := s.user == ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if s.user != "" {
				_ = tp.PrintfLine("250-test.local")
				_ = tp.PrintfLine("250-AUTH PLAIN")
				_ = tp.PrintfLine("250 8BITMIME")
			} else {
				_ = tp.PrintfLine("250-test.local")
				_ = tp.PrintfLine("250 8BITMIME")
			}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if strings.ToUpper(mech) != "PLAIN" || err != nil || len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
				_ = tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			cur.AuthUser = parts[1]
			_ = tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			if !authed {
				_ = tp.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			cur.From = addrOf(arg)
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			to := addrOf(arg)
			if s.rejectTo != "" && to == s.rejectTo {
				_ = tp.PrintfLine("550 5.1.1 no such user")
				continue
			}
			cur.To = to
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(data)
			s.mu.Lock()
			s.received = append(s.received, cur)
			s.mu.Unlock()
			cur = received{AuthUser: cur.AuthUser}
			_ = tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			_ = tp.PrintfLine("250 ok")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 not implemented")
		}
	}
}

// addrOf extracts the address in "FROM:<a@b> SIZE=1".
func addrOf(arg string) string {
	i, j := strings.IndexByte(arg, '<'), strings.IndexByte(arg, '>')
	if i < 0 || j < i {
		return ""
	}
	return arg[i+1 : j]
}
