/* fmt.c — numbers and names for people (see fmt.h). */
#include "fmt.h"

#include <stdio.h>
#include <string.h>

void fmt_mfa(const char *mfa, char *buf, size_t n)
{
    if (!mfa || !*mfa) {
        snprintf(buf, n, "-");
        return;
    }
    const char *colon = strchr(mfa, ':');
    if (strncmp(mfa, "Elixir.", 7) == 0 && colon)
        snprintf(buf, n, "%.*s.%s", (int)(colon - mfa - 7), mfa + 7, colon + 1);
    else
        snprintf(buf, n, "%s", mfa);
}

void fmt_num(uint64_t v, char *buf, size_t n)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        buf[o++] = tmp[i];
        int left = len - i - 1;
        if (left > 0 && left % 3 == 0 && o + 2 < n)
            buf[o++] = ',';
    }
    buf[o] = 0;
}

void fmt_bytes(uint64_t v, char *buf, size_t n)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    double d = (double)v;
    int i = 0;
    while (d >= 1024 && i < 4) {
        d /= 1024;
        i++;
    }
    if (i == 0)
        snprintf(buf, n, "%llu B", (unsigned long long)v);
    else
        snprintf(buf, n, "%.1f %s", d, u[i]);
}

void fmt_rate(double v, char *buf, size_t n)
{
    fmt_num(v > 0 ? (uint64_t)(v + 0.5) : 0, buf, n);
}
