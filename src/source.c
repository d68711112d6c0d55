/* source.c — where the code a process runs lives: its module (a supervisor's callback, what
 * '$initial_call' names, its child spec's module) and that module's source file as the
 * node's compile info gives it, for the target's own code only, relative to --source-root.
 * Pure: snapshot in, text out; the root is the one setting, made once by the front end. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "snap.h"
#include "source.h"

static const char *g_root;

void source_set_root(const char *root)
{
    g_root = root;
}

/* The module whose code a process runs, raw: a supervisor's callback module; else what
 * '$initial_call' (else the initial call) names; else what its supervisor's child spec
 * lists. "" when it cannot be seen (a plain spawn of a fun). */
int proc_code_module(const snap *s, const snap_proc *p, char *buf, size_t n)
{
    if (p->own_sup != SNAP_NONE) {
        const snap_sup *sp = snap_sup_at(s, p->own_sup);
        if (sp->callback) {
            snprintf(buf, n, "%s", snap_str(s, sp->callback));
            return 1;
        }
        const char *ic = p->dict_initial_call ? snap_str(s, p->dict_initial_call) : "";
        const char *slash = strrchr(ic, '/');
        if (!strncmp(ic, "supervisor:", 11) && slash && slash > ic + 11) {
            snprintf(buf, n, "%.*s", (int)(slash - ic - 11), ic + 11);
            return 1;
        }
    }
    if (proc_module_raw(s, p, buf, n))
        return 1;
    const char *listed = proc_child_modules(s, p);
    size_t ln = strcspn(listed, ",");
    if (ln && strcmp(listed, "dynamic")) {
        snprintf(buf, n, "%.*s", (int)ln, listed);
        return 1;
    }
    buf[0] = 0;
    return 0;
}

/* A source path as the user wants it: relative to --source-root when it lies under it, or
 * when the part of it after some directory exists under the root (a release built in
 * another directory: /build/app/lib/my_app/cache.ex is lib/my_app/cache.ex of the root);
 * else as the node's compile info has it. */
static const char *rel_source(const char *root, const char *src, char *buf, size_t n)
{
    if (!root || !*root || src[0] != '/') {
        snprintf(buf, n, "%s", src);
        return buf;
    }
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (!strncmp(src, root, rl) && src[rl] == '/') {
        snprintf(buf, n, "%s", src + rl + 1);
        return buf;
    }
    int steps = 0;
    for (const char *p = strchr(src + 1, '/'); p && steps < 32; p = strchr(p + 1, '/'), steps++) {
        char cand[PATH_MAX];
        struct stat st;
        if (snprintf(cand, sizeof cand, "%.*s/%s", (int)rl, root, p + 1) < (int)sizeof cand && stat(cand, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            snprintf(buf, n, "%s", p + 1);
            return buf;
        }
    }
    snprintf(buf, n, "%s", src);
    return buf;
}

/* Is this source file the runtime's (OTP's or Elixir's own code, as a library)? Its path
 * has .../lib/APP/src/, .../lib/APP-VSN/src/ or .../lib/APP/lib/ for a runtime application
 * (src/runtime.c's list): Debian's Elixir was compiled as /build/elixir-lang-…/lib/elixir/lib/
 * registry.ex, OTP's as …/lib/stdlib/src/gen_server.erl. With --judge-otp the library
 * applications count as the user's, the core never. */
static int runtime_source(const char *src, int judge_otp)
{
    for (const char *p = strstr(src, "lib/"); p; p = strstr(p + 1, "lib/")) {
        if (p != src && p[-1] != '/')
            continue;
        const char *app = p + 4, *end = strchr(app, '/');
        if (!end || (strncmp(end, "/src/", 5) && strncmp(end, "/lib/", 5)))
            continue;
        char name[64];
        size_t n = (size_t)(end - app);
        for (size_t k = 0; k + 1 < n; k++) /* stdlib-4.2: the application's name before its version */
            if (app[k] == '-' && app[k + 1] >= '0' && app[k + 1] <= '9')
                n = k;
        if (n == 0 || n >= sizeof name)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)n, app);
        if (snap_app_is_runtime(name) && (!judge_otp || snap_app_is_core(name)))
            return 1;
    }
    return 0;
}

/* the source file of the code process i runs, when that code is the target's own (an
 * application of the user's, or a process outside every application that is not the
 * runtime's, running code that is not the runtime's); NULL otherwise or when the snapshot
 * does not have it */
const char *proc_source(const snap *s, uint32_t i, char *buf, size_t n)
{
    const snap_proc *p = snap_proc_at(s, i);
    if (p->cls == PC_RUNTIME || p->cls == PC_ADVISOR || p->cls == PC_APP_INFRA)
        return NULL;
    if (p->app != SNAP_NONE && ((snap_app *)vec_at(&s->apps, p->app))->runtime)
        return NULL;
    char mod[300];
    if (!proc_code_module(s, p, mod, sizeof mod))
        return NULL;
    const char *src = snap_module_source(s, mod);
    if (!src || !*src || runtime_source(src, s->judge_otp))
        return NULL;
    return rel_source(g_root, src, buf, n);
}
