/* thresholds.c — threshold values and --set NAME=VALUE. */
#include "thresholds.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void rule_opts_from(rule_opts *o, const threshold_def *const *defs, int n)
{
    o->n = 0;
    for (int i = 0; i < n; i++)
        for (const threshold_def *d = defs[i]; d && d->name; d++)
            o->n++;
    o->t = xcalloc(o->n ? (size_t)o->n : 1, sizeof *o->t);
    int k = 0;
    for (int i = 0; i < n; i++)
        for (const threshold_def *d = defs[i]; d && d->name; d++)
            o->t[k++] = (threshold){.name = d->name, .unit = d->unit, .help = d->help, .value = d->dflt};
    o->missing = xcalloc(1, sizeof *o->missing);
}

void rule_opts_free(rule_opts *o)
{
    free(o->t);
    free(o->missing);
    o->t = NULL;
    o->missing = NULL;
    o->n = 0;
}

int rule_opts_set(rule_opts *o, const char *as, char *err)
{
    const char *eq = strchr(as, '=');
    if (!eq)
        return errf(err, "--set takes NAME=VALUE, not '%s'", as);
    char *end;
    double v = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || !(v >= 0) || v > 1e15)
        return errf(err, "--set %.*s: '%s' is not a non-negative number", (int)(eq - as), as, eq + 1);
    for (int i = 0; i < o->n; i++)
        if (strlen(o->t[i].name) == (size_t)(eq - as) && !strncmp(o->t[i].name, as, (size_t)(eq - as))) {
            o->t[i].value = v;
            return 0;
        }
    return errf(err, "unknown threshold '%.*s' (see `otp-advisor explain thresholds`)", (int)(eq - as), as);
}

double rule_opt(const rule_opts *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->t[i].name, name))
            return o->t[i].value;
    if (o->missing)
        *o->missing = name;
    return 0;
}
