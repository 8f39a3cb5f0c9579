/*
 * The open-loop load for the fixed-load rows of `deno task bench`: offers
 * RATE lines a second, spread over CONNS connections, each line written
 * alone at its scheduled time whether or not earlier replies have come
 * back, for SECONDS seconds. A reply's latency is counted from the time its
 * line was scheduled, not sent, so a server (or this generator) that falls
 * behind shows in the figures instead of slowing the offered load.
 *
 * Written in C so the pacing is exact to a few microseconds and the load
 * costs little of the CPU it shares with the server measured.
 *
 * Build: cc -O2 -o open_loop open_loop.c
 * Run:   ./open_loop PORT CONNS RATE SECONDS
 * Prints one line: sent received p50_us p99_us max_us
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define LINE "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
#define LINE_BYTES 64
#define DRAIN_NS 2000000000LL /* wait this long for the last replies */

struct conn {
  int fd;
  long long *scheduled; /* ring of send times of lines awaiting a reply */
  size_t head, tail, cap;
};

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

static int open_conn(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr)) {
    perror("connect");
    exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  /* The greeting: one line, read before the load starts. */
  char c;
  do {
    if (read(fd, &c, 1) != 1) {
      fprintf(stderr, "no greeting\n");
      exit(1);
    }
  } while (c != '\n');
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: open_loop PORT CONNS RATE SECONDS\n");
    return 2;
  }
  int port = atoi(argv[1]), nconns = atoi(argv[2]);
  double rate = atof(argv[3]), seconds = atof(argv[4]);
  long long total = (long long)(rate * seconds);
  if (nconns < 1 || rate <= 0 || total < 1) return 2;
  /* Timers wake within a microsecond instead of the default 50. */
  prctl(PR_SET_TIMERSLACK, 1UL);

  struct conn *conns = calloc(nconns, sizeof *conns);
  struct pollfd *fds = calloc(nconns, sizeof *fds);
  for (int i = 0; i < nconns; i++) {
    conns[i].fd = open_conn(port);
    conns[i].cap = (size_t)(total / nconns + 2);
    conns[i].scheduled = malloc(conns[i].cap * sizeof(long long));
    fds[i].fd = conns[i].fd;
    fds[i].events = POLLIN;
  }
  long long *latencies = malloc(total * sizeof(long long));
  long long received = 0, sent = 0;
  double interval = 1e9 / rate;
  char buf[65536];
  long long start = now_ns();
  long long give_up = start + (long long)(seconds * 1e9) + DRAIN_NS;

  while (received < total) {
    long long now = now_ns();
    if (now > give_up) break;
    /* Every line now due goes out, each in its own write. */
    while (sent < total && start + (long long)(sent * interval) <= now) {
      struct conn *c = &conns[sent % nconns];
      if (write(c->fd, LINE, LINE_BYTES) != LINE_BYTES) {
        fprintf(stderr, "write failed: the server is not keeping up\n");
        return 1;
      }
      c->scheduled[c->tail++] = start + (long long)(sent * interval);
      sent++;
    }
    long long next = sent < total ? start + (long long)(sent * interval)
                                  : give_up;
    long long wait = next - now_ns();
    struct timespec timeout = {0, 0};
    if (wait > 0) {
      timeout.tv_sec = wait / 1000000000LL;
      timeout.tv_nsec = wait % 1000000000LL;
    }
    if (ppoll(fds, nconns, &timeout, NULL) <= 0) continue;
    long long arrived = now_ns();
    for (int i = 0; i < nconns; i++) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EAGAIN) continue;
        fprintf(stderr, "the server closed a connection\n");
        return 1;
      }
      struct conn *c = &conns[i];
      for (ssize_t k = 0; k < n; k++) {
        if (buf[k] != '\n' || c->head == c->tail) continue;
        latencies[received++] = arrived - c->scheduled[c->head++];
      }
    }
  }
  for (int i = 0; i < nconns; i++) close(conns[i].fd);
  if (received == 0) {
    printf("%lld 0 0 0 0\n", sent);
    return 0;
  }
  qsort(latencies, received, sizeof *latencies, cmp);
  printf("%lld %lld %.1f %.1f %.1f\n", sent, received,
         latencies[received / 2] / 1e3,
         latencies[(long long)(received * 0.99)] / 1e3,
         latencies[received - 1] / 1e3);
  return 0;
}
