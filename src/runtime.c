/* runtime.c — what the runtime starts for itself: the one list.
 *
 * Processes of these applications, running these modules, or of these shapes belong to
 * OTP, Elixir, Mix or IEx, never to the code under study; they never produce findings
 * (rules.h). Each entry has its unit test (tests/unit/test_snap.c, test_runtime_*). */
#include <stdio.h>
#include <string.h>

#include "snap.h"

/* applications whose every process is the runtime's */
const char *const snap_runtime_apps[] = {
    "kernel",        "stdlib", "sasl",     "compiler", "crypto",   "public_key", "ssl",          "asn1",       "inets",
    "runtime_tools", "os_mon", "tools",    "observer", "debugger", "mnesia",     "syntax_tools", "parsetools", "xmerl",
    "erts",          "ssh",    "eldap",    "snmp",     "diameter", "megaco",     "et",           "reltool",    "edoc",
    "common_test",   "eunit",  "dialyzer", "wx",       "ftp",      "tftp",       "elixir",       "logger",     "iex",
    "mix",           "eex",    "ex_unit",  "hex",      NULL,
};

/* modules whose processes are the runtime's wherever they run: the shell and terminal,
 * init's helpers, and what Elixir's compiler, CLI and IEx start outside their
 * applications (matched against the initial call, '$initial_call' and the current
 * function) */
const char *const snap_runtime_modules[] = {
    /* the Erlang shell and terminal */
    "shell",
    "group",
    "user_drv",
    "user",
    "prim_tty",
    "edlin",
    "user_sup",
    "standard_error",
    /* init and erts' own */
    "erl_init",
    "init",
    "erl_prim_loader",
    "erts_code_purger",
    "erts_literal_area_collector",
    "erts_dirty_process_signal_handler",
    "prim_file",
    "socket_registry",
    /* Elixir: the CLI that runs `elixir`/`mix`, the compiler's helpers */
    "Elixir.Kernel.CLI",
    "Elixir.Kernel.LexicalTracker",
    "Elixir.Kernel.ErrorHandler",
    "Elixir.Kernel.ParallelCompiler",
    "Elixir.Module.ParallelChecker",
    "Elixir.Code.Formatter",
    "elixir_compiler",
    "elixir_module",
    "elixir_code_server",
    "elixir_config",
    /* IEx */
    "Elixir.IEx.Server",
    "Elixir.IEx.Evaluator",
    "Elixir.IEx.Broker",
    "Elixir.IEx.Pry",
    "Elixir.IEx.Config",
    /* Mix */
    "Elixir.Mix.ProjectStack",
    "Elixir.Mix.TasksServer",
    "Elixir.Mix.State",
    "Elixir.Mix.Dep.Lock",
    NULL,
};

/* module prefixes started only by the runtime's tools (initial calls only: code under
 * study may call into them, so the current function does not count) */
const char *const snap_runtime_prefixes[] = {
    "Elixir.IEx.", "Elixir.Mix.", "Elixir.Kernel.", "Elixir.Module.", "Elixir.ExUnit.", "Elixir.Logger.", NULL,
};

int snap_app_is_runtime(const char *name)
{
    for (int i = 0; snap_runtime_apps[i]; i++)
        if (strcmp(snap_runtime_apps[i], name) == 0)
            return 1;
    return 0;
}

/* the runtime itself, never judged, even with --judge-otp: the VM's own services, the
 * language and its tools */
int snap_app_is_core(const char *name)
{
    static const char *const core[] = {"kernel", "stdlib", "sasl", "compiler", "erts", "elixir", "logger",
                                       "iex",    "mix",    "eex",  "ex_unit",  "hex",  NULL};
    for (int i = 0; core[i]; i++)
        if (!strcmp(core[i], name))
            return 1;
    return 0;
}

static size_t mfa_module_len(const char *mfa)
{
    const char *colon = strchr(mfa, ':');
    return colon ? (size_t)(colon - mfa) : 0;
}

int snap_runtime_module(const char *mfa, int initial)
{
    size_t n = mfa_module_len(mfa);
    if (!n)
        return 0;
    for (int i = 0; snap_runtime_modules[i]; i++)
        if (strlen(snap_runtime_modules[i]) == n && memcmp(snap_runtime_modules[i], mfa, n) == 0)
            return 1;
    if (initial)
        for (int i = 0; snap_runtime_prefixes[i]; i++)
            if (!strncmp(mfa, snap_runtime_prefixes[i], strlen(snap_runtime_prefixes[i])) &&
                strlen(snap_runtime_prefixes[i]) < n)
                return 1;
    return 0;
}
