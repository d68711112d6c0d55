/* main.c — the command line: parse options, dispatch to a front end, map outcomes to
 * exit codes (0 ok, 1 findings at or above --fail-on, 2 error, 130 interrupted). */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t interrupted;

/* 1: Ctrl-C (stop what runs; the shell goes on), 2: SIGTERM/SIGHUP (leave, cleanly).
 * When nothing of ours is on a target (cli_remote_busy is 0: a command reading a file,
 * running the rules, rendering), there is nothing to clean up: leave at once with 130,
 * whatever long step runs (`check --from` a large file ran 25 s past Ctrl-C). While a
 * collection runs, the flag stops it and the probe is removed first. */
static void on_signal(int sig)
{
    if (!cli_remote_busy && !cli_in_shell)
        _exit(130);
    interrupted = sig == SIGINT ? 1 : 2;
}

int main(int argc, char **argv)
{
    /* A core of this process could hold the cookie (libei keeps it until the handshake is
     * done): no core is written, and the process cannot be dumped or traced by others. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return cli_main(argc, argv, &interrupted);
}
