/* cookie.h — where the cookie comes from, and whether its file is kept private.
 *
 * The sources, first found wins: --cookie (discouraged: visible in ps), --cookie-file,
 * $OTP_ADVISOR_COOKIE, ~/.erlang.cookie. A file is opened without blocking (a FIFO must not
 * hang us) and must be a regular file. A file its group or other users can read is still
 * used, with a warning handed back (as ssh does for keys: who reads the cookie can run code
 * on the node); nothing here prints.
 *
 * Ownership: the caller owns every buffer, and wipes the cookie once the handshake is done. */
#ifndef OA_COOKIE_H
#define OA_COOKIE_H

#include <stddef.h>

/* Read the cookie into cookie (n bytes; trailing newlines and spaces removed). Returns 0, or
 * -1 with err (OA_ERRLEN bytes). warn (warn_n bytes, may be NULL) receives the loose
 * permissions warning, one line without its newline, or "" when there is none. */
int cookie_find(const char *cookie_arg, const char *cookie_file, char *cookie, size_t n, char *warn, size_t warn_n,
                char *err);

#endif
