/* What waking a sleeping thread costs on this machine, the number behind the echo benchmark's two states
   (benchmarks/echo/per-request.sh's "client sleeps" column): a thread pinned to CPU 0 writes to an eventfd that a
   thread pinned to CPU 1 reads, either blocked in read (it sleeps; the write must wake it) or spinning on a
   non-blocking read (no wake-up needed). Prints the writer's own CPU time per write() and the round-trip time of a
   write and its reply, for both. On the 2-vCPU nested VM of the echo measurements (2026-11-21, 23:36-23:43 UTC, other
   load 8-18): 3.2-3.6 us per write to a sleeper against 0.7 us to a spinner, in every round; the round trip moves with
   the other load (16-18 us against 3-5 us at the quietest moment).

     gcc -O2 -pthread -o /tmp/wake_cost benchmarks/echo/wake_cost.c && /tmp/wake_cost

   Needs 2 CPUs. Own code, loopback-free: only eventfds between two threads of one process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int request_fd, reply_fd, peer_spins;
static volatile int stop;

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *peer(void *unused) {
  (void)unused;
  pin(1);
  uint64_t v;
  while (!stop) {
    if (peer_spins) {
      while (read(request_fd, &v, 8) < 0 && !stop) {
      }
    } else if (read(request_fd, &v, 8) < 0) {
      continue;
    }
    v = 1;
    if (write(reply_fd, &v, 8) < 0) perror("write reply");
  }
  return NULL;
}

int main(void) {
  pin(0);
  const int n = 20000;
  for (int round = 0; round < 4; round++) {
    peer_spins = round & 1;
    request_fd = eventfd(0, peer_spins ? EFD_NONBLOCK : 0);
    reply_fd = eventfd(0, EFD_NONBLOCK); /* the writer spins on the reply: its CPU time is its write's, not a sleep's */
    stop = 0;
    pthread_t thread;
    pthread_create(&thread, NULL, peer, NULL);
    double write_cpu = 0, round_trips = 0;
    uint64_t v;
    for (int i = 0; i < n; i++) {
      if (!peer_spins) usleep(50); /* let the peer fall asleep in read */
      double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_THREAD_CPUTIME_ID);
      v = 1;
      if (write(request_fd, &v, 8) < 0) perror("write request");
      write_cpu += seconds(CLOCK_THREAD_CPUTIME_ID) - cpu;
      while (read(reply_fd, &v, 8) < 0) {
      }
      round_trips += seconds(CLOCK_MONOTONIC) - wall;
    }
    stop = 1;
    v = 1;
    if (write(request_fd, &v, 8) < 0) perror("write stop");
    pthread_join(thread, NULL);
    close(request_fd);
    close(reply_fd);
    printf("peer %s: the writer's write() %.2f us of its CPU; round trip %.2f us\n", peer_spins ? "spins " : "sleeps",
           write_cpu * 1e6 / n, round_trips * 1e6 / n);
  }
  return 0;
}
