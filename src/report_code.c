/* report_code.c — the report's child specs: the target's tree as Elixir or Erlang code,
 * from the subject's real modules, ids, names and starts, with the changes its findings
 * call for (rule.spec). Every block is parsed in the tests (tests/codecheck). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "fmt.h"
#include "render.h"
#include "report_analysis.h"
#include "rules.h"

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

/* A child whose start cannot be printed (its arguments are not plain data: a fun, a pid, a
 * large term) is written with Mod:start_link() only where the module is known to export
 * start_link/0; otherwise the printed spec would call a function that does not exist and the
 * tree would not start, so it is said in a comment instead. */
static int start_visible(const analysis *an, const snap_child *ch, const char *mod)
{
    char b[2048];
    if (start_literal(an, ch, b, sizeof b))
        return 1;
    int a = mod[0] ? snap_start_link_arities(an->s, mod) : -1;
    return a > 0 && (a & 1);
}

static void not_printed(const analysis *an, const char *pad, const char *id, strbuf *out)
{
    sb_printf(out,
              "%s%s %s: started with arguments that cannot be printed (not plain data): keep its spec from your code\n",
              pad, an->elixir ? "#" : "%%", id);
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

/* ---- the children a supervisor lists ------------------------------------------------- */

/* One listed child and the id it is rebuilt with. */
typedef struct {
    const snap_child *ch;
    char mod[256]; /* its module (raw), "" when none is known */
    char id[512];  /* its id as a literal, unique in the list */
} kid;

/* A supervisor whose children are its own business: started at run time (DynamicSupervisor,
 * Task.Supervisor, simple_one_for_one, a special process's connections) or made by its own
 * start from its options (a PartitionSupervisor's partitions, a Registry's). It is rebuilt as
 * itself, one child spec, never as the children it has now: a DynamicSupervisor's 1,000
 * sessions are not static children. */
static int rebuilt_as_itself(const snap *s, const snap_sup *sp)
{
    return snap_sup_on_demand(s, sp) || sp->kind == SK_PARTITION || sp->kind == SK_REGISTRY;
}

static void child_module(const snap *s, const snap_child *ch, char *buf, size_t n)
{
    const char *mods = ch->modules ? snap_str(s, ch->modules) : "";
    snprintf(buf, n, "%.*s", (int)strcspn(mods, ","), mods);
}

/* the fallback id of a child whose own cannot be written: its module */
static const char *fallback_id(const analysis *an, const char *mod, char *buf, size_t n)
{
    if (an->elixir)
        return mod[0] ? cg_ex_atom(mod, buf, n) : ":child";
    return mod[0] && strcmp(mod, "dynamic") ? cg_erl_atom(mod, buf, n) : "my_module";
}

static int kid_cmp(const void *a, const void *b)
{
    const kid *x = *(const kid *const *)a, *y = *(const kid *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x > y) - (x < y);
}

/* The children supervisor k lists, in start order, each with its id: its own when it can be
 * written, else its module's. Ids two children would share (a pool of one module whose own
 * ids cannot be written) get their place among them too, {Mod, 2}: a supervisor refuses two
 * children with one id, and the tree would not start. On-demand children are not listed. */
static kid *listed_children(const analysis *an, uint32_t k, size_t *n)
{
    const snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    *n = 0;
    if (rebuilt_as_itself(s, sp) || !sp->n_children)
        return NULL;
    kid *kids = xcalloc(sp->n_children, sizeof *kids);
    for (uint32_t c = 0; c < sp->n_children; c++) {
        kid *kd = &kids[(*n)++];
        kd->ch = render_child_at(s, sp, c);
        child_module(s, kd->ch, kd->mod, sizeof kd->mod);
        char fb[300];
        fallback_id(an, kd->mod, fb, sizeof fb);
        const char *id = id_literal(an, snap_str(s, kd->ch->id), fb, kd->id, sizeof kd->id);
        if (id != kd->id)
            snprintf(kd->id, sizeof kd->id, "%s", id);
    }
    /* ids two children share, found sorted (a static supervisor may hold thousands) */
    kid **by_id = xcalloc(*n ? *n : 1, sizeof *by_id);
    for (size_t i = 0; i < *n; i++)
        by_id[i] = &kids[i];
    qsort(by_id, *n, sizeof *by_id, kid_cmp);
    for (size_t i = 0; i < *n;) {
        size_t j = i + 1;
        while (j < *n && !strcmp(by_id[j]->id, by_id[i]->id))
            j++;
        for (size_t m = i; j - i > 1 && m < j; m++) { /* in start order: kid_cmp breaks ties by place */
            char fb[300];
            snprintf(by_id[m]->id, sizeof by_id[m]->id, "{%s, %zu}", fallback_id(an, by_id[m]->mod, fb, sizeof fb),
                     m - i + 1);
        }
        i = j;
    }
    free(by_id);
    return kids;
}

/* ---- Elixir -------------------------------------------------------------------------- */

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth);

/* expr with the child's id when it is not the one Mod.child_spec/1 gives by default (the
 * module): Supervisor.child_spec(expr, id: ID) */
static void ex_with_id(const char *expr, const char *mod, const char *id, strbuf *out)
{
    char modb[300];
    if (!mod[0] || !strcmp(cg_ex_atom(mod, modb, sizeof modb), id))
        sb_puts(out, expr);
    else
        sb_printf(out, "Supervisor.child_spec(%s, id: %s)", expr, id);
}

/* How a module's child is started as its own child_spec/1 does: "{Mod, arg}" or "Mod"
 * (start_link/1 with one argument, the default), with its id when it is not the module's;
 * NULL when it was started some other way. */
static const char *ex_default_spec(const analysis *an, const snap_child *ch, const char *mod, const char *id,
                                   strbuf *out)
{
    const snap *s = an->s;
    char modb[300], argb[2048], startb[2048];
    if (!mod[0] || !cg_is_ex_alias(mod))
        return NULL;
    cg_ex_atom(mod, modb, sizeof modb);
    size_t at = out->len;
    if (start_literal(an, ch, startb, sizeof startb)) {
        if (ch->start_m != strtab_find(&s->strs, mod, strlen(mod)) || strcmp(snap_str(s, ch->start_f), "start_link"))
            return NULL;
        const char *args = snap_str(s, ch->start_args);
        if (!strcmp(args, "[[]]"))
            ex_with_id(modb, mod, id, out);
        else if (single_arg(args, argb, sizeof argb)) {
            char expr[2400];
            snprintf(expr, sizeof expr, "{%s, %s}", modb, argb);
            ex_with_id(expr, mod, id, out);
        } else
            return NULL;
    } else if (ch->start_m && strcmp(snap_str(s, ch->start_args), "[[]]") &&
               single_arg(snap_str(s, ch->start_args), argb, sizeof argb)) {
        /* printed in the other language: the module's default */
        ex_with_id(modb, mod, id, out);
    } else
        ex_with_id(modb, mod, id, out);
    return out->buf + at;
}

/* the options a DynamicSupervisor/Task.Supervisor was started with, when its start was
 * Kind.start_link(opts) as printed ("[strategy: :one_for_one, name: X]"); NULL otherwise */
static const char *own_options(const analysis *an, const snap_child *ch, const char *kind_mod, char *buf, size_t n)
{
    const snap *s = an->s;
    char startb[2048];
    if (!start_literal(an, ch, startb, sizeof startb) || strcmp(snap_str(s, ch->start_m), kind_mod))
        return NULL;
    if (!single_arg(snap_str(s, ch->start_args), buf, n) || buf[0] != '[')
        return NULL;
    return buf;
}

/* what a PartitionSupervisor partitions: the child_spec its partitions run */
static const char *partition_child_spec(const analysis *an, const snap_sup *ps, char *buf, size_t n)
{
    const snap *s = an->s;
    snprintf(buf, n, "DynamicSupervisor");
    if (!ps->n_children)
        return buf;
    const snap_child *first = render_child_at(s, ps, 0);
    uint32_t own = first->proc != SNAP_NONE ? snap_proc_at(s, first->proc)->own_sup : SNAP_NONE;
    char mod[256];
    child_module(s, first, mod, sizeof mod);
    if (own != SNAP_NONE && snap_sup_at(s, own)->kind == SK_TASK)
        snprintf(buf, n, "Task.Supervisor");
    else if (own == SNAP_NONE && mod[0] && cg_is_ex_alias(mod))
        cg_ex_atom(mod, buf, n);
    return buf;
}

/* one child of an Elixir supervisor; `last` drops the comma */
static void ex_child(const analysis *an, const snap_child *ch, const char *id, strbuf *out, strbuf *tests, int depth,
                     int last)
{
    snap *s = an->s;
    char pad[64];
    snprintf(pad, sizeof pad, "%*s", 2 * depth, "");
    const char *sep = last ? "" : ",";
    char modb[300], nameb[300], mod[256], startb[2048], argb[2048];
    child_module(s, ch, mod, sizeof mod);
    uint32_t own = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc)->own_sup : SNAP_NONE;
    const snap_sup *cs = own != SNAP_NONE ? snap_sup_at(s, own) : NULL;
    const snap_proc *cp = ch->proc != SNAP_NONE ? snap_proc_at(s, ch->proc) : NULL;
    /* its registered name, when it has one: never a name the original did not have */
    const char *name = cp && cp->name ? cg_ex_atom(snap_str(s, cp->name), nameb, sizeof nameb) : NULL;
    int fnum = 0;
    const char *r = cp ? finding_for_proc(an, ch->proc, NULL, &fnum) : NULL;
    const rule *rr = r ? rule_find(r) : NULL;
    enum spec_change spec = rr ? rr->spec : SPEC_NONE;
    strbuf e; /* the spec as an expression, when start_supervised! can start it alone */
    sb_init(&e);
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
        const char *cb = cs->callback ? snap_str(s, cs->callback) : "";
        /* a module of its own (use DynamicSupervisor) is the one its start calls; one started
         * as {DynamicSupervisor, opts} has a default callback (Supervisor.Default) instead */
        int own_module = cb[0] && ch->start_m && !strcmp(snap_str(s, ch->start_m), cb) &&
                         strcmp(cb, "Elixir.Task.Supervisor") && strcmp(cb, "Elixir.DynamicSupervisor");
        const char *opts = own_options(
            an, ch, cs->kind == SK_TASK ? "Elixir.Task.Supervisor" : "Elixir.DynamicSupervisor", argb, sizeof argb);
        if (spec == SPEC_PARTITION_DYNSUP && name && !own_module) {
            sb_printf(out,
                      "%s# was: {%s, name: %s} (F%d: %s)\n"
                      "%s{PartitionSupervisor, child_spec: %s, name: %s}%s\n",
                      pad, what, name, fnum, r, pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({PartitionSupervisor, child_spec: %s, name: %s})\n", what, name);
        } else if (own_module && ex_default_spec(an, ch, cb, id, &e)) {
            /* a module of its own (use DynamicSupervisor): its init/1 decides */
            sb_printf(out, "%s%s%s\n", pad, e.buf, sep);
            sb_printf(tests, "  start_supervised!(%s)\n", e.buf);
        } else if (opts) {
            /* its own options, as it was started */
            sb_printf(&e, "{%s, %s}", what, opts);
            sb_printf(out, "%s%s%s\n", pad, e.buf, sep);
            sb_printf(tests, "  start_supervised!(%s)\n", e.buf);
        } else if (name) {
            sb_printf(out, "%s{%s, name: %s}%s\n", pad, what, name, sep);
            sb_printf(tests, "  start_supervised!({%s, name: %s})\n", what, name);
        } else {
            sb_printf(out, "%sSupervisor.child_spec(%s, id: %s)%s\n", pad, what, id, sep);
        }
    } else if (cs && cs->kind == SK_PARTITION) {
        char what[300];
        partition_child_spec(an, cs, what, sizeof what);
        char parts[64] = "";
        if (cs->n_children && (int64_t)cs->n_children != s->info.schedulers)
            snprintf(parts, sizeof parts, ", partitions: %u", cs->n_children);
        if (name) {
            sb_printf(out, "%s{PartitionSupervisor, child_spec: %s, name: %s%s}%s\n", pad, what, name, parts, sep);
            sb_printf(tests, "  start_supervised!({PartitionSupervisor, child_spec: %s, name: %s%s})\n", what, name,
                      parts);
        } else
            sb_printf(out, "%s# %s: a PartitionSupervisor whose name is not visible\n", pad, id);
    } else if (cs) {
        const char *cb = cs->callback ? snap_str(s, cs->callback) : "";
        if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default") && ex_default_spec(an, ch, cb, id, &e)) {
            sb_printf(out, "%s%s%s\n", pad, e.buf, sep);
            sb_printf(tests, "  start_supervised!(%s)\n", e.buf);
        } else if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default") && !start_visible(an, ch, cb)) {
            not_printed(an, pad, id, out);
        } else if (cb[0] && strcmp(cb, "Elixir.Supervisor.Default")) {
            const char *st = start_literal(an, ch, startb, sizeof startb);
            if (!st) {
                snprintf(startb, sizeof startb, "{%s, :start_link, []}", cg_ex_atom(cb, modb, sizeof modb));
                st = startb;
            }
            sb_printf(out, "%s%%{id: %s, start: %s, type: :supervisor}%s\n", pad, id, st, sep);
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
    } else if (ex_default_spec(an, ch, mod, id, &e)) {
        /* Mod or {Mod, arg}: Mod.child_spec/1's default start, Mod.start_link(arg) */
        sb_printf(out, "%s%s%s", pad, e.buf, sep);
        if (r)
            sb_printf(out, "  # F%d: %s", fnum, r);
        sb_putc(out, '\n');
        sb_printf(tests, "  start_supervised!(%s)\n", e.buf);
    } else if (!start_visible(an, ch, mod)) {
        not_printed(an, pad, id, out);
    } else {
        /* started some other way: the spec as it is */
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
    sb_free(&e);
}

static void ex_children(const analysis *an, uint32_t k, strbuf *out, strbuf *tests, int depth)
{
    size_t n;
    kid *kids = listed_children(an, k, &n);
    for (size_t i = 0; i < n; i++)
        ex_child(an, kids[i].ch, kids[i].id, out, tests, depth, i + 1 == n);
    free(kids);
}

/* ---- Erlang -------------------------------------------------------------------------- */

static int erl_printable(const analysis *an, const snap_child *ch)
{
    char mod[256];
    child_module(an->s, ch, mod, sizeof mod);
    return start_visible(an, ch, strcmp(mod, "dynamic") ? mod : "");
}

static void erl_child(const analysis *an, const snap_child *ch, const char *id, strbuf *out, strbuf *tests, int last,
                      int test_sup)
{
    snap *s = an->s;
    char modb[300], mod[256], fb[300], startb[2048];
    child_module(s, ch, mod, sizeof mod);
    if (!erl_printable(an, ch)) {
        not_printed(an, "        ", id, out);
        return;
    }
    const char *modlit = fallback_id(an, mod, modb, sizeof modb);
    const char *st = start_literal(an, ch, startb, sizeof startb);
    int seen = st != NULL;
    if (!st) {
        snprintf(startb, sizeof startb, "{%s, start_link, []}", modlit);
        st = startb;
    }
    sb_printf(out, "        #{id => %s, start => %s, restart => %s, type => %s}%s\n", id, st, restart_atom(ch->restart),
              ch->type ? "supervisor" : "worker", last ? "" : ",");
    if ((!ch->type || test_sup) && seen)
        sb_printf(tests, "    {ok, _} = apply(%s, %s, %s),\n", cg_erl_atom(snap_str(s, ch->start_m), modb, sizeof modb),
                  cg_erl_atom(snap_str(s, ch->start_f), fb, sizeof fb), snap_str(s, ch->start_args));
    else if (!ch->type && mod[0] && strcmp(mod, "dynamic"))
        sb_printf(tests, "    {ok, _} = %s:start_link(),\n", modlit);
}

/* ---- a supervisor rebuilt as itself --------------------------------------------------- */

/* The row supervisor k has in its parent's children, or one made from what is known of it
 * (a tree's root has none): its callback module, a supervisor, permanent. */
static const snap_child *own_row(const analysis *an, uint32_t k, snap_child *made)
{
    const snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    if (sp->proc != SNAP_NONE && snap_proc_at(s, sp->proc)->child != SNAP_NONE)
        return &VEC_AT(&s->children, snap_child, snap_proc_at(s, sp->proc)->child);
    memset(made, 0, sizeof *made);
    made->proc = sp->proc;
    made->state = CS_PID;
    made->type = 1;
    made->restart = RT_PERMANENT;
    made->modules = sp->callback;
    return made;
}

/* One child of on-demand supervisor k, as an example of the children it starts at run time:
 * the first whose start can be written; NULL when none can. */
static const snap_child *example_child(const analysis *an, const snap_sup *sp, char *buf, size_t n)
{
    for (uint32_t c = 0; c < sp->n_children; c++) {
        const snap_child *ch = render_child_at(an->s, sp, c);
        if (ch->proc != SNAP_NONE && start_literal(an, ch, buf, n))
            return ch;
    }
    return NULL;
}

/* The children an on-demand supervisor starts at run time are not the tree: a note says how
 * many there are now and how they are started, with one start as its callers do it, and the
 * test starts one. */
static void run_time_note(const analysis *an, uint32_t k, const char *target, strbuf *out, strbuf *tests)
{
    const snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    const char *c = an->elixir ? "#" : "%%";
    char label[512], num[32], mod[256], dm[256], startb[2048];
    if (sp->proc != SNAP_NONE && (snap_proc_at(s, sp->proc)->name || snap_proc_at(s, sp->proc)->alt_name))
        snap_proc_label(s, snap_proc_at(s, sp->proc), label, sizeof label);
    else /* no pid in printed code: an unnamed one is "this DynamicSupervisor" */
        snprintf(label, sizeof label, "this %s", sp->kind == SK_SUPERVISOR ? "supervisor" : sup_kind_name(sp->kind));
    fmt_num(sp->n_children, num, sizeof num);
    dm[0] = 0;
    if (sp->n_children) {
        child_module(s, render_child_at(s, sp, 0), mod, sizeof mod);
        snap_display_atom(mod, dm, sizeof dm);
    }
    const char *pad = an->elixir ? "" : "    ";
    if (sp->kind == SK_PARTITION) {
        sb_printf(out, "%s%s %s starts %s partition%s; each starts its children at run time\n", pad, c, label, num,
                  sp->n_children == 1 ? "" : "s");
        return;
    }
    if (sp->kind == SK_REGISTRY || !snap_sup_on_demand(s, sp))
        return;
    sb_printf(out, "%s%s %s starts its children at run time, not here (%s now%s%s)", pad, c, label, num,
              dm[0] ? ", running " : "", dm);
    const snap_child *ex = example_child(an, sp, startb, sizeof startb);
    if (sp->kind == SK_SPECIAL) { /* ranch's connections: its acceptors start them */
        sb_puts(out, ": they come and go with the connections\n");
        return;
    }
    if (!an->elixir) {
        sb_printf(out, ":\n%s%s   supervisor:start_child(%s, %s)\n", pad, c, target,
                  snap_sup_is_sofo(s, sp) ? "ExtraArgs" : "ChildSpec");
        sb_printf(tests, "    %s then: {ok, _} = supervisor:start_child(%s, %s),\n", c, target,
                  snap_sup_is_sofo(s, sp) ? "ExtraArgs" : "ChildSpec");
        return;
    }
    strbuf e;
    sb_init(&e);
    if (sp->kind == SK_TASK)
        sb_printf(&e, "Task.Supervisor.start_child(%s, fn -> :ok end)", target);
    else if (sp->kind == SK_DYNAMIC && ex) {
        char cm[256];
        child_module(s, ex, cm, sizeof cm);
        strbuf spec;
        sb_init(&spec);
        char idb[300];
        if (!ex_default_spec(an, ex, cm, fallback_id(an, cm, idb, sizeof idb), &spec))
            sb_printf(&spec, "%%{id: %s, start: %s, restart: :%s}", idb, startb, restart_atom(ex->restart));
        sb_printf(&e, "DynamicSupervisor.start_child(%s, %s)", target, spec.buf);
        sb_free(&spec);
    }
    if (e.len) {
        sb_printf(out, ", e.g.:\n%s   %s\n", c, e.buf);
        if (sp->proc != SNAP_NONE && snap_proc_at(s, sp->proc)->name) /* the test knows it by its name */
            sb_printf(tests, "  {:ok, _} = %s\n", e.buf);
    } else
        sb_puts(out, "\n");
    sb_free(&e);
}

/* Supervisor k as one child of a new top: the spec its parent has for it (with the changes
 * its findings call for), and what it starts at run time said, not listed. */
static void own_spec(const analysis *an, uint32_t k, strbuf *out, strbuf *tests)
{
    const snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    const snap_proc *sproc = sp->proc != SNAP_NONE ? snap_proc_at(s, sp->proc) : NULL;
    snap_child made;
    const snap_child *row = own_row(an, k, &made);
    char mod[256], idb[512], fb[300], nb[300], target[600];
    child_module(s, row, mod, sizeof mod);
    const char *id = id_literal(an, snap_str(s, row->id), fallback_id(an, mod, fb, sizeof fb), idb, sizeof idb);
    /* how its callers name it in a start_child */
    int fnum = 0;
    int partitioned = sproc && finding_for_proc(an, sp->proc, "missing-partition-supervisor", &fnum) && sproc->name;
    if (sproc && sproc->name && an->elixir)
        snprintf(target, sizeof target, partitioned ? "{:via, PartitionSupervisor, {%s, self()}}" : "%s",
                 cg_ex_atom(snap_str(s, sproc->name), nb, sizeof nb));
    else if (sproc && sproc->name)
        cg_erl_atom(snap_str(s, sproc->name), target, sizeof target);
    else
        snprintf(target, sizeof target, "%s", an->elixir ? "sup" : "Sup");
    if (an->elixir) {
        sb_puts(out, "children = [\n");
        ex_child(an, row, id, out, tests, 1, 1);
        sb_puts(out, "]\n\n");
        run_time_note(an, k, target, out, tests);
        sb_puts(out, "Supervisor.start_link(children, strategy: :one_for_one)\n");
        return;
    }
    strbuf then; /* the test starts the supervisor first, then says how children come */
    sb_init(&then);
    sb_puts(out, "init([]) ->\n");
    run_time_note(an, k, target, out, &then);
    if (row == &made && snap_sup_is_sofo(s, sp)) {
        /* a root simple_one_for_one: its own init, the template made from its children's module
         * (the template's start function cannot be seen from outside) */
        char cm[256] = "", cmb[300];
        if (sp->n_children)
            child_module(s, render_child_at(s, sp, 0), cm, sizeof cm);
        const char *cml = fallback_id(an, cm, cmb, sizeof cmb);
        sb_printf(out,
                  "    %%%% the template's start is not visible from outside: %s:start_link assumed\n"
                  "    Children = [\n"
                  "        #{id => %s, start => {%s, start_link, []}, restart => %s}\n"
                  "    ],\n"
                  "    {ok, {#{strategy => simple_one_for_one, intensity => %d, period => %d}, Children}}.\n",
                  cml, cml, cml, restart_atom(sp->n_children ? render_child_at(s, sp, 0)->restart : RT_TEMPORARY),
                  sp->intensity, sp->period);
    } else {
        sb_puts(out, "    Children = [\n");
        erl_child(an, row, id, out, tests, 1, 1);
        sb_puts(out, "    ],\n    {ok, {#{strategy => one_for_one}, Children}}.\n");
    }
    sb_add(tests, then.buf, then.len);
    sb_free(&then);
}

void report_child_specs(const analysis *an, uint32_t k, strbuf *out, strbuf *tests)
{
    snap *s = an->s;
    const snap_sup *sp = snap_sup_at(s, k);
    if (rebuilt_as_itself(s, sp)) {
        own_spec(an, k, out, tests);
        return;
    }
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
    size_t n;
    kid *kids = listed_children(an, k, &n);
    size_t last = n; /* the last child printed: no comma after it */
    for (size_t i = 0; i < n; i++)
        if (erl_printable(an, kids[i].ch))
            last = i;
    for (size_t i = 0; i < n; i++)
        erl_child(an, kids[i].ch, kids[i].id, out, tests, i >= last, 0);
    free(kids);
    sb_printf(out, "    ],\n    {ok, {#{strategy => %s, intensity => %d, period => %d}, Children}}.\n", strategy,
              sp->intensity, sp->period);
}
