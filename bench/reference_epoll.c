/*
 * The near-physical limit for ackline's echo on this machine: a tiny
 * single-threaded epoll server speaking the same lines. Greets each client,
 * answers every line with "250 <line>ACK", one write per read. Echo only.
 *
 * Build: cc -O2 -o epoll_echo reference_epoll.c
 * Run:   ./epoll_echo [port]     (prints "Listening on port N")
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#define MAX_LINE 65536
#define OUT_CAP (MAX_LINE * 4)

struct conn {
  int fd;
  size_t len;             /* bytes of a partial line kept in buf */
  char buf[MAX_LINE + 2];
};

static char out[OUT_CAP + MAX_LINE + 16];

static void close_conn(int ep, struct conn *c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c);
}

/* Writes everything, waiting (blocking) when the socket is full: a reference
   for throughput, not a model of fairness. */
static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EAGAIN) {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        select(fd + 1, NULL, &set, NULL, NULL);
        continue;
      }
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) || listen(lfd, 4096)) {
    perror("listen");
    return 1;
  }
  socklen_t alen = sizeof addr;
  getsockname(lfd, (struct sockaddr *)&addr, &alen);
  printf("Listening on port %d\n", ntohs(addr.sin_port));
  fflush(stdout);

  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  struct epoll_event events[256];
  unsigned long next_id = 1;
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c == NULL) {
        int fd;
        while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn *nc = malloc(sizeof *nc);
          nc->fd = fd;
          nc->len = 0;
          char greet[64];
          int g = snprintf(greet, sizeof greet, "220 Connected as Client%02lu\n", next_id++);
          write_all(fd, greet, (size_t)g);
          struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
        }
        continue;
      }
      ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        close_conn(ep, c);
        continue;
      }
      size_t end = c->len + (size_t)r, start = 0, o = 0;
      char *lf;
      while ((lf = memchr(c->buf + start, '\n', end - start)) != NULL) {
        size_t stop = (size_t)(lf - c->buf);
        size_t len = stop - start;
        if (len > 0 && c->buf[stop - 1] == '\r') len--;
        memcpy(out + o, "250 ", 4);
        memcpy(out + o + 4, c->buf + start, len);
        memcpy(out + o + 4 + len, "ACK\n", 4);
        o += len + 8;
        start = stop + 1;
        if (o >= OUT_CAP) {
          if (write_all(c->fd, out, o)) break;
          o = 0;
        }
      }
      if (o > 0 && write_all(c->fd, out, o)) {
        close_conn(ep, c);
        continue;
      }
      c->len = end - start;
      if (c->len == sizeof c->buf) { /* line too long: drop it */
        close_conn(ep, c);
        continue;
      }
      memmove(c->buf, c->buf + start, c->len);
    }
  }
}
