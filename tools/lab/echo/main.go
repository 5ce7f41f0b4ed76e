// Command echo is the lab's stateful edge service: a TCP line server that answers "PING" with
// "PONG <count> <hostname>", where count is the number of PINGs this process has answered (its state; a
// recreate migration resets it, a checkpoint would keep it). "COUNT" answers the count without raising it.
// GET /healthz serves readiness and the same count over HTTP.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	tcpAddr := flag.String("listen", ":7000", "TCP address of the PING/PONG service")
	httpAddr := flag.String("http", ":8080", "HTTP address of /healthz")
	flag.Parse()
	host, _ := os.Hostname()
	var count atomic.Uint64

	ln, err := net.Listen("tcp", *tcpAddr)
	if err != nil {
		log.Fatalf("echo: listen %s: %v", *tcpAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "ok count=%d host=%s\n", count.Load(), host)
	})
	srv := &http.Server{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatalf("echo: http %s: %v", *httpAddr, err)
		}
	}()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sig
		log.Printf("echo: %v after %d PINGs; closing", s, count.Load())
		_ = ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		os.Exit(0)
	}()

	log.Printf("echo: %s serving PING on %s, /healthz on %s", host, *tcpAddr, *httpAddr)
	for {
		c, err := ln.Accept()
		if err != nil {
			if strings.Contains(err.Error(), "use of closed") {
				select {} // the signal handler exits the process
			}
			log.Printf("echo: accept: %v", err)
			continue
		}
		go serve(c, host, &count)
	}
}

func serve(c net.Conn, host string, count *atomic.Uint64) {
	defer c.Close()
	r := bufio.NewScanner(c)
	w := bufio.NewWriter(c)
	for r.Scan() {
		switch strings.TrimSpace(r.Text()) {
		case "PING":
			fmt.Fprintf(w, "PONG %d %s\n", count.Add(1), host)
		case "COUNT":
			fmt.Fprintf(w, "COUNT %d %s\n", count.Load(), host)
		default:
			fmt.Fprintf(w, "ERR expected PING or COUNT\n")
		}
		if w.Flush() != nil {
			return
		}
	}
}
