/* SPDX-License-Identifier: MIT */
/* See emu_child.h. */
#define _GNU_SOURCE
#include "emu_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_CHILDREN 16

static pid_t children[MAX_CHILDREN];
static bool handlers_installed;

unsigned long long emu_child_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void emu_child_kill_all(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (children[i] > 0) {
            kill(children[i], SIGKILL);
            children[i] = 0;
        }
    }
}

static void on_fatal(int sig)
{
    emu_child_kill_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    if (handlers_installed) {
        return;
    }
    handlers_installed = true;
    atexit(emu_child_kill_all);
    static const int fatal[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTERM, SIGINT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        signal(fatal[i], on_fatal);
    }
}

static void track(pid_t pid, bool add)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (add ? children[i] == 0 : children[i] == pid) {
            children[i] = add ? pid : 0;
            return;
        }
    }
}

int emu_child_wait(emu_child_t *c, int budget_ms)
{
    unsigned long long end = emu_child_now_ms() + (unsigned long long)budget_ms;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid) {
            track(c->pid, false);
            c->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (emu_child_now_ms() >= end) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, &status, 0);
            track(c->pid, false);
            c->pid = 0;
            return -1;
        }
        sleep_ms(5);
    }
}

int emu_child_stop(emu_child_t *c, int budget_ms)
{
    if (c->pid <= 0) {
        return -1;
    }
    kill(c->pid, SIGTERM);
    return emu_child_wait(c, budget_ms);
}

int emu_child_start(emu_child_t *c, const char *emu, const char *site, const char *scratch, const char *name,
                    const char *const *args, int *exit_status)
{
    install_handlers();
    memset(c, 0, sizeof *c);
    c->port = -1;
    snprintf(c->log, sizeof c->log, "%s/%s-%d.log", scratch, name, (int)getpid());
    snprintf(c->ready, sizeof c->ready, "%s/%s-%d.ready", scratch, name, (int)getpid());
    unlink(c->ready);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)(uintptr_t)emu;
    argv[n++] = (char *)(uintptr_t)site;
    for (int i = 0; args && args[i] && n < 60; i++) {
        argv[n++] = (char *)(uintptr_t)args[i];
    }
    static char ready_flag[] = "--ready-file";
    argv[n++] = ready_flag;
    argv[n++] = c->ready;
    argv[n] = NULL;
    int log = open(c->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(log);
        return -1;
    }
    if (pid == 0) {
#ifdef __linux__
        /* Dies with the test, whatever kills the test. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        dup2(log, 1);
        dup2(log, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        execv(emu, argv);
        _exit(127);
    }
    close(log);
    c->pid = pid;
    track(pid, true);
    unsigned long long end = emu_child_now_ms() + EMU_CHILD_BUDGET_MS;
    while (emu_child_now_ms() < end) {
        FILE *f = fopen(c->ready, "r");
        if (f) {
            int port = -1;
            int got = fscanf(f, "bus_port=%d", &port);
            fclose(f);
            if (got == 1) {
                c->port = port;
                return 0;
            }
        }
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            track(pid, false);
            c->pid = 0;
            if (exit_status) {
                *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            return -1;
        }
        sleep_ms(10);
    }
    if (exit_status) {
        *exit_status = -1;
    }
    emu_child_wait(c, 0);
    return -1;
}

bool emu_child_log_has(const emu_child_t *c, const char *text)
{
    FILE *f = fopen(c->log, "r");
    if (!f) {
        return false;
    }
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

void emu_child_dump_log(const emu_child_t *c)
{
    FILE *f = fopen(c->log, "r");
    if (!f) {
        return;
    }
    char buf[4096];
    size_t n;
    fprintf(stderr, "---- %s ----\n", c->log);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        fwrite(buf, 1, n, stderr);
    }
    fclose(f);
}
