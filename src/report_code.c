/* report_code.c — the report's child specs: the target's tree as Elixir or Erlang code,
 * from the subject's real modules, ids, names and starts, with the changes its findings
 * call for (rule.spec). Every block is parsed in the tests (tests/codecheck). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "fmt.h"
#include "report_analysis.h"

/* ---- children = [...] ---------------------------------------------------------------- */

static const char *finding_for_proc(const analysis *an, uint32_t proc, const char *rule_id, int *num)
{
    for (size_t i = 0; i < an->fidx.len; i++) {
        const finding *x = vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, i));
        uint32_t p = x->proc;
        if (x->sup != SNAP_NONE && p == SNAP_NONE)
            p = snap_sup_at(an->s, x->sup)->proc;
        if (p == proc && (!rule_id || !strcmp(x->rule, rule_id))) {
            *num = (int)i + 1;
            return x->rule;
        }
    }
    return NULL;
}

/* A child id as a literal of the app's language: atoms by their text, other terms as
 * termtext wrote them in the node's language (valid source) unless the probe cut them
 * short or they hold a pid, ref, port or fun; then the fallback. */
static const char *id_literal(const analysis *an, const char *raw, const char *fallback, char *buf, size_t n)
{
    if (!raw[0] || strstr(raw, "...") || strstr(raw, "#Ref<") || strstr(raw, "#PID<") || strchr(raw, '<'))
        return fallback;
    char c = raw[0];
    if (c == '{' || c == '[' || c == '"' || c == '%' || (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '~' ||
        (c == '#' && raw[1] == '{')) {
        if ((an->s->info.elixir_version != 0) == (an->elixir != 0)) { /* printed in the app's own language */
            snprintf(buf, n, "%s", raw);
            return buf;
        }
        return fallback;
    }
    return an->elixir ? cg_ex_atom(raw, buf, n) : cg_erl_atom(raw, buf, n);
}

static const char *restart_atom(int r)
{
    return r == RT_TEMPORARY ? "temporary" : r == RT_TRANSIENT ? "transient" : "permanent";
}

/* The child's real start, when the probe could print it (plain data, in the app's
 * language): "{Mod, :f, [args]}" / "{mod, f, [Args]}". NULL otherwise. */
static const char *start_literal(const analysis *an, const snap_child *ch, char *buf, size_t n)
{
    const snap *s = an->s;
    if (!ch->start_m || (s->info.elixir_version != 0) != (an->elixir != 0))
        return NULL;
    char m[300], f[300];
    if (an->elixir)
        snprintf(buf, n, "{%s, %s, %s}", cg_ex_atom(snap_str(s, ch->start_m), m, sizeof m),
                 cg_ex_atom(snap_str(s, ch->start_f), f, sizeof f), snap_str(s, ch->start_args));
    else
        snprintf(buf, n, "{%s, %s, %s}", cg_erl_atom(snap_str(s, ch->start_m), m, sizeof m),
                 cg_erl_atom(snap_str(s, ch->start_f), f, sizeof f), snap_str(s, ch->start_args));
    return strlen(buf) + 1 < n ? buf : NULL; /* cut short: not code */
}

/* the only element of a printed list "[X]" (X itself may hold commas), or NULL */
static const char *single_arg(const char *list, char *buf, size_t n)
{
    size_t len = strlen(list);
    if (len < 3 || list[0] != '[' || list[len - 1] != ']')
        return NULL;
    int depth = 0, str = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        char c = list[i];
        if (str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                str = 0;
            continue;
        }
        if (c == '"')
            str = 1;
        else if (c == '[' || c == '{' || c == '(')
            depth++;
        else if (c == ']' || c == '}' || c == ')')
            depth--;
        else if (c == ',' && depth == 0)
            return NULL; /* two or more */
    }
    if (len - 2 >= n)
        return NULL;
    snprintf(buf, n, "%.*s", (int)(len - 2), list + 1);
    return buf;
}

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth);

/* one child of an Elixir supervisor; `last` drops the comma */
static void ex_child(const analysis *an, const snap_child *ch, strbuf *out, strbuf *tests, int depth, int last)
{
    snap *s = an->s;
    char pad[64];
    snprintf(pad, sizeof pad, "%*s", 2 * depth, "");
    const char *sep = last ? "" : ",";
    char idb[512], modb[300], nameb[300], mod[256], startb[2048], argb[2048];
    const char *mods = snap_str(s, ch->modules);
    snprintf(mod, sizeof mod, "%.*s", (int)strcspn(mods, ","), mods);
    uint32_t own = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc)->own_sup : SNAP_NONE;
    const snap_sup *cs = own != SNAP_NONE ? snap_sup_at(s, own) : NULL;
    const snap_proc *cp = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc) : NULL;
    /* its registered name, when it has one: never a name the original did not have */
    const char *name = cp && cp->name ? cg_ex_atom(snap_str(s, cp->name), nameb, sizeof nameb) : NULL;
    const char *id =
        id_literal(an, snap_str(s, ch->id), mod[0] ? cg_ex_atom(mod, modb, sizeof modb) : ":child", idb, sizeof idb);
    int fnum = 0;
    const char *r = cp ? finding_for_proc(an, ch->proc, NULL, &fnum) : NULL;
    const rule *rr = r ? rule_find(r) : NULL;
    enum spec_change spec = rr ? rr->spec : SPEC_NONE;
    if (cs && cs->kind == SK_REGISTRY) {
        const snap_registry *rg = NULL;
        for (size_t i = 0; i < s->regs.len; i++)
            if (oa_pid_eq(((snap_registry *)vec_at(&s->regs, i))->sup, cs->pid))
                rg = vec_at(&s->regs, i);
        const char *kind = rg && rg->kind ? snap_str(s, rg->kind) : "unique";
        char rn[300];
        const char *rname = rg && rg->name ? cg_ex_atom(snap_str(s, rg->name), rn, sizeof rn) : name ? name : id;
        if (spec == SPEC_PARTITION_REGISTRY)
            sb_printf(out,
                      "%s# was: {Registry, keys: :%s, name: %s} (F%d: %s)\n"
                      "%s{Registry, keys: :%s, name: %s, partitions: System.schedulers_online()}%s\n",
                      pad, kind, rname, fnum, r, pad, kind, rname, sep);
        else if (rg && rg->partitions > 1)
            sb_printf(out, "%s{Registry, keys: :%s, name: %s, partitions: %u}%s\n", pad, kind, rname, rg->partitions,
                      sep);
        else
            sb_printf(out, "%s{Registry, keys: :%s, name: %s}%s\n", pad, kind, rname, sep);
        sb_printf(tests, "  start_supervised!({Registry, keys: :%s, name: %s})\n", kind, rname);
    } else if (cs && (cs->kind == SK_DYNAMIC || cs->kind == SK_TASK)) {
        const char *what = cs->kind == SK_TASK ? "Task.Supervisor" : "DynamicSupervisor";
        if (spec == SPEC_PARTITION_DYNSUP && name) {
            sb_printf(out,
                      "%s# was: {%s, name: %s} (F%d: %s)\n"
                      "%s{PartitionSupervisor, child_spec: %s, name: %s}%s\n",
                      pad, what, name, fnum, r, pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({PartitionSupervisor, child_spec: %s, name: %s})\n", what, name);
        } else if (start_literal(an, ch, startb, sizeof startb) &&
                   single_arg(snap_str(s, ch->start_args), argb, sizeof argb) && argb[0] == '[') {
            /* its own options, as it was started */
            sb_printf(out, "%s{%s, %s}%s\n", pad, what, argb, sep);
            sb_printf(tests, "  start_supervised!({%s, %s})\n", what, argb);
        } else if (name) {
            sb_printf(out, "%s{%s, name: %s}%s\n", pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({%s, name: %s})\n", what, name);
        } else {
            sb_printf(out, "%sSupervisor.child_spec(%s, id: %s)%s\n", pad, what, id, sep);
        }
    } else if (cs && cs->kind == SK_PARTITION) {
        if (name)
            sb_printf(out, "%s{PartitionSupervisor, child_spec: DynamicSupervisor, name: %s}%s\n", pad, name, sep);
        else
            sb_printf(out, "%s# %s: a PartitionSupervisor whose name is not visible\n", pad, id);
    } else if (cs) {
        const char *cb = cs->callback ? snap_str(s, cs->callback) : "";
        if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default") && cg_is_ex_alias(cb)) {
            sb_printf(out, "%s%s%s\n", pad, cg_ex_atom(cb, modb, sizeof modb), sep);
            sb_printf(tests, "  start_supervised!(%s)\n", modb);
        } else if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default")) {
            sb_printf(out, "%s%%{id: %s, start: {%s, :start_link, []}, type: :supervisor}%s\n", pad, id,
                      cg_ex_atom(cb, modb, sizeof modb), sep);
        } else {
            /* a module-less Supervisor: its own children, inline */
            const char *strategy = cs->strategy ? snap_str(s, cs->strategy) : "one_for_one";
            sb_printf(out,
                      "%s%%{\n%s  id: %s,\n%s  type: :supervisor,\n%s  start:\n%s    {Supervisor, :start_link,\n%s     "
                      "[\n%s       [\n",
                      pad, pad, id, pad, pad, pad, pad, pad);
            ex_children(an, own, out, tests, depth + 4);
            sb_printf(out, "%s       ],\n%s       [strategy: :%s%s%s]\n%s     ]}\n%s}%s\n", pad, pad, strategy,
                      name ? ", name: " : "", name ? name : "", pad, pad, sep);
        }
    } else if (!strcmp(mod, "Elixir.Agent")) {
        if (r)
            sb_printf(out, "%s# F%d: %s, consider ETS\n", pad, fnum, r);
        sb_printf(out, "%s%%{id: %s, start: {Agent, :start_link, [fn -> %%{} end%s%s%s]}}%s\n", pad, id,
                  name ? ", [name: " : "", name ? name : "", name ? "]" : "", sep);
    } else if (!strcmp(mod, "Elixir.Task")) {
        sb_printf(out, "%s%%{id: %s, start: {Task, :start_link, [fn -> :ok end]}}%s\n", pad, id, sep);
    } else if (spec == SPEC_REMOVE &&
               ((const finding *)vec_at(&an->f->items, VEC_AT(&an->fidx, uint32_t, fnum - 1)))->severity >=
                   SEV_WARNING) {
        char dm[256];
        snap_display_atom(mod, dm, sizeof dm);
        sb_printf(out, "%s# removed: %s (F%d: no runtime reason: make it a plain module)\n", pad, dm, fnum);
    } else if (mod[0] && cg_is_ex_alias(mod) && start_literal(an, ch, startb, sizeof startb) &&
               !(ch->start_m == strtab_find(&s->strs, mod, strlen(mod)) &&
                 !strcmp(snap_str(s, ch->start_f), "start_link") &&
                 (!strcmp(snap_str(s, ch->start_args), "[[]]") ||
                  single_arg(snap_str(s, ch->start_args), argb, sizeof argb)))) {
        /* started some other way than Mod.child_spec/1's default: the spec as it is */
        sb_printf(out, "%s%%{id: %s, start: %s, restart: :%s%s}%s", pad, id, startb, restart_atom(ch->restart),
                  ch->type ? ", type: :supervisor" : "", sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
    } else if (mod[0] && cg_is_ex_alias(mod) && ch->start_m && strcmp(snap_str(s, ch->start_args), "[[]]") &&
               single_arg(snap_str(s, ch->start_args), argb, sizeof argb)) {
        /* Mod.child_spec(arg), whose default start is Mod.start_link(arg) */
        sb_printf(out, "%s{%s, %s}%s", pad, cg_ex_atom(mod, modb, sizeof modb), argb, sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
        sb_printf(tests, "  start_supervised!({%s, %s})\n", modb, argb);
    } else if (mod[0] && cg_is_ex_alias(mod)) {
        sb_printf(out, "%s%s%s", pad, cg_ex_atom(mod, modb, sizeof modb), sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
        sb_printf(tests, "  start_supervised!(%s)\n", modb);
    } else {
        const char *st = start_literal(an, ch, startb, sizeof startb);
        if (!st) {
            snprintf(startb, sizeof startb, "{%s, :start_link, []}",
                     mod[0] ? cg_ex_atom(mod, modb, sizeof modb) : ":unknown_module");
            st = startb;
        }
        sb_printf(out, "%s%%{id: %s, start: %s, restart: :%s%s}%s", pad, id, st, restart_atom(ch->restart),
                  ch->type ? ", type: :supervisor" : "", sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
    }
}

/* the children a supervisor lists, in start order (which_children gives the newest first) */
static void listed_children(const snap *s, const snap_sup *sp, vec *out)
{
    vec_init(out, sizeof(const snap_child *));
    for (uint32_t c = sp->n_children; c-- > 0;) {
        const snap_child *ch = &VEC_AT(&s->children, snap_child, sp->children + c);
        if (!strcmp(snap_str(s, ch->id), "undefined"))
            continue; /* dynamic children are started at run time, not listed */
        *(const snap_child **)vec_push(out) = ch;
    }
}

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth)
{
    vec kids;
    listed_children(an->s, snap_sup_at(an->s, k), &kids);
    for (size_t i = 0; i < kids.len; i++)
        ex_child(an, VEC_AT(&kids, const snap_child *, i), out, tests, depth, i + 1 == kids.len);
    vec_free(&kids);
}

void report_child_specs(const analysis *an, uint32_t k, strbuf *out, strbuf *tests)
{
    snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    const snap_proc *sproc = sp->proc != SNAP_NONE ? snap_proc_at(s, sp->proc) : NULL;
    const char *strategy = sp->strategy ? snap_str(s, sp->strategy) : "one_for_one";
    char nb[300];
    if (an->elixir) {
        sb_puts(out, "children = [\n");
        ex_children(an, k, out, tests, 1);
        sb_printf(out, "]\n\nSupervisor.start_link(children, strategy: :%s, max_restarts: %d, max_seconds: %d%s%s)\n",
                  strategy, sp->intensity, sp->period, sproc && sproc->name ? ", name: " : "",
                  sproc && sproc->name ? cg_ex_atom(snap_str(s, sproc->name), nb, sizeof nb) : "");
        return;
    }
    sb_puts(out, "init([]) ->\n    Children = [\n");
    vec kids;
    listed_children(s, sp, &kids);
    for (size_t i = 0; i < kids.len; i++) {
        const snap_child *ch = VEC_AT(&kids, const snap_child *, i);
        char idb[512], modb[300], mod[256];
        const char *mods = snap_str(s, ch->modules);
        snprintf(mod, sizeof mod, "%.*s", (int)strcspn(mods, ","), mods);
        const char *modlit = mod[0] && strcmp(mod, "dynamic") ? cg_erl_atom(mod, modb, sizeof modb) : "my_module";
        const char *id = id_literal(an, snap_str(s, ch->id), modlit, idb, sizeof idb);
        char startb[2048];
        const char *st = start_literal(an, ch, startb, sizeof startb);
        if (!st) {
            snprintf(startb, sizeof startb, "{%s, start_link, []}", modlit);
            st = startb;
        }
        sb_printf(out, "        #{id => %s, start => %s, restart => %s, type => %s}%s\n", id, st,
                  restart_atom(ch->restart), ch->type ? "supervisor" : "worker", i + 1 < kids.len ? "," : "");
        if (!ch->type && ch->start_m && start_literal(an, ch, startb, sizeof startb))
            sb_printf(tests, "    {ok, _} = apply(%s, %s, %s),\n", modlit,
                      cg_erl_atom(snap_str(s, ch->start_f), idb, sizeof idb), snap_str(s, ch->start_args));
        else if (!ch->type && mod[0] && strcmp(mod, "dynamic"))
            sb_printf(tests, "    {ok, _} = %s:start_link(),\n", modlit);
    }
    vec_free(&kids);
    sb_printf(out, "    ],\n    {ok, {#{strategy => %s, intensity => %d, period => %d}, Children}}.\n", strategy,
              sp->intensity, sp->period);
}
